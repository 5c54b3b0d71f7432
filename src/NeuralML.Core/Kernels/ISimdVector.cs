using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralML.Kernels;

/// <summary>
/// A vector of floats of one width, so that an element-wise loop is written once and instantiated for
/// <see cref="SimdVector512"/>, <see cref="SimdVector256"/> and <see cref="SimdScalar"/> (the tail, one value at a time).
/// The JIT specialises a generic method for each struct, so the wrappers cost nothing. Every operation is IEEE and
/// element-wise, without FMA contraction unless asked for, so all widths give the same bits for the same lane.
/// </summary>
internal unsafe interface ISimdVector<TSelf> where TSelf : unmanaged, ISimdVector<TSelf>
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on the machine's vector registers.</summary>
    static abstract bool IsHardwareAccelerated { get; }

    static abstract TSelf Load(float* source);

    static abstract TSelf Broadcast(float value);

    void Store(float* destination);

    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    static abstract TSelf operator *(TSelf left, TSelf right);

    static abstract TSelf operator /(TSelf left, TSelf right);

    /// <summary>a·b + c with one rounding.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);

    static abstract TSelf Sqrt(TSelf value);

    /// <summary>e^x, the same bits in every lane at every width (.NET computes it with one algorithm for all vector widths).</summary>
    static abstract TSelf Exp(TSelf value);

    static abstract TSelf Abs(TSelf value);

    /// <summary>Per lane: <paramref name="condition"/> &gt; 0 ? <paramref name="positive"/> : <paramref name="otherwise"/>.</summary>
    static abstract TSelf WherePositive(TSelf condition, TSelf positive, TSelf otherwise);
}

/// <summary>16 floats in a <see cref="Vector512{T}"/> (AVX-512).</summary>
internal readonly unsafe struct SimdVector512(Vector512<float> value) : ISimdVector<SimdVector512>
{
    private readonly Vector512<float> _value = value;

    public static int Count => Vector512<float>.Count;
    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector512 Load(float* source) => new(Vector512.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector512 Broadcast(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* destination) => _value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector512 operator +(SimdVector512 left, SimdVector512 right) => new(left._value + right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector512 operator -(SimdVector512 left, SimdVector512 right) => new(left._value - right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector512 operator *(SimdVector512 left, SimdVector512 right) => new(left._value * right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector512 operator /(SimdVector512 left, SimdVector512 right) => new(left._value / right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector512 FusedMultiplyAdd(SimdVector512 a, SimdVector512 b, SimdVector512 c) => new(Vector512.FusedMultiplyAdd(a._value, b._value, c._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector512 Sqrt(SimdVector512 value) => new(Vector512.Sqrt(value._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector512 Exp(SimdVector512 value) => new(Vector512.Exp(value._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector512 Abs(SimdVector512 value) => new(Vector512.Abs(value._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector512 WherePositive(SimdVector512 condition, SimdVector512 positive, SimdVector512 otherwise)
        => new(Vector512.ConditionalSelect(Vector512.GreaterThan(condition._value, Vector512<float>.Zero), positive._value, otherwise._value));
}

/// <summary>8 floats in a <see cref="Vector256{T}"/> (AVX2/FMA).</summary>
internal readonly unsafe struct SimdVector256(Vector256<float> value) : ISimdVector<SimdVector256>
{
    private readonly Vector256<float> _value = value;

    public static int Count => Vector256<float>.Count;
    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector256 Load(float* source) => new(Vector256.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector256 Broadcast(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* destination) => _value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector256 operator +(SimdVector256 left, SimdVector256 right) => new(left._value + right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector256 operator -(SimdVector256 left, SimdVector256 right) => new(left._value - right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector256 operator *(SimdVector256 left, SimdVector256 right) => new(left._value * right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector256 operator /(SimdVector256 left, SimdVector256 right) => new(left._value / right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector256 FusedMultiplyAdd(SimdVector256 a, SimdVector256 b, SimdVector256 c) => new(Vector256.FusedMultiplyAdd(a._value, b._value, c._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector256 Sqrt(SimdVector256 value) => new(Vector256.Sqrt(value._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector256 Exp(SimdVector256 value) => new(Vector256.Exp(value._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdVector256 Abs(SimdVector256 value) => new(Vector256.Abs(value._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdVector256 WherePositive(SimdVector256 condition, SimdVector256 positive, SimdVector256 otherwise)
        => new(Vector256.ConditionalSelect(Vector256.GreaterThan(condition._value, Vector256<float>.Zero), positive._value, otherwise._value));
}

/// <summary>One float: the tail of every loop, and the whole loop where the machine has no vector registers.</summary>
internal readonly unsafe struct SimdScalar(float value) : ISimdVector<SimdScalar>
{
    private readonly float _value = value;

    public static int Count => 1;
    public static bool IsHardwareAccelerated => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdScalar Load(float* source) => new(*source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdScalar Broadcast(float value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* destination) => *destination = _value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdScalar operator +(SimdScalar left, SimdScalar right) => new(left._value + right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdScalar operator -(SimdScalar left, SimdScalar right) => new(left._value - right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdScalar operator *(SimdScalar left, SimdScalar right) => new(left._value * right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdScalar operator /(SimdScalar left, SimdScalar right) => new(left._value / right._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdScalar FusedMultiplyAdd(SimdScalar a, SimdScalar b, SimdScalar c) => new(MathF.FusedMultiplyAdd(a._value, b._value, c._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdScalar Sqrt(SimdScalar value) => new(MathF.Sqrt(value._value));

    // The vector algorithm on one lane, so that a tail element gets the bits it would get in a vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdScalar Exp(SimdScalar value) => new(Vector128.Exp(Vector128.Create(value._value)).ToScalar());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static SimdScalar Abs(SimdScalar value) => new(MathF.Abs(value._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SimdScalar WherePositive(SimdScalar condition, SimdScalar positive, SimdScalar otherwise)
        => condition._value > 0f ? positive : otherwise;
}
