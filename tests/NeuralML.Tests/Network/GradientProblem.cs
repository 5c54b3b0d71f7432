using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Numerics;
using NeuralML.Tests.Support;
using NeuralML.Training;

namespace NeuralML.Tests.Network;

/// <summary>
/// A network, a loss head and one weighted batch: the loss as a function of the parameters, its gradient by
/// back-propagation, and a central-difference check of one against the other.
/// </summary>
internal sealed class GradientProblem
{
    private readonly float[] _dLogits;
    private readonly Func<IHiddenLayerPart[]?> _newParts;

    /// <param name="newDropout">
    /// Makes the dropout for one evaluation; it must draw the same mask every time (a fresh generator with a fixed seed)
    /// so that the loss is one function of the parameters. Null: evaluation mode.
    /// </param>
    public GradientProblem(FeedForwardNetwork network, LossKind loss, int rows, int seed, Func<Dropout?>? newDropout = null)
        : this(network, loss, rows, seed, newDropout is null ? () => null : () => Parts(newDropout()))
    {
    }

    /// <param name="newParts">
    /// Makes the training parts for one evaluation, in the order the network runs them; like <c>newDropout</c>, every
    /// call must give parts that compute the same function. Null (the parts, not the function): evaluation mode.
    /// </param>
    public GradientProblem(FeedForwardNetwork network, LossKind loss, int rows, int seed, Func<IHiddenLayerPart[]?> newParts)
    {
        Network = network;
        Loss = loss;
        Head = LossHead.Create(loss);
        Rows = rows;
        _newParts = newParts;
        Workspace = new NetworkWorkspace(network, rows);
        var random = new Xoshiro256StarStar(seed);
        Input = new float[rows * network.InputCount];
        for (int i = 0; i < Input.Length; i++) Input[i] = (float)random.NextGaussian();
        Weights = new float[rows];
        for (int i = 0; i < rows; i++) Weights[i] = (float)(0.5 + 1.5 * random.NextDouble());
        Scale = (float)(1.0 / Weights.Sum());
        _dLogits = new float[rows * network.OutputCount];
        if (HasKinks(network)) MoveHiddenPreActivationsAwayFromZero(margin: 0.1);
        float[] logits = Network.Forward(Input, rows, Workspace, DenseKernels.Default, _newParts()).ToArray();
        Targets = LossTargets.AwayFromKinks(loss, logits, rows, network.OutputCount, random);
    }

    public FeedForwardNetwork Network { get; }

    public LossKind Loss { get; }

    public LossHead Head { get; }

    public int Rows { get; }

    public NetworkWorkspace Workspace { get; }

    public float[] Input { get; }

    public float[] Targets { get; }

    public float[] Weights { get; }

    public float Scale { get; }

    /// <summary>scale·Σ w_i·L_i at the current parameters.</summary>
    public double Evaluate()
    {
        ReadOnlySpan<float> logits = Network.Forward(Input, Rows, Workspace, DenseKernels.Default, _newParts());
        return Scale * Head.LossAndGradient(logits, Targets, Weights, _dLogits, Rows, Network.OutputCount, Scale);
    }

    /// <summary>∂Evaluate/∂parameters by forward, loss head and backward into a zeroed buffer.</summary>
    public float[] Gradient()
    {
        ReadOnlySpan<float> logits = Network.Forward(Input, Rows, Workspace, DenseKernels.Default, _newParts());
        Head.LossAndGradient(logits, Targets, Weights, _dLogits, Rows, Network.OutputCount, Scale);
        var dParameters = new float[Network.Parameters.Length];
        Network.Backward(Input, Rows, _dLogits, dParameters, Workspace, DenseKernels.Default);
        return dParameters;
    }

    private static IHiddenLayerPart[]? Parts(Dropout? dropout) => dropout is null ? null : [dropout];

    /// <summary>
    /// ReLU, leaky ReLU, PReLU and SELU have a kink at 0; ELU's second derivative jumps there, which spoils a central
    /// difference too. GELU and SiLU are smooth.
    /// </summary>
    private static bool HasKinks(FeedForwardNetwork network) =>
        network.Layers[0].Activation is Activation.Relu or Activation.LeakyRelu or Activation.Elu or Activation.PRelu or Activation.Selu;

