using Microsoft.ML;
using Microsoft.ML.Data;
using NeuralML.Bridge;
using NeuralML.Tests.Support;

namespace NeuralML.Tests.Bridge;

/// <summary>
/// The ML.NET internals NeuralML reads by reflection are all where <see cref="MLNetInternals"/> looks for them. When
/// an ML.NET update moves one, the first test fails and names it.
/// </summary>
public class MLNetInternalsTests
{
    [Fact]
    public void Every_internal_member_NeuralML_reads_is_found()
    {
        Assert.True(MLNetInternals.Missing.Count == 0,
            $"ML.NET {typeof(MLContext).Assembly.GetName().Version} no longer has: {string.Join("; ", MLNetInternals.Missing)}.");
    }

    [Fact]
    public void Every_trainers_catalog_exposes_its_environment()
    {
        // Without it, trainers would lose the context's seed, log and cancellation.
        var ml = new MLContext();
        foreach (object catalog in new object[] { ml.BinaryClassification.Trainers, ml.MulticlassClassification.Trainers, ml.Regression.Trainers })
            Assert.Same(ml.ComponentCatalog, MLNetInternals.EnvironmentOf(catalog)?.ComponentCatalog);
        Assert.Null(MLNetInternals.EnvironmentOf(new object()));
    }

    [Fact]
    public void The_columns_of_transformers_are_read()
    {
        var ml = new MLContext();
        IDataView data = RealData.Iris(ml);
        var concat = ml.Transforms.Concatenate("Both", "Features", "Features").Fit(data);
        Assert.Equal([("Both", new[] { "Features", "Features" })], MLNetInternals.ConcatenatedColumns(concat).Select(c => (c.Output, c.Inputs)));
        var normalizer = ml.Transforms.NormalizeMinMax("Scaled", "Features").Fit(data);
        Assert.Equal([("Scaled", "Features")], MLNetInternals.ColumnPairs(normalizer));
        Assert.Throws<NotSupportedException>(() => MLNetInternals.ColumnPairs(concat));
    }

    [Fact]
    public void Schema_shape_columns_are_created()
    {
        SchemaShape.Column column = MLNetInternals.SchemaShapeColumn("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, new SchemaShape([]));
        Assert.Equal("Score", column.Name);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, column.Kind);
        Assert.Equal(NumberDataViewType.Single, column.ItemType);
        Assert.False(column.IsKey);
    }
}
