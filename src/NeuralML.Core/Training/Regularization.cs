namespace NeuralML.Training;

/// <summary>
/// The penalties added to the training loss's gradient and the limit on its norm: L2 (λ₂·w) and L1 (λ₁·sign(w)) on
/// the weights, and clipping of the whole gradient's 2-norm. (Decoupled weight decay acts in the optimizer's step.)
/// </summary>
internal readonly record struct Regularization(float L2, float L1, float? GradientClipNorm)
{
    public static Regularization None => new(0f, 0f, null);
}
