using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Dspy.Grains;

/// <summary>
/// Payloads too large for a table entity (dataset shards, large LM cache entries) as blobs in one container of the
/// cluster's Azure storage account (or Azurite). Registered on the silo in Azure mode only; the container is created on
/// first use.
/// </summary>
public sealed class BlobPayloadStore
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
        await EnsureContainerAsync(cancellationToken);
        await _container.GetBlobClient(name).UploadAsync(content, overwrite: true, cancellationToken);
    }

    /// <summary>The content of the blob <paramref name="name"/>, or null when it does not exist.</summary>
    public async Task<BinaryData?> DownloadAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
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
    }

    /// <summary>Deletes the blob <paramref name="name"/> if it exists; true if it did.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await EnsureContainerAsync(cancellationToken);
        var deleted = await _container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
        return deleted.Value;
    }

    private Task EnsureContainerAsync(CancellationToken cancellationToken) => _create.EnsureAsync(cancellationToken);
}
