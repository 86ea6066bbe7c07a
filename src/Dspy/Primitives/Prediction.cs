using System.Globalization;

namespace Dspy;

/// <summary>
/// DSPy's <c>Prediction</c>: the outputs of a module call, an <see cref="Example"/> without input keys,
/// plus the <see cref="Completions"/> when n &gt; 1 and the LM usage of the call when usage tracking is on.
/// If it has a <c>score</c> field it converts to double and compares by score.
/// </summary>
public class Prediction : Example, IComparable<Prediction>
{
    /// <summary>Creates an empty prediction.</summary>
    public Prediction()
    {
    }

    /// <summary>Creates a prediction from named values.</summary>
    public Prediction(IEnumerable<KeyValuePair<string, object?>> values) : base(values)
    {
    }

    /// <summary>All generations of the call, column-wise; null for a prediction not made from completions.</summary>
    public Completions? Completions { get; private set; }

    /// <summary>LM usage attached by a module call when usage tracking is on: model name to merged usage.</summary>
    public IReadOnlyDictionary<string, LMUsage>? LmUsage { get; set; }

    /// <summary>DSPy's <c>Prediction.from_completions</c>: the first completion's fields become the prediction's own.</summary>
    public static Prediction FromCompletions(IEnumerable<IReadOnlyDictionary<string, object?>> completions, Signature? signature = null)
    {
        var c = new Completions(completions, signature);
        var p = c.Count > 0 ? new Prediction(c[0]) : new Prediction();
        p.Completions = c;
        return p;
    }

    /// <inheritdoc/>
    protected override Example CopyCore()
    {
        var copy = new Prediction(Items(includeDspy: true)) { Completions = Completions, LmUsage = LmUsage };
        return copy;
    }

    /// <summary>The <c>score</c> field as a double (DSPy's <c>float(pred)</c>).</summary>
    /// <exception cref="InvalidOperationException">There is no score field.</exception>
    public double Score => TryGetValue("score", out var s) && s is not null
        ? Convert.ToDouble(s, CultureInfo.InvariantCulture)
        : throw new InvalidOperationException("Prediction object does not have a 'score' field to convert to float.");

    /// <summary>Converts by score.</summary>
    public static explicit operator double(Prediction p) => p.Score;

    /// <inheritdoc/>
    public int CompareTo(Prediction? other) => other is null ? 1 : Score.CompareTo(other.Score);

    /// <summary>Equal when both hold the same values (see <see cref="Example.Equals(Example?)"/>).</summary>
    public static bool operator ==(Prediction? a, Prediction? b) => a is null ? b is null : a.Equals(b);
    /// <summary>Not equal (see <see cref="Example.Equals(Example?)"/>).</summary>
    public static bool operator !=(Prediction? a, Prediction? b) => !(a == b);
    /// <summary>Compares by <see cref="Score"/>: true when <paramref name="a"/> scores lower.</summary>
    public static bool operator <(Prediction a, Prediction b) => a.Score < b.Score;
    /// <summary>Compares by <see cref="Score"/>: true when <paramref name="a"/> scores higher.</summary>
    public static bool operator >(Prediction a, Prediction b) => a.Score > b.Score;
    /// <summary>Compares by <see cref="Score"/>: true when <paramref name="a"/> scores lower or equal.</summary>
    public static bool operator <=(Prediction a, Prediction b) => a.Score <= b.Score;
    /// <summary>Compares by <see cref="Score"/>: true when <paramref name="a"/> scores higher or equal.</summary>
    public static bool operator >=(Prediction a, Prediction b) => a.Score >= b.Score;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => base.Equals(obj);

    /// <inheritdoc/>
    public override int GetHashCode() => base.GetHashCode();

    /// <summary>DSPy's repr: <c>Prediction(\n    answer='x'\n)</c>, with a note when there are several completions.</summary>
    public override string ToString()
    {
        var body = string.Join(",\n    ", Items().Select(kv => $"{kv.Key}={PythonRepr.Repr(kv.Value)}"));
        var extra = Completions is { Count: > 1 } c ? $"\n    ({c.Count - 1} completions omitted)" : "";
        return $"Prediction(\n    {body}{extra}\n)";
    }
}
