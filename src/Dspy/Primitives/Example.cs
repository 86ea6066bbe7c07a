using System.Collections;

namespace Dspy;

/// <summary>
/// DSPy's <c>Example</c>: an ordered, dictionary-like record of named values, with optional input keys.
/// Values follow the library's value model: <see cref="string"/>, <see cref="bool"/>, <see cref="long"/> (Python int),
/// <see cref="double"/> (Python float), null (None), <see cref="List{T}"/> of values, <see cref="Dictionary{TKey, TValue}"/>
/// with string keys, or typed CLR objects (records, enums, <c>History</c>, <c>Image</c> ...).
/// Keys starting with <c>dspy_</c> are hidden from <see cref="Keys"/> and the count unless asked for.
/// </summary>
public class Example : IReadOnlyDictionary<string, object?>, IEquatable<Example>
{
    private readonly OrderedDictionary<string, object?> _store;

    /// <summary>Creates an empty example.</summary>
    public Example() => _store = new OrderedDictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Creates an example from key/value pairs (a dictionary or another example); later pairs override earlier ones.</summary>
    public Example(IEnumerable<KeyValuePair<string, object?>> values) : this()
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (k, v) in values) _store[k] = v;
        if (values is Example e) InputKeys = e.InputKeys;
    }

    /// <summary>The keys marked as inputs by <see cref="WithInputs"/>, or null if never marked.</summary>
    public IReadOnlySet<string>? InputKeys { get; private set; }

    /// <summary>Gets or sets a value. Getting a missing key throws <see cref="KeyNotFoundException"/>, like Python's KeyError.</summary>
    public object? this[string key]
    {
        get => _store.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"'{key}' is not in this {GetType().Name}.");
        set => _store[key] = value;
    }

    /// <summary>The number of keys, leaving out <c>dspy_</c> keys.</summary>
    public int Count => _store.Keys.Count(k => !IsDspyKey(k));

    /// <summary>True if the key is present (including <c>dspy_</c> keys).</summary>
    public bool ContainsKey(string key) => _store.ContainsKey(key);

    /// <summary>The value for <paramref name="key"/>, or <paramref name="defaultValue"/> if it is missing.</summary>
    public object? Get(string key, object? defaultValue = null) => _store.TryGetValue(key, out var v) ? v : defaultValue;

    /// <summary>The value for <paramref name="key"/> converted to <typeparamref name="T"/> (numbers widen, JSON-shaped values bind to records).</summary>
    public T Get<T>(string key) => ValueConversion.To<T>(this[key]);

    /// <summary>Tries to get a value.</summary>
    public bool TryGetValue(string key, out object? value) => _store.TryGetValue(key, out value);

    /// <summary>Removes a key; returns whether it was present.</summary>
    public bool Remove(string key) => _store.Remove(key);

    /// <summary>The keys in insertion order; <c>dspy_</c> keys only with <paramref name="includeDspy"/>.</summary>
    public IReadOnlyList<string> Keys(bool includeDspy = false) => _store.Keys.Where(k => includeDspy || !IsDspyKey(k)).ToList();

    /// <summary>The values in key order; <c>dspy_</c> values only with <paramref name="includeDspy"/>.</summary>
    public IReadOnlyList<object?> Values(bool includeDspy = false) => Items(includeDspy).Select(kv => kv.Value).ToList();

    /// <summary>The key/value pairs in order; <c>dspy_</c> pairs only with <paramref name="includeDspy"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Items(bool includeDspy = false) =>
        _store.Where(kv => includeDspy || !IsDspyKey(kv.Key)).ToList();

    /// <summary>Returns a copy whose input keys are <paramref name="keys"/>.</summary>
    public Example WithInputs(params string[] keys)
    {
        var copy = CopyCore();
        copy.InputKeys = new HashSet<string>(keys, StringComparer.Ordinal);
        return copy;
    }

    /// <summary>The input part, keeping the input keys.</summary>
    /// <exception cref="InvalidOperationException">Inputs were never set with <see cref="WithInputs"/>.</exception>
    public Example Inputs()
    {
        var keys = InputKeys ?? throw new InvalidOperationException("Inputs have not been set for this example. Use `example.with_inputs()` to set them.");
        var result = new Example(_store.Where(kv => keys.Contains(kv.Key))) { InputKeys = keys };
        return result;
    }

    /// <summary>Every key that is not an input; the result has no input keys.</summary>
    public Example Labels()
    {
        var keys = InputKeys ?? throw new InvalidOperationException("Inputs have not been set for this example. Use `example.with_inputs()` to set them.");
        return new Example(_store.Where(kv => !keys.Contains(kv.Key)));
    }

    /// <summary>A copy with some values overridden. As in DSPy, the copy has no input keys.</summary>
    public Example Copy(IEnumerable<KeyValuePair<string, object?>>? overrides = null)
    {
        var copy = new Example(_store);
        if (overrides is not null)
        {
            foreach (var (k, v) in overrides) copy[k] = v;
        }
        return copy;
    }

    /// <summary>A copy without the given keys. As in DSPy, the copy has no input keys.</summary>
    public Example Without(params string[] keys) => new(_store.Where(kv => !keys.Contains(kv.Key)));

    /// <summary>A plain dictionary of the values (including <c>dspy_</c> keys), in order.</summary>
    public Dictionary<string, object?> ToDictionary() => _store.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>Copies this example keeping its runtime type's extra state; input keys are kept.</summary>
    protected virtual Example CopyCore() => new(_store) { InputKeys = InputKeys };

    private static bool IsDspyKey(string key) => key.StartsWith("dspy_", StringComparison.Ordinal);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Items().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    IEnumerable<string> IReadOnlyDictionary<string, object?>.Keys => Keys();

    IEnumerable<object?> IReadOnlyDictionary<string, object?>.Values => Values();

    /// <summary>Equal when the stores hold the same keys and values (input keys are not compared, as in DSPy).</summary>
    public bool Equals(Example? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (_store.Count != other._store.Count) return false;
        foreach (var (k, v) in _store)
        {
            if (!other._store.TryGetValue(k, out var ov) || !ValueEquality.Equal(v, ov)) return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Example);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = 0;
        foreach (var (k, v) in _store) h ^= HashCode.Combine(k, ValueEquality.Hash(v));
        return h;
    }

    /// <summary>DSPy's repr: <c>Example({'question': 'x', 'answer': 'y'}) (input_keys={'question'})</c>.</summary>
    public override string ToString()
    {
        var dict = PythonRepr.Repr(_store.Where(kv => !IsDspyKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value));
        var inputs = InputKeys is null ? "None" : PythonRepr.ReprSet(InputKeys);
        return $"{GetType().Name}({dict}) (input_keys={inputs})";
    }
}
