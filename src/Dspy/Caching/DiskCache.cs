using System.Text;

namespace Dspy;

/// <summary>
/// The on-disk level of the LM cache: one JSON file per key under two levels of sharded folders
/// (<c>ab/cd/abcd....json</c>), written atomically (temporary file in the same folder, then rename), so a crash or a
/// concurrent writer never leaves a half-written entry. When the total size exceeds the limit, the oldest stored entries
/// are deleted first (DSPy's diskcache default, "least recently stored") until 90% of the limit is used.
/// </summary>
public sealed class DiskCache : ILMCacheStore
{
    private readonly Lock _sizeLock = new();
    private long _totalBytes = -1;

    /// <summary>Creates (lazily) a disk cache in <paramref name="directory"/> limited to <paramref name="sizeLimitBytes"/>.</summary>
    public DiskCache(string directory, long sizeLimitBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeLimitBytes);
        Directory = Path.GetFullPath(directory);
        SizeLimitBytes = sizeLimitBytes;
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The cache folder.</summary>
    public string Directory { get; }

    /// <summary>The size limit in bytes.</summary>
    public long SizeLimitBytes { get; }

    /// <summary>The bytes currently stored (scanned once, then tracked).</summary>
    public long TotalBytes
    {
        get
        {
            lock (_sizeLock) return EnsureScanned();
        }
    }

    /// <summary>The file path of <paramref name="key"/>.</summary>
    public string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var a = key.Length >= 2 ? key[..2] : "__";
        var b = key.Length >= 4 ? key[2..4] : "__";
        return Path.Combine(Directory, a, b, key + ".json");
    }

    /// <summary>Reads the text stored under <paramref name="key"/>, or null.</summary>
    public string? Get(string key)
    {
        var path = PathOf(key);
        try
        {
            return File.Exists(path) ? File.ReadAllText(path, Encoding.UTF8) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Stores <paramref name="text"/> under <paramref name="key"/> atomically, then evicts the oldest entries over the limit.</summary>
    public void Put(string key, string text)
    {
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        System.IO.Directory.CreateDirectory(folder);
        var bytes = Encoding.UTF8.GetBytes(text);
        var tmp = Path.Combine(folder, $".{key}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(tmp, bytes);
        long replaced = 0;
        lock (_sizeLock)
        {
            EnsureScanned();
            try
            {
                if (File.Exists(path)) replaced = new FileInfo(path).Length;
                File.Move(tmp, path, overwrite: true);
            }
            catch
            {
                TryDelete(tmp);
                throw;
            }
            _totalBytes += bytes.Length - replaced;
            if (_totalBytes > SizeLimitBytes) Evict();
        }
    }

    /// <inheritdoc/>
    ValueTask<string?> ILMCacheStore.GetAsync(string key, CancellationToken cancellationToken) => ValueTask.FromResult(Get(key));

    /// <inheritdoc/>
    ValueTask ILMCacheStore.PutAsync(string key, string entry, CancellationToken cancellationToken)
    {
        Put(key, entry);
        return ValueTask.CompletedTask;
    }

    /// <summary>Deletes every entry.</summary>
    public void Clear()
    {
        lock (_sizeLock)
        {
            foreach (var f in System.IO.Directory.EnumerateFiles(Directory, "*.json", SearchOption.AllDirectories)) TryDelete(f);
            _totalBytes = 0;
        }
    }

    private long EnsureScanned()
    {
        if (_totalBytes < 0)
        {
            _totalBytes = System.IO.Directory.EnumerateFiles(Directory, "*.json", SearchOption.AllDirectories)
                .Sum(f => new FileInfo(f).Length);
        }
        return _totalBytes;
    }

    private void Evict()
    {
        var files = System.IO.Directory.EnumerateFiles(Directory, "*.json", SearchOption.AllDirectories)
            .Select(f => new FileInfo(f))
            .OrderBy(f => f.LastWriteTimeUtc)
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var total = files.Sum(f => f.Length);
        // Evict down to 90% of the limit so that a full cache does not rescan the folder on every write.
        var target = SizeLimitBytes - SizeLimitBytes / 10;
        foreach (var f in files)
        {
            if (total <= target) break;
            if (TryDelete(f.FullName)) total -= f.Length;
        }
        _totalBytes = total;
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
