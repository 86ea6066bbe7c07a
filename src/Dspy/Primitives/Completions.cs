namespace Dspy;

/// <summary>
/// DSPy's <c>Completions</c>: the n generations of one call. <c>completions["answer"]</c> is the whole
/// column; <c>completions[0]</c> is the first generation as a <see cref="Prediction"/>.
/// </summary>
public sealed class Completions
{
    private readonly List<IReadOnlyDictionary<string, object?>> _rows;

    /// <summary>Builds completions from rows (one dictionary per generation).</summary>
    public Completions(IEnumerable<IReadOnlyDictionary<string, object?>> rows, Signature? signature = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        _rows = rows.ToList();
        Signature = signature;
    }

    /// <summary>Builds completions from columns; all columns must be the same length.</summary>
    public static Completions FromColumns(IReadOnlyDictionary<string, IReadOnlyList<object?>> columns, Signature? signature = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var lengths = columns.Values.Select(c => c.Count).Distinct().ToList();
        if (lengths.Count > 1) throw new ArgumentException("All lists must have the same length.", nameof(columns));
        var n = lengths.Count == 0 ? 0 : lengths[0];
        var rows = Enumerable.Range(0, n)
            .Select(i => (IReadOnlyDictionary<string, object?>)columns.ToDictionary(kv => kv.Key, kv => kv.Value[i], StringComparer.Ordinal));
        return new Completions(rows, signature);
    }

    /// <summary>The signature the generations were parsed with, if known.</summary>
    public Signature? Signature { get; }

    /// <summary>The number of generations.</summary>
    public int Count => _rows.Count;

    /// <summary>One generation as a prediction.</summary>
    public Prediction this[int index] => new(_rows[index]);

    /// <summary>One field across all generations.</summary>
    public IReadOnlyList<object?> this[string field] =>
        _rows.Select(r => r.TryGetValue(field, out var v) ? v : throw new KeyNotFoundException($"'{field}' is not in the completions.")).ToList();

    /// <summary>The generations as rows.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows => _rows;
}
