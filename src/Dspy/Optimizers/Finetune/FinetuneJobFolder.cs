using System.Text;

namespace Dspy;

/// <summary>
/// The in-process <see cref="IFinetuneJobStore"/>: one JSON file per request key (<c>&lt;key&gt;.json</c>) in a folder,
/// written to a temporary file, flushed to disk and renamed over the old one, so a crash leaves the previous record or the
/// new one, never half of one (and at most a hidden temporary file, which a later write of the same key removes). The
/// folder is created on the first write.
/// </summary>
public sealed class FinetuneJobFolder : IFinetuneJobStore
{
    /// <summary>The folder's name inside a run folder or an LM's disk cache.</summary>
    public const string FolderName = "finetune-jobs";

    /// <summary>Uses (and creates when first written) <paramref name="directory"/>.</summary>
    public FinetuneJobFolder(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>
    /// The store an LM's jobs default to: <c>finetune-jobs/</c> in the folder of its disk cache (its own cache, else the
    /// process-wide <see cref="Cache.Current"/>), so a fine-tuning job is remembered where the LM's responses are; null
    /// when the LM does not cache on disk (<c>cache=False</c>, or a memory-only cache), which then starts a job every time.
    /// </summary>
    public static FinetuneJobFolder? ForLm(BaseLM lm)
    {
        ArgumentNullException.ThrowIfNull(lm);
        return lm is LM { Cache: true } l && (l.CacheStore ?? Cache.Current).Disk is { } disk
            ? new FinetuneJobFolder(Path.Combine(disk.Directory, FolderName))
            : null;
    }

    /// <summary>The file of request <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key is not a request key (64 lowercase hex digits).</exception>
    public string PathOf(string key) => FinetuneRequestKey.IsKey(key)
        ? Path.Combine(Directory, key + ".json")
        : throw new ArgumentException($"'{key}' is not a fine-tuning request key (64 lowercase hex digits).", nameof(key));

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The record's file is not a readable record (delete it to start a new job).</exception>
    public async ValueTask<FinetuneJobRecord?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return null;
        var text = await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken);
        try
        {
            var record = FinetuneJobRecord.Parse(text);
            return record.Key == key ? record : throw new InvalidDataException($"it holds the record of request {record.Key}");
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"The fine-tuning job record '{path}' cannot be read ({ex.Message}); delete it to start a new job for this request.", ex);
        }
    }

    /// <inheritdoc/>
    public async ValueTask PutAsync(FinetuneJobRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var path = PathOf(record.Key);
        System.IO.Directory.CreateDirectory(Directory);
        var temp = Path.Combine(Directory, $".{record.Key}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(record.ToJson(indent: 2) + "\n"), cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        RemoveStaleTemporaries(record.Key);
    }

    // A process killed between creating its temporary file and renaming it leaves the file behind. A write takes
    // milliseconds, so one older than a minute belongs to no write in progress (another process's, for the same key).
    private void RemoveStaleTemporaries(string key)
    {
        var cutoff = DateTime.UtcNow - TimeSpan.FromMinutes(1);
        foreach (var stale in System.IO.Directory.EnumerateFiles(Directory, $".{key}.*.tmp"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(stale) < cutoff) File.Delete(stale);
            }
            catch (IOException)
            {
                // Gone already, or in use: the next write tries again.
            }
        }
    }
}
