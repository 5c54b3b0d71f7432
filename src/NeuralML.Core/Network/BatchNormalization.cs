namespace NeuralML.Network;

/// <summary>
/// Batch normalisation (Ioffe and Szegedy, 2015) of a dense layer's outputs z, before the activation, per unit j over
/// the rows of a batch: x̂ = (z − μ)/√(σ² + ε), y = γx̂ + β. Training uses the batch's mean and (biased) variance and
/// updates running estimates, m ← (1 − momentum)·m + momentum·μ and v ← (1 − momentum)·v + momentum·σ²·R/(R − 1)
/// (unbiased), with momentum 0.1 and ε = 1e-5 as in PyTorch; evaluation uses the running estimates. Sums run over the
/// rows in order, in double, so results do not depend on the thread count. Once training ends the layer is folded
/// into the dense weights (<see cref="FoldInto"/>).
/// </summary>
internal static class BatchNormalization
{
    public const float Momentum = 0.1f, Epsilon = 1e-5f;

    /// <summary>
    /// Training mode: replaces z (rows, width) by x̂, writes y = γx̂ + β, keeps each unit's 1/√(σ² + ε) for backward and
    /// updates the running statistics.
    /// </summary>
    public static void Train(Span<float> z, Span<float> y, int rows, int width, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        Span<float> runningMean, Span<float> runningVariance, Span<float> inverseStd)
    {
        for (int j = 0; j < width; j++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += z[r * width + j];
            double mean = sum / rows, squares = 0;
            for (int r = 0; r < rows; r++)
            {
                double d = z[r * width + j] - mean;
                squares += d * d;
            }
            double variance = squares / rows;
            float inverse = (float)(1 / Math.Sqrt(variance + Epsilon));
            inverseStd[j] = inverse;
            float m = (float)mean;
            for (int r = 0; r < rows; r++)
            {
                int i = r * width + j;
                float normalized = (z[i] - m) * inverse;
                z[i] = normalized;
                y[i] = scale[j] * normalized + shift[j];
            }
            double unbiased = rows > 1 ? squares / (rows - 1) : variance;
            runningMean[j] = (float)((1 - Momentum) * runningMean[j] + Momentum * mean);
            runningVariance[j] = (float)((1 - Momentum) * runningVariance[j] + Momentum * unbiased);
        }
    }

    /// <summary>Evaluation mode: y = γ(z − m)/√(v + ε) + β with the running statistics.</summary>
    public static void Evaluate(ReadOnlySpan<float> z, Span<float> y, int rows, int width, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance)
    {
        for (int j = 0; j < width; j++)
        {
            float factor = (float)(scale[j] / Math.Sqrt(runningVariance[j] + (double)Epsilon)), mean = runningMean[j];
            for (int r = 0; r < rows; r++) y[r * width + j] = factor * (z[r * width + j] - mean) + shift[j];
        }
    }

    /// <summary>
    /// Back-propagation through the last <see cref="Train"/>: turns the gradient with respect to y into the gradient with
    /// respect to z, in place, and writes dγ = Σ dy·x̂ and dβ = Σ dy: dz = (γ/√(σ² + ε))/R·(R·dy − Σdy − x̂·Σ(dy·x̂)).
    /// </summary>
    public static void Backward(Span<float> gradient, ReadOnlySpan<float> normalized, int rows, int width, ReadOnlySpan<float> scale,
        ReadOnlySpan<float> inverseStd, Span<float> dScale, Span<float> dShift)
    {
        for (int j = 0; j < width; j++)
        {
            double sumDy = 0, sumDyX = 0;
            for (int r = 0; r < rows; r++)
            {
                int i = r * width + j;
                sumDy += gradient[i];
                sumDyX += (double)gradient[i] * normalized[i];
            }
            dScale[j] = (float)sumDyX;
            dShift[j] = (float)sumDy;
            double factor = (double)scale[j] * inverseStd[j] / rows;
            for (int r = 0; r < rows; r++)
            {
                int i = r * width + j;
                gradient[i] = (float)(factor * (rows * (double)gradient[i] - sumDy - normalized[i] * sumDyX));
            }
        }
    }

    /// <summary>
    /// Folds evaluation mode into the dense layer: W'[i, j] = W[i, j]·s_j and b'_j = (b_j − m_j)·s_j + β_j with
    /// s_j = γ_j/√(v_j + ε), so the layer computes the same y without normalising.
    /// </summary>
    public static void FoldInto(Span<float> weights, Span<float> biases, int inputs, int width, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance)
    {
        for (int j = 0; j < width; j++)
        {
            double s = scale[j] / Math.Sqrt(runningVariance[j] + (double)Epsilon);
            for (int i = 0; i < inputs; i++) weights[i * width + j] = (float)(weights[i * width + j] * s);
            biases[j] = (float)((biases[j] - (double)runningMean[j]) * s + shift[j]);
        }
    }
}
