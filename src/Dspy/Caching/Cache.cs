using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's two-level LM response cache (<c>dspy.cache</c>): an in-memory LRU in front of a persistent store, by default a
/// disk cache (<see cref="DiskCache"/>); any <see cref="ILMCacheStore"/> may take its place (a cluster shares one in table
/// and blob storage). Keys are the SHA-256 of the request in canonical JSON (<see cref="ComputeKey"/>). Lookups return a
/// copy marked <see cref="LMResponse.CacheHit"/> with empty usage, so cache hits never count towards usage or cost.
/// The process-wide instance is <see cref="Current"/>; <see cref="Configure"/> replaces it (DSPy's <c>configure_cache</c>).
/// </summary>
public sealed partial class Cache
{
    /// <summary>Request keys never part of a cache key (credentials and endpoints), as in DSPy.</summary>
    public static readonly IReadOnlySet<string> IgnoredKeys = new HashSet<string>(StringComparer.Ordinal) { "api_key", "api_base", "base_url" };

    /// <summary>DSPy's default disk size limit, 3e10 bytes (30 GB).</summary>
    public const long DefaultDiskSizeLimitBytes = 30_000_000_000;

    /// <summary>DSPy's default number of in-memory entries.</summary>
    public const long DefaultMemoryMaxEntries = 1_000_000;

    private static readonly Lazy<Cache> s_default = new(CreateDefault, LazyThreadSafetyMode.ExecutionAndPublication);
    private static Cache? s_current;

    private readonly MemoryLruCache<LMResponse>? _memory;
    private readonly ILMCacheStore? _store;

    /// <summary>Creates a cache; either level may be disabled.</summary>
    public Cache(bool enableDiskCache, bool enableMemoryCache, string? diskCacheDir = null, long diskSizeLimitBytes = DefaultDiskSizeLimitBytes,
        long memoryMaxEntries = DefaultMemoryMaxEntries)
        : this(enableDiskCache ? new DiskCache(diskCacheDir ?? DefaultDiskCacheDir, diskSizeLimitBytes) : null, enableMemoryCache, memoryMaxEntries)
    {
    }

    /// <summary>
    /// Creates a cache whose persistent level is <paramref name="store"/> (null: memory only), with DSPy's memory LRU in
    /// front of it when <paramref name="enableMemoryCache"/> is set.
    /// </summary>
    public Cache(ILMCacheStore? store, bool enableMemoryCache = true, long memoryMaxEntries = DefaultMemoryMaxEntries)
    {
        if (memoryMaxEntries <= 0)
            throw new ArgumentOutOfRangeException(nameof(memoryMaxEntries), memoryMaxEntries,
                $"`memory_max_entries` must be a positive number, but received {memoryMaxEntries.ToString(CultureInfo.InvariantCulture)}");
        if (enableMemoryCache) _memory = new MemoryLruCache<LMResponse>(memoryMaxEntries);
        _store = store;
    }

    /// <summary>The process-wide cache used by every <c>LM</c> that has no cache of its own.</summary>
    public static Cache Current => Volatile.Read(ref s_current) ?? s_default.Value;

    /// <summary><c>$DSPY_CACHEDIR</c>, else <c>~/.dspy_cache</c>.</summary>
    public static string DefaultDiskCacheDir
        => Environment.GetEnvironmentVariable("DSPY_CACHEDIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dspy_cache");

