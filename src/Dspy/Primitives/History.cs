using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.History</c>: earlier turns of a conversation. Each message is keyed by signature field names (inputs
/// and outputs); adapters expand the history into alternating user and assistant messages.
/// </summary>
[JsonConverter(typeof(HistoryJsonConverter))]
public sealed class History : IPythonRepresentable
{
    /// <summary>Creates a history from messages.</summary>
    public History(IReadOnlyList<IReadOnlyDictionary<string, object?>> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Messages = messages.Select(m => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>(m, StringComparer.Ordinal)).ToList();
    }

    /// <summary>The messages, oldest first.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Messages { get; }

    /// <summary>Parses <c>{"messages": [...]}</c> (extra keys are an error, as DSPy forbids them) or a <see cref="History"/>.</summary>
    public static History Validate(object? value)
    {
        if (value is History h) return h;
        if (value is IDictionary<string, object?> d && d.TryGetValue("messages", out var m) && d.Count == 1 && m is IEnumerable<object?> list)
        {
            var messages = new List<IReadOnlyDictionary<string, object?>>();
            foreach (var item in list)
            {
                messages.Add(item as IReadOnlyDictionary<string, object?>
                    ?? (item is IDictionary<string, object?> id ? new Dictionary<string, object?>(id, StringComparer.Ordinal)
                        : throw new ArgumentException("Each history message must be a dictionary.")));
            }
            return new History(messages);
        }
        throw new ArgumentException($"Received invalid value for `dspy.History`: {PythonRepr.Repr(value)}");
    }

    /// <summary>The value-model form <c>{"messages": [...]}</c>.</summary>
    public Dictionary<string, object?> ToValue() =>
        new(StringComparer.Ordinal) { ["messages"] = Messages.Select(m => ValueModel.FromClr(m.ToDictionary(kv => kv.Key, kv => kv.Value))).ToList() };

    /// <summary>pydantic's repr: <c>History(messages=[...])</c>.</summary>
    public string ToPythonRepr() => "History(messages=" + PythonRepr.Repr(Messages.Select(m => m.ToDictionary(kv => kv.Key, kv => kv.Value)).ToList()) + ")";

    /// <inheritdoc/>
    public override string ToString() => "messages=" + PythonRepr.Repr(Messages.Select(m => m.ToDictionary(kv => kv.Key, kv => kv.Value)).ToList());
}

/// <summary>Reads and writes <see cref="History"/> as <c>{"messages": [...]}</c>.</summary>
public sealed class HistoryJsonConverter : JsonConverter<History>
{
    /// <inheritdoc/>
    public override History Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return History.Validate(ValueModel.FromJson(doc.RootElement));
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, History value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        JsonSerializer.Serialize<object?>(writer, value.ToValue(), options);
    }
}
