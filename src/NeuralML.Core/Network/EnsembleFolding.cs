namespace NeuralML.Network;

/// <summary>
/// Folds an ensemble of networks of one shape into a single network that outputs the mean of their logits: the first
/// layer stacks the members' units side by side, each hidden layer after it is block-diagonal (member m's units read
/// only member m's units), and the output layer sums the members' contributions divided by their number. Scoring,
/// saving and ONNX then treat the ensemble as any other network.
/// </summary>
internal static class EnsembleFolding
{
    /// <exception cref="ArgumentException">The members do not all have the same layer sizes and activations, or there are none.</exception>
    public static FeedForwardNetwork Fold(IReadOnlyList<FeedForwardNetwork> members)
    {
        if (members.Count == 0) throw new ArgumentException("An ensemble needs at least one network.", nameof(members));
        FeedForwardNetwork first = members[0];
        if (first.HasBatchNormalization) throw new ArgumentException("Fold batch normalisation into each member first.", nameof(members));
        foreach (FeedForwardNetwork member in members)
            if (!member.LayerSizeSpan.SequenceEqual(first.LayerSizeSpan) || !member.Layers.Select(l => l.Activation).SequenceEqual(first.Layers.Select(l => l.Activation)))
                throw new ArgumentException("The members of an ensemble must have the same layers.", nameof(members));
        if (members.Count == 1) return first.Clone();

        int k = members.Count, last = first.Layers.Count - 1;
        Activation[] activations = first.Layers.Select(l => l.Activation).ToArray();
        if (last == 0) return Average(members, activations);
        int[] sizes = first.LayerSizes;
        int[] folded = [sizes[0], .. sizes[1..^1].Select(width => width * k), sizes[^1]];
        long count = 0;
        for (int l = 0; l < activations.Length; l++) count += DenseLayerShape.CountParameters(folded[l], folded[l + 1], activations[l]);
        if (count > Array.MaxLength) throw new ArgumentException($"An ensemble of {k} networks of this size has too many parameters for one network.", nameof(members));
        var network = FeedForwardNetwork.FromParameters(folded, activations, new float[count]);
        for (int l = 0; l <= last; l++)
        {
            DenseLayerShape shape = first.Layers[l];
            int outputs = network.Layers[l].Outputs;
            Span<float> weights = network.Weights(l);
            for (int m = 0; m < k; m++)
            {
                // Member m's block: it reads its own units of the layer below (all features in the first layer) and
                // writes its own units (the shared logits in the output layer, where the members' terms are summed).
                int rowOffset = l == 0 ? 0 : m * shape.Inputs, columnOffset = l == last ? 0 : m * shape.Outputs;
                ReadOnlySpan<float> memberWeights = members[m].Weights(l);
                for (int i = 0; i < shape.Inputs; i++)
                {
                    Span<float> row = weights.Slice((rowOffset + i) * outputs + columnOffset, shape.Outputs);
                    ReadOnlySpan<float> source = memberWeights.Slice(i * shape.Outputs, shape.Outputs);
                    if (l == last)
                        for (int o = 0; o < row.Length; o++) row[o] = (float)(source[o] / (double)k);
                    else
                        source.CopyTo(row);
                }
                if (l < last)
                {
                    members[m].Biases(l).CopyTo(network.Biases(l).Slice(columnOffset, shape.Outputs));
                    members[m].Slopes(l).CopyTo(network.Slopes(l).Slice(m * shape.SlopeCount, shape.SlopeCount));
                }
            }
        }
        MeanInto(network.Biases(last), members.Select(m => m.Biases(last).ToArray()).ToArray());
        return network;
    }

    /// <summary>Networks without hidden layers are linear: their mean is one more linear layer, the mean of the weights and biases.</summary>
    private static FeedForwardNetwork Average(IReadOnlyList<FeedForwardNetwork> members, Activation[] activations)
    {
        var network = FeedForwardNetwork.FromParameters(members[0].LayerSizes, activations, new float[members[0].Parameters.Length]);
        MeanInto(network.Parameters, members.Select(m => m.Parameters).ToArray());
        return network;
    }

    /// <summary>target[i] = mean over the sources of source[i], summed in double in member order.</summary>
    private static void MeanInto(Span<float> target, float[][] sources)
    {
        for (int i = 0; i < target.Length; i++)
        {
            double sum = 0;
            foreach (float[] source in sources) sum += source[i];
            target[i] = (float)(sum / sources.Length);
        }
    }
}