    /// <summary><c>$DSPY_CACHE_LIMIT</c> in bytes, else 3e10.</summary>
    public static long DefaultDiskSizeLimit
        => double.TryParse(Environment.GetEnvironmentVariable("DSPY_CACHE_LIMIT"), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0
            ? (long)Math.Min(v, long.MaxValue)
            : DefaultDiskSizeLimitBytes;

    /// <summary>True if the memory level is on.</summary>
    public bool MemoryEnabled => _memory is not null;

    /// <summary>True if the persistent level is the disk cache.</summary>
    public bool DiskEnabled => _store is DiskCache;

    /// <summary>The disk level, if the persistent level is a <see cref="DiskCache"/>.</summary>
    public DiskCache? Disk => _store as DiskCache;

    /// <summary>The persistent level (disk or shared), if any.</summary>
    public ILMCacheStore? Store => _store;

    /// <summary>Where failures of the persistent level are logged (they never fail a call: a failed read is a miss).</summary>
    public ILogger Logger { get; init; } = DspyLogging.CreateLogger(typeof(Cache));

    /// <summary>Number of entries in memory.</summary>
    public int MemoryCount => _memory?.Count ?? 0;

    /// <summary>
    /// DSPy's <c>dspy.configure_cache</c>: replaces <see cref="Current"/>. <paramref name="memoryMaxEntries"/> may not be null
    /// (use <see cref="long.MaxValue"/> for an unbounded cache) and must be positive.
    /// </summary>
    public static Cache Configure(bool enableDiskCache = true, bool enableMemoryCache = true, string? diskCacheDir = null,
        long? diskSizeLimitBytes = null, long? memoryMaxEntries = DefaultMemoryMaxEntries)
    {
        if (memoryMaxEntries is null)
            throw new ArgumentNullException(nameof(memoryMaxEntries), "`memory_max_entries` cannot be None. Use `long.MaxValue` if you want an unbounded cache.");
        if (memoryMaxEntries <= 0)
            throw new ArgumentOutOfRangeException(nameof(memoryMaxEntries), memoryMaxEntries,
                $"`memory_max_entries` must be a positive number, but received {memoryMaxEntries.Value.ToString(CultureInfo.InvariantCulture)}");
        if (diskSizeLimitBytes is <= 0)
            throw new ArgumentOutOfRangeException(nameof(diskSizeLimitBytes), diskSizeLimitBytes, "`disk_size_limit_bytes` must be a positive number.");
        var cache = new Cache(enableDiskCache, enableMemoryCache, diskCacheDir, diskSizeLimitBytes ?? DefaultDiskSizeLimit, memoryMaxEntries.Value);
        Volatile.Write(ref s_current, cache);
        return cache;
    }

    /// <summary>
    /// DSPy's <c>cache_key</c>: the lowercase hex SHA-256 of <paramref name="request"/> as canonical JSON with sorted keys,
    /// leaving out <see cref="IgnoredKeys"/>, keys starting with <c>dspy_</c>, and a null <c>rollout_id</c>.
    /// </summary>
    public static string ComputeKey(IReadOnlyDictionary<string, object?> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var filtered = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in request)
        {
            if (IgnoredKeys.Contains(k) || k.StartsWith("dspy_", StringComparison.Ordinal)) continue;
            if (k == "rollout_id" && v is null) continue;
            filtered[k] = v;
        }
        return CanonicalJson.Sha256Hex(filtered);
    }

    /// <summary>
    /// Looks up <paramref name="key"/>: memory first, then the persistent level (a hit there is copied into memory). Null on
    /// a miss. Blocks on a remote store; callers that can await use <see cref="GetAsync"/>.
    /// </summary>
    public LMResponse? Get(string key)
    {
        var pending = GetAsync(key);
        return pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Looks up <paramref name="key"/>: memory first, then the persistent level (a hit there is copied into memory). Null on
    /// a miss; a missing, corrupted or unreadable entry, or a failing store, is a miss too.
    /// </summary>
    public async ValueTask<LMResponse?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (_memory is not null && _memory.TryGet(key, out var hit)) return AsHit(hit);
        if (_store is null) return null;
        string? text;
        try
        {
            text = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // DSPy: the cache never fails a call; the request goes to the provider instead.
            StoreReadFailed(Logger, key, e);
            return null;
        }
        if (text is null) return null;
        LMResponse stored;
        try
        {
            stored = LMResponseJson.Deserialize(text);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidCastException)
        {
            CorruptedEntry(Logger, key, e);
            return null;
        }
        _memory?.Set(key, stored);
        return AsHit(stored);
    }

    /// <summary>
    /// Stores <paramref name="response"/> (as a real, non-hit response) in both levels; persistent-level errors are swallowed
    /// as in DSPy. Blocks on a remote store; callers that can await use <see cref="PutAsync"/>.
    /// </summary>
    public void Put(string key, LMResponse response)
    {
        var pending = PutAsync(key, response);
        if (pending.IsCompleted) pending.GetAwaiter().GetResult();
        else pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Stores <paramref name="response"/> (as a real, non-hit response) in both levels; persistent-level errors are logged and swallowed.</summary>
    public async ValueTask PutAsync(string key, LMResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(response);
        var stored = response with { CacheHit = false };
        _memory?.Set(key, stored);
        if (_store is null) return;
        try
        {
            await _store.PutAsync(key, LMResponseJson.Serialize(stored), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // A full disk or an unreachable store must not fail the LM call; the memory level still has the entry.
            StoreWriteFailed(Logger, key, e);
        }
    }

    /// <summary>DSPy's <c>reset_memory_cache</c>.</summary>
    public void ResetMemoryCache() => _memory?.Clear();

    // Records are immutable, so a copy with empty usage is as good as DSPy's deep copy.
    private static LMResponse AsHit(LMResponse r) => r with { Usage = LMUsage.Empty, CacheHit = true };

    private static Cache CreateDefault()
    {
        try
        {
            return new Cache(true, true, DefaultDiskCacheDir, DefaultDiskSizeLimit, DefaultMemoryMaxEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Like DSPy on read-only hosts (e.g. AWS Lambda): memory only.
            return new Cache(false, true, null, DefaultDiskSizeLimitBytes, DefaultMemoryMaxEntries);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LM cache store read of {Key} failed; treating it as a miss.")]
    private static partial void StoreReadFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LM cache store write of {Key} failed; the entry stays in memory only.")]
    private static partial void StoreWriteFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LM cache entry {Key} is corrupted; treating it as a miss (the next response replaces it).")]
    private static partial void CorruptedEntry(ILogger logger, string key, Exception exception);
}