    /// <summary>
    /// Shifts each hidden unit's bias, layer by layer, until its pre-activation is at least <paramref name="margin"/>
    /// from 0 on every row. A perturbation of ε = 1e-2 moves a pre-activation by far less than 0.1, so no central
    /// difference straddles a kink: the check then covers every parameter instead of skipping the ones near a kink.
    /// </summary>
    private void MoveHiddenPreActivationsAwayFromZero(double margin)
    {
        var z = new double[Rows];
        for (int l = 0; l < Network.Layers.Count - 1; l++)
        {
            Network.Forward(Input, Rows, Workspace, DenseKernels.Default, _newParts());
            int inputs = Network.Layers[l].Inputs;
            ReadOnlySpan<float> layerInput = l == 0 ? Input : Workspace.LayerResults[l - 1].AsSpan(0, Rows * inputs);
            Span<float> weights = Network.Weights(l), biases = Network.Biases(l);
            int outputs = biases.Length;
            for (int o = 0; o < biases.Length; o++)
            {
                for (int r = 0; r < Rows; r++)
                {
                    z[r] = biases[o];
                    for (int i = 0; i < inputs; i++) z[r] += (double)weights[i * outputs + o] * layerInput[r * inputs + i];
                }
                // Try shifts 0, +m/2, −m/2, +m, −m, ...: each row rules out an interval of width 2m, so one within ±Rows·m exists.
                for (int k = 0; ; k++)
                {
                    double shift = (k + 1) / 2 * margin / 2 * (k % 2 == 0 ? -1 : 1);
                    if (z.All(value => Math.Abs(value + shift) >= margin))
                    {
                        biases[o] = (float)(biases[o] + shift);
                        break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Which side of every kink the last evaluation was on: the sign of each hidden pre-activation (read from the
    /// output, whose sign it shares for the ReLU family and ELU) and, for the absolute and Huber losses, the sign of
    /// each residual and whether it is beyond Huber's δ = 1. When this changes between z − ε and z + ε, the central
    /// difference straddles a kink and says nothing about the derivative.
    /// </summary>
    public List<bool> KinkPattern()
    {
        var pattern = new List<bool>();
        for (int l = 0; l < Network.Layers.Count - 1 && HasKinks(Network); l++)
            foreach (float value in Workspace.Outputs[l].AsSpan(0, Rows * Network.Layers[l].Outputs))
                pattern.Add(value > 0f);
        if (Loss is LossKind.AbsoluteError or LossKind.Huber)
        {
            float[] logits = Workspace.Outputs[^1];
            for (int i = 0; i < Rows; i++)
            {
                double d = (double)logits[i] - Targets[i];
                pattern.Add(d > 0);
                if (Loss is LossKind.Huber) pattern.Add(Math.Abs(d) > HuberHead.Delta);
            }
        }
        return pattern;
    }

    /// <summary>
    /// Checks every parameter's back-propagated gradient against (L(p + ε) − L(p − ε)) / (p⁺ − p⁻), where p± are the
    /// float values actually evaluated. Perturbations that straddle a kink are skipped; at most a tenth may be.
    /// </summary>
    /// <returns>The largest error seen, as a fraction of the tolerance, and how many perturbations were skipped.</returns>
    public (double Worst, int Skipped) AssertGradientMatchesCentralDifferences(double epsilon, double relative, double absolute)
    {
        float[] analytic = Gradient();
        float[] parameters = Network.Parameters;
        int skipped = 0;
        double worst = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            float original = parameters[i];
            float plus = (float)(original + epsilon), minus = (float)(original - epsilon);
            parameters[i] = plus;
            double lossPlus = Evaluate();
            List<bool> patternPlus = KinkPattern();
            parameters[i] = minus;
            double lossMinus = Evaluate();
            List<bool> patternMinus = KinkPattern();
            parameters[i] = original;
            if (!patternPlus.SequenceEqual(patternMinus))
            {
                skipped++;
                continue;
            }

            double central = (lossPlus - lossMinus) / ((double)plus - minus);
            double tolerance = relative * Math.Max(Math.Abs(central), Math.Abs(analytic[i])) + absolute;
            double error = Math.Abs(analytic[i] - central);
            worst = Math.Max(worst, error / tolerance);
            Assert.True(error <= tolerance,
                $"∂L/∂p[{i}]: back-propagation {analytic[i]:R}, central difference {central:R}; error {error:E3} > tolerance {tolerance:E3}.");
        }
        Assert.True(skipped * 10 <= parameters.Length, $"{skipped} of {parameters.Length} perturbations straddled a kink.");
        return (worst, skipped);
    }
}
