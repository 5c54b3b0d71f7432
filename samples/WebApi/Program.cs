// WebApi: a minimal ASP.NET Core API serving a saved NeuralML pipeline. POST /predict with a flower's four
// measurements (JSON) answers its species and the probability of each. The model file (ModelPath in the configuration:
// appsettings, the environment variable ModelPath, or --ModelPath on the command line) is loaded once at start-up; when
// there is none yet, the sample first trains one on Data/iris.csv (Fisher's Iris data, UCI) and saves it there.
// Prediction engines are not thread-safe, so requests take one from a pool (Microsoft.Extensions.ObjectPool) and
// give it back.
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using WebApi;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // no line per request
string modelPath = builder.Configuration["ModelPath"] is { Length: > 0 } configured
    ? configured
    : Path.Combine(Path.GetTempPath(), "neuralml-webapi", "model.zip");
builder.Services.AddSingleton(services => IrisModel.LoadOrTrain(modelPath, services.GetRequiredService<ILogger<IrisModel>>()));
builder.Services.AddSingleton<ObjectPool<PredictionEngine<Flower, SpeciesPrediction>>>(services =>
    new DefaultObjectPoolProvider { MaximumRetained = 2 * Environment.ProcessorCount }
        .Create(new PredictionEnginePolicy(services.GetRequiredService<IrisModel>())));

var app = builder.Build();
// Load (or train) now rather than on the first request, so that a missing or damaged model fails at start-up.
app.Services.GetRequiredService<IrisModel>();

app.MapPost("/predict", (Flower flower, IrisModel model, ObjectPool<PredictionEngine<Flower, SpeciesPrediction>> engines) =>
{
    PredictionEngine<Flower, SpeciesPrediction> engine = engines.Get();
    try
    {
        SpeciesPrediction prediction = engine.Predict(flower);
        return new SpeciesResponse(prediction.PredictedSpecies,
            model.Classes.Zip(prediction.Score).ToDictionary(pair => pair.First, pair => pair.Second));
    }
    finally
    {
        engines.Return(engine);
    }
});

app.Run();

/// <summary>The application's entry point, public so that tests can host it (WebApplicationFactory).</summary>
public partial class Program;
