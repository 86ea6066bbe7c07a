using System.Collections;

namespace Dspy;

/// <summary>
/// DSPy's <c>Signature.dump_state()</c>/<c>load_state()</c>, written against the public <see cref="Signature"/> API so the
/// modules do not depend on the signature branch's own implementation (which can replace this once merged).
/// </summary>
internal static class SignatureState
{
    /// <summary><c>{"instructions": str, "fields": [{"prefix", "description"}, ...]}</c>, fields in <c>fields</c> order.</summary>
    public static Dictionary<string, object?> Dump(Signature signature)
    {
        var fields = signature.Fields
            .Select(f => (object?)new Dictionary<string, object?>(StringComparer.Ordinal) { ["prefix"] = f.Prefix, ["description"] = f.Description })
            .ToList();
        return new Dictionary<string, object?>(StringComparer.Ordinal) { ["instructions"] = signature.Instructions, ["fields"] = fields };
    }

    /// <summary>
    /// A new signature with the saved instructions and, position by position, the saved prefixes and descriptions
    /// (DSPy zips the fields with the saved list without requiring equal lengths).
    /// </summary>
    /// <exception cref="KeyNotFoundException"><c>instructions</c>, <c>fields</c>, <c>prefix</c> or <c>description</c> is missing.</exception>
    public static Signature Load(Signature signature, IReadOnlyDictionary<string, object?> state)
    {
        var instructions = Required(state, "instructions") as string
            ?? throw new InvalidDataException("Signature state: 'instructions' must be a string.");
        var saved = Required(state, "fields") as IList ?? throw new InvalidDataException("Signature state: 'fields' must be a list.");

        var result = signature.WithInstructions(instructions);
        var count = Math.Min(saved.Count, signature.Fields.Count);
        for (var i = 0; i < count; i++)
        {
            var entry = AsDictionary(saved[i]) ?? throw new InvalidDataException("Signature state: each field must be an object.");
            var prefix = Required(entry, "prefix") as string;
            var description = Required(entry, "description") as string;
            var name = signature.Fields[i].Name;
            result = result.WithUpdatedField(name, f => f with { Prefix = prefix ?? f.Prefix, Description = description ?? f.Description });
        }
        return result;
    }

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
