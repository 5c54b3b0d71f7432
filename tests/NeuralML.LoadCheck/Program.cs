// Loads a saved pipeline in a brand-new process and prints its scores for a data file, one row per line, as the
// persistence tests' second process. Usage: NeuralML.LoadCheck <model.zip> <data.csv> <first feature> <last feature> <score column>
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

var ml = new MLContext();
ml.ComponentCatalog.RegisterNeuralML();
ITransformer model = ml.Model.Load(args[0], out _);
IDataView data = ml.Data.LoadFromTextFile(args[1],
    [new TextLoader.Column("Features", DataKind.Single, int.Parse(args[2]), int.Parse(args[3]))], separatorChar: ',', hasHeader: true);
IDataView scored = model.Transform(data);
DataViewSchema.Column score = scored.Schema[args[4]];
using DataViewRowCursor cursor = scored.GetRowCursor([score]);
if (score.Type is VectorDataViewType)
{
    ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(score);
    VBuffer<float> value = default;
    while (cursor.MoveNext())
    {
        getter(ref value);
        Console.WriteLine(string.Join(" ", value.DenseValues().Select(v => BitConverter.SingleToInt32Bits(v).ToString(CultureInfo.InvariantCulture))));
    }
}
else
{
    ValueGetter<float> getter = cursor.GetGetter<float>(score);
    float value = 0;
    while (cursor.MoveNext())
    {
        getter(ref value);
        Console.WriteLine(BitConverter.SingleToInt32Bits(value).ToString(CultureInfo.InvariantCulture));
    }
}
