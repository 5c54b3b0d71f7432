using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace WebApi;

/// <summary>A flower: the request body of POST /predict (the species is only read when training).</summary>
public sealed class Flower
{
    /// <summary>Sepal length, cm.</summary>
    [LoadColumn(0)]
    public float SepalLength { get; set; }

    /// <summary>Sepal width, cm.</summary>
    [LoadColumn(1)]
    public float SepalWidth { get; set; }

    /// <summary>Petal length, cm.</summary>
    [LoadColumn(2)]
    public float PetalLength { get; set; }

    /// <summary>Petal width, cm.</summary>
    [LoadColumn(3)]
    public float PetalWidth { get; set; }

    /// <summary>The species; not needed for a prediction.</summary>
    [LoadColumn(4)]
    public string? Species { get; set; }
}

/// <summary>What the pipeline writes for one flower.</summary>
public sealed class SpeciesPrediction
{
    /// <summary>The predicted species (MapKeyToValue of PredictedLabel).</summary>
    public string PredictedSpecies { get; set; } = "";

    /// <summary>The probability of each class, in the order of <see cref="IrisModel.Classes"/>.</summary>
    public float[] Score { get; set; } = [];
}

/// <summary>The answer of POST /predict.</summary>
/// <param name="Species">The predicted species.</param>
/// <param name="Probabilities">Each species' probability.</param>
public sealed record SpeciesResponse(string Species, Dictionary<string, float> Probabilities);

/// <summary>Makes the pool's prediction engines, all from the one loaded model.</summary>
internal sealed class PredictionEnginePolicy(IrisModel model) : PooledObjectPolicy<PredictionEngine<Flower, SpeciesPrediction>>
{
    public override PredictionEngine<Flower, SpeciesPrediction> Create() =>
        model.MLContext.Model.CreatePredictionEngine<Flower, SpeciesPrediction>(model.Transformer);

    public override bool Return(PredictionEngine<Flower, SpeciesPrediction> obj) => true;
}
