using System.Globalization;
using System.Reflection;

namespace NeuralML.Quality;

/// <summary>Sets a trainer's options from <c>Name=Value</c> pairs given on the command line.</summary>
internal static class OptionSetter
{
    public static T Apply<T>(T options, IReadOnlyDictionary<string, string> values) where T : class
    {
        foreach ((string name, string text) in values)
        {
            PropertyInfo property = typeof(T).GetProperty(name, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new ArgumentException($"{typeof(T).Name} has no option '{name}'.");
            property.SetValue(options, Parse(property.PropertyType, text, name));
        }
        return options;
    }

    private static object? Parse(Type type, string text, string name)
    {
        if (text is "" or "null")
        {
            if (!type.IsValueType || Nullable.GetUnderlyingType(type) is not null) return null;
            throw new ArgumentException($"Option '{name}' cannot be null.");
        }
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int[])) return text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
        if (type.IsEnum) return Enum.Parse(type, text, ignoreCase: true);
        if (type == typeof(bool)) return bool.Parse(text);
        try
        {
            return Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException)
        {
            throw new ArgumentException($"Option '{name}': '{text}' is not a {type.Name}.", e);
        }
    }

    /// <summary>Parses repeated <c>Name=Value</c> arguments.</summary>
    public static Dictionary<string, string> Pairs(IEnumerable<string> arguments)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string argument in arguments)
        {
            int equals = argument.IndexOf('=');
            if (equals <= 0) throw new ArgumentException($"'{argument}' is not Name=Value.");
            pairs[argument[..equals]] = argument[(equals + 1)..];
        }
        return pairs;
    }
}
