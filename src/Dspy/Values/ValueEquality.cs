using System.Collections;

namespace Dspy;

/// <summary>Structural equality over the value model, as Python's <c>==</c> compares dicts and lists (1 == 1.0 == True aside).</summary>
public static class ValueEquality
{
    /// <summary>True if two values are equal element by element.</summary>
    public static bool Equal(object? a, object? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null) return false;
        if (a is string || b is string) return a is string sa && b is string sb && sa == sb;
        if (IsNumber(a) && IsNumber(b)) return Convert.ToDouble(a, System.Globalization.CultureInfo.InvariantCulture) == Convert.ToDouble(b, System.Globalization.CultureInfo.InvariantCulture);
        if (a is IDictionary da && b is IDictionary db)
        {
            if (da.Count != db.Count) return false;
            foreach (DictionaryEntry kv in da)
            {
                if (!db.Contains(kv.Key) || !Equal(kv.Value, db[kv.Key])) return false;
            }
            return true;
        }
        if (a is IEnumerable ea && b is IEnumerable eb)
        {
            var la = ea.Cast<object?>().ToList();
            var lb = eb.Cast<object?>().ToList();
            return la.Count == lb.Count && la.Zip(lb).All(p => Equal(p.First, p.Second));
        }
        return a.Equals(b);
    }

    /// <summary>A hash consistent with <see cref="Equal"/>.</summary>
    public static int Hash(object? value) => value switch
    {
        null => 0,
        string s => s.GetHashCode(StringComparison.Ordinal),
        _ when IsNumber(value) => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture).GetHashCode(),
        IDictionary d => HashDictionary(d),
        IEnumerable e => e.Cast<object?>().Aggregate(17, (h, x) => HashCode.Combine(h, Hash(x))),
        _ => value.GetHashCode(),
    };

    // IDictionary's enumerator yields boxed DictionaryEntry only through the non-generic interface, so walk it that way.
    private static int HashDictionary(IDictionary d)
    {
        var h = 17;
        foreach (DictionaryEntry kv in d) h ^= HashCode.Combine(Hash(kv.Key), Hash(kv.Value));
        return h;
    }

    private static bool IsNumber(object o) => o is long or int or double or float or decimal or short or byte;
}
