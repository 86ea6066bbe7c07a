using System.Security.Cryptography;
using System.Text;

namespace Dspy;

/// <summary>
/// The key of a fine-tuning request in an <see cref="IFinetuneJobStore"/> and the tag of its job on the provider: the
/// SHA-256 (64 hex digits) of the canonical JSON of the provider, the base model, the endpoint (where the job runs; never
/// the credential, so a rotated key keeps its jobs), the data format, the train kwargs and the SHA-256 of the training file
/// exactly as uploaded. Any change to the data or the kwargs is another request, hence another job.
/// </summary>
public static class FinetuneRequestKey
{
    /// <summary>Computes the key.</summary>
    /// <param name="provider">The provider (e.g. <c>openai</c>).</param>
    /// <param name="baseModel">The model as the provider names it.</param>
    /// <param name="endpoint">Where the job runs (e.g. the API base URL).</param>
    /// <param name="format">The data format.</param>
    /// <param name="trainKwargs">The training hyperparameters (null: none).</param>
    /// <param name="trainingFile">The training file's text as uploaded (e.g. the JSONL records).</param>
    public static string Compute(string provider, string baseModel, string endpoint, TrainDataFormat format,
        IReadOnlyDictionary<string, object?>? trainKwargs, string trainingFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(provider);
        ArgumentException.ThrowIfNullOrEmpty(baseModel);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(trainingFile);
        return CanonicalJson.Sha256Hex(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["provider"] = provider,
            ["base_model"] = baseModel,
            ["endpoint"] = endpoint,
            ["format"] = format.ToString().ToLowerInvariant(),
            ["train_kwargs"] = trainKwargs ?? new Dictionary<string, object?>(StringComparer.Ordinal),
            ["data_sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(trainingFile))),
        });
    }

    /// <summary>Whether <paramref name="key"/> has the shape of a key (64 lowercase hex digits).</summary>
    public static bool IsKey(string? key) => key is { Length: 64 } && key.All(char.IsAsciiHexDigitLower);
}
