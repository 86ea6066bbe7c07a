using System.Text.Json;
using Orleans.Storage;

namespace Dspy.Grains;

/// <summary>
/// The storage serializer for grain state: System.Text.Json over the state records, with no CLR type names in the stored
/// data (Orleans' default embeds them, so renaming a namespace would orphan every row).
/// </summary>
public sealed class JsonGrainStorageSerializer : IGrainStorageSerializer
{
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.General)
    {
        WriteIndented = false,
    };

    /// <summary>The options state is written with (parts of a state moved to blobs are written alike, so their sizes compare).</summary>
    internal static JsonSerializerOptions Options => s_options;

    /// <inheritdoc/>
    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, s_options));

    /// <inheritdoc/>
    public T Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return JsonSerializer.Deserialize<T>(input.ToMemory().Span, s_options)
            ?? throw new InvalidDataException($"Stored grain state of type {typeof(T).Name} is null.");
    }
}
