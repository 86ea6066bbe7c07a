using System.Collections;

namespace Dspy;

/// <summary>Reads saved state: required keys (DSPy's KeyError) and dictionaries in either generic or non-generic form.</summary>
internal static class StateDictionary
{
    internal static object? Required(IReadOnlyDictionary<string, object?> state, string key) =>
        state.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"'{key}'");

    internal static IReadOnlyDictionary<string, object?>? AsDictionary(object? value) => value switch
    {
        IReadOnlyDictionary<string, object?> d => d,
        IDictionary d => FromDictionary(d),
        _ => null,
    };

    private static Dictionary<string, object?> FromDictionary(IDictionary d)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in d) result[Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture)!] = e.Value;
        return result;
    }
}
