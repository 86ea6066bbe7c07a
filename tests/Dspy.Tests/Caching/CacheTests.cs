namespace Dspy.Tests.Caching;

public sealed class CacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dspy-cache-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static LMResponse Response(string text, long tokens = 7) => new()
    {
        Outputs = [new LMOutput { Text = text, FinishReason = "stop" }],
        Usage = new LMUsage { PromptTokens = tokens, CompletionTokens = 1, TotalTokens = tokens + 1, Calls = 1, Cost = 0.5 },
        ResponseModel = "m-1",
    };

    [Fact]
    public void Hits_are_marked_and_carry_no_usage()
    {
        var cache = new Cache(enableDiskCache: false, enableMemoryCache: true);
        Assert.Null(cache.Get("k1"));
        cache.Put("k1", Response("hello"));
        var hit = cache.Get("k1");
        Assert.NotNull(hit);
        Assert.True(hit.CacheHit);
        Assert.Equal(LMUsage.Empty, hit.Usage);
        Assert.Equal("hello", hit.Outputs[0].Text);
        Assert.Equal("m-1", hit.ResponseModel);
    }

    [Fact]
    public void Disk_entries_persist_across_cache_instances()
    {
        var first = new Cache(enableDiskCache: true, enableMemoryCache: true, _dir);
        var toolResponse = Response("x") with
        {
            Outputs = [new LMOutput { Text = null, ToolCalls = [new LMToolCall("call_1", "search", new Dictionary<string, object?> { ["q"] = "dspy", ["k"] = 3L })] }],
        };
        first.Put("abcdef0123", toolResponse);
        var path = first.Disk!.PathOf("abcdef0123");
        Assert.Equal(Path.Combine(_dir, "ab", "cd", "abcdef0123.json"), path);
        Assert.True(File.Exists(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));

        var second = new Cache(enableDiskCache: true, enableMemoryCache: true, _dir);
        var hit = second.Get("abcdef0123");
        Assert.NotNull(hit);
        Assert.True(hit.CacheHit);
        var call = Assert.Single(hit.Outputs[0].ToolCalls!);
        Assert.Equal("search", call.Name);
        Assert.Equal("call_1", call.Id);
        Assert.Equal(3L, call.Args["k"]);
        Assert.Equal(1, second.MemoryCount); // the disk hit was copied into memory
    }

    [Fact]
    public void Memory_level_evicts_the_least_recently_used_entry()
    {
        var cache = new Cache(enableDiskCache: false, enableMemoryCache: true, memoryMaxEntries: 2);
        cache.Put("a", Response("A"));
        cache.Put("b", Response("B"));
        Assert.NotNull(cache.Get("a")); // a is now more recent than b
        cache.Put("c", Response("C"));
        Assert.Null(cache.Get("b"));
        Assert.NotNull(cache.Get("a"));
        Assert.NotNull(cache.Get("c"));
    }

    [Fact]
    public void Disk_level_deletes_the_oldest_entries_over_the_size_limit()
    {
        var probe = new Cache(enableDiskCache: true, enableMemoryCache: false, _dir);
        probe.Put("size-probe", Response("0123456789"));
        var oneEntry = probe.Disk!.TotalBytes;
        probe.Disk.Clear();

        var cache = new Cache(enableDiskCache: true, enableMemoryCache: false, _dir, diskSizeLimitBytes: oneEntry * 2 + oneEntry / 2);
        cache.Put("k-old", Response("0123456789"));
        File.SetLastWriteTimeUtc(cache.Disk!.PathOf("k-old"), DateTime.UtcNow.AddMinutes(-10));
        cache.Put("k-mid", Response("0123456789"));
        File.SetLastWriteTimeUtc(cache.Disk.PathOf("k-mid"), DateTime.UtcNow.AddMinutes(-5));
        cache.Put("k-new", Response("0123456789"));
        Assert.Null(cache.Get("k-old"));
        Assert.NotNull(cache.Get("k-mid"));
        Assert.NotNull(cache.Get("k-new"));
        Assert.True(cache.Disk.TotalBytes <= cache.Disk.SizeLimitBytes);
    }

    [Fact]
    public void Disabled_levels_cache_nothing()
    {
        var cache = new Cache(enableDiskCache: false, enableMemoryCache: false);
        cache.Put("k", Response("x"));
        Assert.Null(cache.Get("k"));
    }

    [Fact]
    public void Configure_validates_memory_max_entries_like_dspy()
    {
        var none = Assert.Throws<ArgumentNullException>(() => Cache.Configure(enableDiskCache: false, memoryMaxEntries: null));
        Assert.Contains("`memory_max_entries` cannot be None", none.Message, StringComparison.Ordinal);
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => Cache.Configure(enableDiskCache: false, memoryMaxEntries: 0));
        Assert.Contains("`memory_max_entries` must be a positive number, but received 0", zero.Message, StringComparison.Ordinal);
    }
}
