using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.ML;
using Microsoft.ML.Data;
using WebApi;

namespace NeuralML.WebApi.Tests;

/// <summary>
/// The WebApi sample hosted in memory: with no model file it trains and saves one at start-up, and concurrent
/// POST /predict requests, served from the pool of prediction engines, answer what batch scoring of that saved file
/// gives, bit for bit.
/// </summary>
public sealed class PredictEndpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("neuralml-webapi-tests").FullName;

    private string ModelPath => Path.Combine(_directory, "model.zip");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ConcurrentRequestsAnswerWhatBatchScoringOfTheSavedModelGives()
    {
        using WebApplicationFactory<Program> factory = Host(ModelPath);
        using HttpClient client = factory.CreateClient();
        Assert.True(File.Exists(ModelPath), "the sample should have trained and saved a model at start-up");

        List<Flower> flowers = ReadFlowers();
        (string Species, Dictionary<string, float> Probabilities)[] expected = ScoreInBatch(ModelPath, flowers);

        // Every flower three times, all requests in flight at once, in an order that mixes the species.
        int[] order = Enumerable.Range(0, 3 * flowers.Count).Select(i => i * 7 % (3 * flowers.Count) % flowers.Count).ToArray();
        SpeciesResponse?[] answers = await Task.WhenAll(order.Select(async i =>
        {
            using HttpResponseMessage response = await client.PostAsJsonAsync("/predict", flowers[i]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<SpeciesResponse>();
        }));

        for (int k = 0; k < order.Length; k++)
        {
            SpeciesResponse answer = answers[k] ?? throw new InvalidOperationException("empty answer");
            (string species, Dictionary<string, float> probabilities) = expected[order[k]];
            Assert.Equal(species, answer.Species);
            Assert.Equal(probabilities.OrderBy(p => p.Key), answer.Probabilities.OrderBy(p => p.Key));
        }
        // The model is good, not merely consistent: on the rows it trained on, nearly every species is right.
        Assert.True(flowers.Zip(expected).Count(pair => pair.First.Species == pair.Second.Species) >= 140);
    }

    [Fact]
    public async Task AnExistingModelFileIsLoadedNotRetrained()
    {
        IrisModel.Train(Path.Combine(AppContext.BaseDirectory, "Data", "iris.csv"), ModelPath);
        DateTime written = File.GetLastWriteTimeUtc(ModelPath);
        List<Flower> flowers = ReadFlowers();
        var expected = ScoreInBatch(ModelPath, flowers);

        using WebApplicationFactory<Program> factory = Host(ModelPath);
        using HttpClient client = factory.CreateClient();
        using HttpResponseMessage response = await client.PostAsJsonAsync("/predict", flowers[120]);
        SpeciesResponse? answer = await response.Content.ReadFromJsonAsync<SpeciesResponse>();

        Assert.Equal(written, File.GetLastWriteTimeUtc(ModelPath));
        Assert.NotNull(answer);
        Assert.Equal(expected[120].Species, answer.Species);
        Assert.Equal(expected[120].Probabilities.OrderBy(p => p.Key), answer.Probabilities.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task ARequestWithoutAFlowerIsABadRequest()
    {
        using WebApplicationFactory<Program> factory = Host(ModelPath);
        using HttpClient client = factory.CreateClient();
        using var empty = new StringContent("", System.Text.Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await client.PostAsync("/predict", empty);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static WebApplicationFactory<Program> Host(string modelPath) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder.UseSetting("ModelPath", modelPath));

    private static List<Flower> ReadFlowers()
    {
        var mlContext = new MLContext();
        IDataView data = mlContext.Data.LoadFromTextFile<Flower>(Path.Combine(AppContext.BaseDirectory, "Data", "iris.csv"), separatorChar: ',', hasHeader: true);
        return mlContext.Data.CreateEnumerable<Flower>(data, reuseRowObject: false).ToList();
    }

    /// <summary>Each flower's species and class probabilities from one Transform over all of them.</summary>
    private static (string Species, Dictionary<string, float> Probabilities)[] ScoreInBatch(string modelPath, List<Flower> flowers)
    {
        var mlContext = new MLContext();
        mlContext.ComponentCatalog.RegisterNeuralML();
        ITransformer model = mlContext.Model.Load(modelPath, out _);
        IDataView scored = model.Transform(mlContext.Data.LoadFromEnumerable(flowers));
        VBuffer<ReadOnlyMemory<char>> names = default;
        scored.Schema["Score"].GetSlotNames(ref names);
        string[] classes = names.DenseValues().Select(name => name.ToString()).ToArray();
        string[] species = scored.GetColumn<string>("PredictedSpecies").ToArray();
        float[][] scores = scored.GetColumn<float[]>("Score").ToArray();
        return species.Select((s, i) => (s, classes.Zip(scores[i]).ToDictionary(pair => pair.First, pair => pair.Second))).ToArray();
    }
}
