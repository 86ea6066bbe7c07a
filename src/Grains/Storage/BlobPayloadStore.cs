using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace Dspy.Grains;

/// <summary>
/// Payloads too large for a table entity (dataset shards, large LM cache entries, grain state that grows with the data)
/// as blobs in one container of the cluster's Azure storage account (or Azurite). Registered on the silo in Azure mode
/// only; the container is created on first use.
/// </summary>
/// <remarks>
/// Grain state refers to its payloads by content-named blobs (<see cref="UploadNamedByContentAsync"/>): a name never
/// changes content, so a state is written only after the blobs it names, and replaced blobs are deleted only after the
/// state stopped naming them. A crash leaves at most an orphaned blob, never a state naming a missing one; a blob
/// removed or altered behind the cluster's back is found by <see cref="DownloadNamedByContentAsync"/>.
/// </remarks>
public sealed partial class BlobPayloadStore
{
    private readonly BlobContainerClient _container;
    private readonly CreateOnce _create;

    /// <summary>Creates the store over <paramref name="container"/>.</summary>
    public BlobPayloadStore(BlobContainerClient container)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        _create = new CreateOnce(ct => _container.CreateIfNotExistsAsync(cancellationToken: ct));
    }

    /// <summary>Creates the store over the container <paramref name="containerName"/> of the account in <paramref name="connectionString"/>.</summary>
    public BlobPayloadStore(string connectionString, string containerName)
        : this(new BlobServiceClient(connectionString).GetBlobContainerClient(containerName))
    {
    }

    /// <summary>The container's name.</summary>
    public string ContainerName => _container.Name;

    /// <summary>Writes <paramref name="content"/> to the blob <paramref name="name"/>, replacing it if it exists.</summary>
    public async Task UploadAsync(string name, BinaryData content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(content);
        await GuardAsync("write", name, async () =>
        {
            await EnsureContainerAsync(cancellationToken);
            await _container.GetBlobClient(name).UploadAsync(content, overwrite: true, cancellationToken);
            return true;
        });
    }

    /// <summary>The content of the blob <paramref name="name"/>, or null when it does not exist.</summary>
    public async Task<BinaryData?> DownloadAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return await GuardAsync("read", name, async () =>
        {
            await EnsureContainerAsync(cancellationToken);
            try
            {
                var result = await _container.GetBlobClient(name).DownloadContentAsync(cancellationToken);
                return result.Value.Content;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return null;
            }
        });
    }

    /// <summary>Deletes the blob <paramref name="name"/> if it exists; true if it did.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return await GuardAsync("delete", name, async () =>
        {
            await EnsureContainerAsync(cancellationToken);
            var deleted = await _container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
            return deleted.Value;
        });
    }

    /// <summary>
    /// Writes <paramref name="content"/> to the blob named after it, <c>{prefix}-{first 24 hex digits of its SHA-256}.json</c>,
    /// and returns that name (the same content always gets the same name, so a repeated upload is harmless).
    /// </summary>
    public async Task<string> UploadNamedByContentAsync(string prefix, BinaryData content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(content);
        var name = ContentName(prefix, content);
        await UploadAsync(name, content, cancellationToken);
        return name;
    }

    /// <summary>The name <see cref="UploadNamedByContentAsync"/> gives <paramref name="content"/> under <paramref name="prefix"/>.</summary>
    public static string ContentName(string prefix, BinaryData content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return $"{prefix}-{ContentHash(content.ToMemory().Span)}.json";
    }

    /// <summary>
    /// The content of a blob written by <see cref="UploadNamedByContentAsync"/>, or null with the reason when the blob does
    /// not exist or its content no longer hashes to its name (it was altered). Storage errors propagate.
    /// </summary>
    public async Task<(BinaryData? Content, string? Problem)> DownloadNamedByContentAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var content = await DownloadAsync(name, cancellationToken);
        if (content is null) return (null, "the blob does not exist");
        var dash = name.LastIndexOf('-');
        var expected = dash < 0 || !name.EndsWith(".json", StringComparison.Ordinal) ? "" : name[(dash + 1)..^".json".Length];
        return expected == ContentHash(content.ToMemory().Span) ? (content, null) : (null, "its content does not match its name (it was altered)");
    }

    /// <summary>
    /// Deletes blobs no state names any more. A failure only leaves an orphaned blob behind (logged with
    /// <paramref name="owner"/>), never an error: the state that mattered is already written.
    /// </summary>
    public async Task DeleteOrphansAsync(IEnumerable<string> names, ILogger logger, string owner)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(logger);
        foreach (var name in names)
        {
            try
            {
                await DeleteAsync(name);
            }
            catch (StorageUnavailableException e)
            {
                LogOrphaned(logger, owner, name, e);
            }
        }
    }

    private static string ContentHash(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content))[..24];

    private Task EnsureContainerAsync(CancellationToken cancellationToken) => _create.EnsureAsync(cancellationToken);

    // The storage's own failures (the service's errors after the client's retries, a lost connection, a timeout) become a
    // StorageUnavailableException, which the grains and a compile run treat as transient; content problems are the callers'.
    private async Task<T> GuardAsync<T>(string operation, string name, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is RequestFailedException or IOException or TimeoutException or HttpRequestException)
        {
            throw new StorageUnavailableException($"Blob storage could not {operation} '{name}' in container '{_container.Name}': {e.Message}", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Owner}: the replaced blob {Blob} could not be deleted and is left orphaned.")]
    private static partial void LogOrphaned(ILogger logger, string owner, string blob, Exception exception);
}
