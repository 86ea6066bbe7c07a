using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dspy.Grains;

/// <summary>
/// The parts of one grain's state that grow with the data (a run's configuration and optimized program, a candidate's
/// program, a GEPA checkpoint, the segments of a <see cref="SpilledMap{TValue}"/>): a part whose JSON is larger than
/// <see cref="DspyGrainsOptions.StateInlineLimitBytes"/> goes to a content-named blob of the <see cref="BlobPayloadStore"/>
/// and the state keeps the blob's name. Without a blob store (memory mode) every part stays in the state.
/// </summary>
internal sealed partial class StateBlobs(BlobPayloadStore? blobs, int inlineLimitBytes, ILogger logger, string owner)
{
    /// <summary>The grain whose state this is, for messages (e.g. <c>Compile run 'run-1'</c>).</summary>
    public string Owner => owner;

    /// <summary>True when parts can move to blobs (Azure mode).</summary>
    public bool Enabled => blobs is not null;

    /// <summary>The largest part kept in the state, in bytes of JSON.</summary>
    public int InlineLimitBytes => inlineLimitBytes;

    /// <summary>The grain's blobs, from the silo's services (the blob store is registered in Azure mode only).</summary>
    public static StateBlobs For(IServiceProvider services, string owner)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new StateBlobs(services.GetService<BlobPayloadStore>(), services.GetRequiredService<DspyGrainsOptions>().StateInlineLimitBytes,
            services.GetRequiredService<ILoggerFactory>().CreateLogger<StateBlobs>(), owner);
    }

    /// <summary>A value as the storage serializer writes it.</summary>
    public static byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, JsonGrainStorageSerializer.Options);

    /// <summary>
    /// Writes <paramref name="value"/> to a blob when its JSON is larger than the inline limit and returns the blob's name;
    /// null when it stays in the state (small, or memory mode).
    /// </summary>
    public async Task<string?> OffloadAsync<T>(string prefix, T value, CancellationToken cancellationToken = default)
    {
        if (blobs is null) return null;
        var json = Json(value);
        return json.Length <= inlineLimitBytes ? null : await blobs.UploadNamedByContentAsync(prefix, BinaryData.FromBytes(json), cancellationToken);
    }

    /// <summary>The blob <see cref="OffloadAsync{T}"/> would write <paramref name="value"/> to, or null when it would stay in the state.</summary>
    public string? BlobFor<T>(string prefix, T value)
    {
        if (blobs is null) return null;
        var json = Json(value);
        return json.Length <= inlineLimitBytes ? null : BlobPayloadStore.ContentName(prefix, BinaryData.FromBytes(json));
    }

    /// <summary>Writes <paramref name="value"/> to its content-named blob whatever its size, and returns the name.</summary>
    public Task<string> UploadAsync<T>(string prefix, T value, CancellationToken cancellationToken = default) =>
        Require(prefix).UploadNamedByContentAsync(prefix, BinaryData.FromBytes(Json(value)), cancellationToken);

    /// <summary>The name <see cref="UploadAsync{T}"/> gives <paramref name="value"/>.</summary>
    public static string NameOf<T>(string prefix, T value) => BlobPayloadStore.ContentName(prefix, BinaryData.FromBytes(Json(value)));

    /// <summary>
    /// The value in <paramref name="blob"/>, or null (logged, with the reason) when the blob is missing, altered, or not a
    /// <typeparamref name="T"/>. Storage errors propagate (they are not a lost blob).
    /// </summary>
    /// <exception cref="InvalidOperationException">This silo has no blob storage.</exception>
    public async Task<T?> LoadAsync<T>(string blob, CancellationToken cancellationToken = default) where T : class
    {
        var (content, problem) = await Require(blob).DownloadNamedByContentAsync(blob, cancellationToken);
        if (content is not null)
        {
            try
            {
                if (JsonSerializer.Deserialize<T>(content.ToMemory().Span, JsonGrainStorageSerializer.Options) is { } value) return value;
                problem = "it holds null";
            }
            catch (JsonException e)
            {
                problem = e.Message;
            }
        }
        LogUnreadable(logger, owner, blob, problem!);
        return null;
    }

    /// <summary>Deletes blobs the state no longer names; a failure leaves an orphan (logged), never an error.</summary>
    public Task DeleteAsync(IEnumerable<string> names) => blobs is null ? Task.CompletedTask : blobs.DeleteOrphansAsync(names, logger, owner);

    private BlobPayloadStore Require(string blob) => blobs ?? throw new InvalidOperationException(
        $"{owner}: its state names blob '{blob}', but this silo has no blob storage; run it in Azure mode (Dspy:Grains:Store = AzureTable).");

    [LoggerMessage(Level = LogLevel.Error, Message = "{Owner}: blob {Blob} named by its state cannot be read ({Reason}).")]
    private static partial void LogUnreadable(ILogger logger, string owner, string blob, string reason);
}
