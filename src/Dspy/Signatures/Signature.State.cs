namespace Dspy;

public sealed partial class Signature
{
    /// <summary>
    /// DSPy's <c>dump_state()</c>: <c>{"instructions": str, "fields": [{"prefix": "X:", "description": "..."}, ...]}</c>
    /// with the fields in <see cref="Fields"/> order, as value-model dictionaries.
    /// </summary>
    public Dictionary<string, object?> DumpState() => new(StringComparer.Ordinal)
    {
        ["instructions"] = Instructions,
        ["fields"] = Fields.Select(f => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["prefix"] = f.Prefix,
            ["description"] = f.Description,
        }).ToList(),
    };

    /// <summary>
    /// DSPy's <c>load_state(state)</c>: a NEW signature with the saved instructions and, field by field in order,
    /// the saved prefix and description. Extra saved fields or missing ones are ignored, as DSPy's <c>zip</c> does.
    /// </summary>
    /// <exception cref="ArgumentException">The state lacks <c>instructions</c> or a field entry lacks <c>prefix</c>/<c>description</c>.</exception>
    public Signature LoadState(IReadOnlyDictionary<string, object?> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        // A missing key is DSPy's KeyError (so a transactional module load reports it as such); a wrong type is bad input.
        if (!state.TryGetValue("instructions", out var instructions)) throw new KeyNotFoundException("'instructions'");
        if (instructions is not string text) throw new ArgumentException("Signature state must have string 'instructions'.", nameof(state));
        if (!state.TryGetValue("fields", out var f)) throw new KeyNotFoundException("'fields'");
        var saved = f is System.Collections.IEnumerable list and not string
            ? list.Cast<object?>().ToList()
            : throw new ArgumentException("Signature state must have a 'fields' list.", nameof(state));

        var fields = Fields.ToList();
        for (var i = 0; i < Math.Min(fields.Count, saved.Count); i++)
        {
            var entry = ToDictionary(saved[i]);
            if (!entry.TryGetValue("prefix", out var prefix)) throw new KeyNotFoundException("'prefix'");
            if (!entry.TryGetValue("description", out var description)) throw new KeyNotFoundException("'description'");
            fields[i] = fields[i] with { Prefix = PythonRepr.Str(prefix), Description = PythonRepr.Str(description) };
        }
        return new Signature(fields, text);
    }

    private static IReadOnlyDictionary<string, object?> ToDictionary(object? value) => value switch
    {
        IReadOnlyDictionary<string, object?> d => d,
        IDictionary<string, object?> d => d.AsReadOnly(),
        _ => ValueModel.FromClr(value) as Dictionary<string, object?>
            ?? throw new ArgumentException($"Saved field must be a dictionary, not {PythonRepr.Repr(value)}."),
    };
}
