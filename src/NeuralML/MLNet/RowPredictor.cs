using NeuralML.Kernels;
using NeuralML.Network;
using NeuralML.Training;

namespace NeuralML;

/// <summary>
/// Scores one row at a time; one instance per cursor or prediction engine, since it owns its buffers.
/// </summary>
internal sealed class RowPredictor
{
    private readonly FeedForwardModelParameters _model;
    private readonly NetworkWorkspace _workspace;
    private readonly LossHead _head;

    public RowPredictor(FeedForwardModelParameters model)
    {
        _model = model;
        _workspace = NetworkWorkspace.ForInference(model.Network, 1);
        _head = HeadOf(model.Kind);
        Logits = new float[model.Network.OutputCount];
        Outputs = new float[model.Network.OutputCount];
    }

    /// <summary>The output head that turns logits into a task's outputs.</summary>
    public static LossHead HeadOf(PredictionKind kind) => LossHead.Create(kind switch
    {
        PredictionKind.BinaryClassification => LossKind.BinaryCrossEntropy,
        PredictionKind.MulticlassClassification => LossKind.SparseCategoricalCrossEntropy,
        _ => LossKind.SquaredError,
    });

    /// <summary>Takes a row's logits and outputs scored elsewhere (in a batch).</summary>
    public void Set(ReadOnlySpan<float> logits, ReadOnlySpan<float> outputs)
    {
        logits.CopyTo(Logits);
        outputs.CopyTo(Outputs);
    }

    /// <summary>The raw network outputs of the last row.</summary>
    public float[] Logits { get; }

    /// <summary>Probabilities (classifiers) or the score (regression) of the last row.</summary>
    public float[] Outputs { get; }

    /// <summary>Scores one dense row of features.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Predict(ReadOnlySpan<float> features)
    {
        _model.Network.Forward(features, 1, _workspace, _model.Kernels).CopyTo(Logits);
        Logits.CopyTo(Outputs, 0);
        _head.Transform(Outputs);
    }

    /// <summary>1-based index of the most probable class (0 if the outputs are NaN), as a key value.</summary>
    public uint PredictedClass()
    {
        int best = -1;
        float bestValue = float.NegativeInfinity;
        for (int k = 0; k < Outputs.Length; k++)
        {
            if (Outputs[k] > bestValue)
            {
                bestValue = Outputs[k];
                best = k;
            }
        }
        return (uint)(best + 1);
    }
}
