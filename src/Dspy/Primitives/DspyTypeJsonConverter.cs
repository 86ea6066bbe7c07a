using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dspy;

/// <summary>
/// System.Text.Json converter for DSPy custom types: writes the type's DSPy serialisation (so records holding an
/// <see cref="Image"/> render as DSPy renders them) and reads any shape the type's parser accepts.
/// </summary>
public sealed class DspyTypeJsonConverter<T> : JsonConverter<T> where T : class, IDspyType
{
    /// <inheritdoc/>
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        var value = ValueModel.FromJson(doc.RootElement);
        return (T?)DspyTypes.Validate(typeof(T), value);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        JsonSerializer.Serialize<object?>(writer, value.Serialize(), options);
    }
}
