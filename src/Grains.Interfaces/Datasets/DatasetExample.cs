using System.Security.Cryptography;
using System.Text;

namespace Dspy.Grains;

/// <summary>
/// An example stored by a dataset grain: its id (a content hash, so registering the same example twice is harmless
/// and every silo names it alike) and its JSON (<c>{"values": {...}, "inputs": [...]}</c>, inputs null when unset).
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.DatasetExample")]
public sealed record DatasetExample([property: Id(0)] string Id, [property: Id(1)] string Json)
{
    /// <summary>Encodes an example; its values go through the library's value model, as prompts and caches see them.</summary>
    public static DatasetExample From(Example example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var body = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["values"] = ValueModel.FromClr(example.ToDictionary()),
            ["inputs"] = example.InputKeys is { } keys ? keys.Order(StringComparer.Ordinal).Cast<object?>().ToList() : null,
        };
        var json = PythonJson.Dumps(body);
        return new DatasetExample(Hash(json), json);
    }

    /// <summary>Decodes the example.</summary>
    /// <exception cref="InvalidDataException">The JSON is not an encoded example.</exception>
    public Example ToExample()
    {
        if (ValueModel.ParseJson(Json) is not Dictionary<string, object?> body || body.GetValueOrDefault("values") is not Dictionary<string, object?> values)
        {
            throw new InvalidDataException($"Dataset example {Id} is not an encoded example.");
        }
        var example = new Example(values);
        return body.GetValueOrDefault("inputs") is List<object?> inputs ? example.WithInputs(inputs.Select(i => (string)i!).ToArray()) : example;
    }

    /// <summary>The id of an encoded example: the first 32 hex digits of its SHA-256.</summary>
    public static string Hash(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..32];
}
