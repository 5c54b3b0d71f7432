using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralML.Kernels;

/// <summary>
/// 6×32 tile on 512-bit vectors: 12 accumulators, per step one broadcast of A per row and two loads of packed B.
/// Six rows keep 12 accumulators + 2 B vectors + 1 broadcast well inside the 32 vector registers, and 12 independent
/// FMA chains cover the FMA latency on two ports.
/// </summary>
internal readonly struct MicroKernelVector512 : IMicroKernel
{
    public static int Rows => 6;

    public static int Columns => 32;

    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int depth, float* a, nint aRow, nint aCol, int rows, float* b, nint ldb, float* c, nint ldc, float* bias, bool relu)
    {
        // Rows past the valid ones read the last valid row again (their results are discarded), so A needs no padding.
        nint o1 = Math.Min(1, rows - 1) * aRow, o2 = Math.Min(2, rows - 1) * aRow, o3 = Math.Min(3, rows - 1) * aRow;
        nint o4 = Math.Min(4, rows - 1) * aRow, o5 = Math.Min(5, rows - 1) * aRow;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < depth; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x = Vector512.Create(*a);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[o1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[o2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[o3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[o4]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[o5]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            a += aCol;
            b += ldb;
        }
        if (bias is not null)
        {
            Vector512<float> bias0 = Vector512.Load(bias), bias1 = Vector512.Load(bias + 16);
            c00 += bias0; c01 += bias1; c10 += bias0; c11 += bias1; c20 += bias0; c21 += bias1;
            c30 += bias0; c31 += bias1; c40 += bias0; c41 += bias1; c50 += bias0; c51 += bias1;
        }
        if (relu)
        {
            Vector512<float> zero = Vector512<float>.Zero;
            c00 = Vector512.Max(c00, zero); c01 = Vector512.Max(c01, zero); c10 = Vector512.Max(c10, zero); c11 = Vector512.Max(c11, zero);
            c20 = Vector512.Max(c20, zero); c21 = Vector512.Max(c21, zero); c30 = Vector512.Max(c30, zero); c31 = Vector512.Max(c31, zero);
            c40 = Vector512.Max(c40, zero); c41 = Vector512.Max(c41, zero); c50 = Vector512.Max(c50, zero); c51 = Vector512.Max(c51, zero);
        }
        Store(c, c00, c01);
        Store(c + ldc, c10, c11);
        Store(c + 2 * ldc, c20, c21);
        Store(c + 3 * ldc, c30, c31);
        Store(c + 4 * ldc, c40, c41);
        Store(c + 5 * ldc, c50, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* row, Vector512<float> left, Vector512<float> right)
    {
        left.Store(row);
        right.Store(row + 16);
    }
}
