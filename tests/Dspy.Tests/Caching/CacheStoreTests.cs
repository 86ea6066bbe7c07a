using System.Collections.Concurrent;
using Dspy.Tests.Clients;

namespace Dspy.Tests.Caching;

/// <summary>The pluggable persistent level of the LM cache (<see cref="ILMCacheStore"/>) behind DSPy's memory LRU.</summary>
public sealed class CacheStoreTests
{
    /// <summary>A shared store held in a dictionary, as two processes would see one table; it can be told to fail.</summary>
    private sealed class SharedStore : ILMCacheStore
    {
        public ConcurrentDictionary<string, string> Entries { get; } = new(StringComparer.Ordinal);

        public bool FailReads { get; set; }

        public bool FailWrites { get; set; }

        public int Reads;

        public ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Reads);
            if (FailReads) throw new IOException("store unreachable");
            return ValueTask.FromResult(Entries.GetValueOrDefault(key));
        }

        public async ValueTask PutAsync(string key, string entry, CancellationToken cancellationToken = default)
        {
            await Task.Yield(); // a remote store completes asynchronously
            if (FailWrites) throw new IOException("store unreachable");
            Entries[key] = entry;
        }
    }

    private static LM Lm(ScriptedChatClient client, SharedStore store) => new("openai/test", client) { CacheStore = new Cache(store) };

    [Fact]
    public async Task A_response_stored_by_one_process_is_a_hit_in_another_with_its_own_memory_level()
    {
        var store = new SharedStore();
        var firstClient = new ScriptedChatClient();
        var secondClient = new ScriptedChatClient();

        var first = await Lm(firstClient, store).CallAsync("What is DSPy?");
        var second = await Lm(secondClient, store).CallAsync("What is DSPy?");

        Assert.Single(firstClient.Calls);
        Assert.Empty(secondClient.Calls);
        Assert.False(first.CacheHit);
        Assert.True(second.CacheHit);
        Assert.Equal(LMUsage.Empty, second.Usage);
        Assert.Equal(first.Outputs[0].Text, second.Outputs[0].Text);
        // The key is DSPy's: the same request computes it anywhere.
        Assert.Single(store.Entries);
        Assert.Equal(64, store.Entries.Keys.Single().Length);
    }

    [Fact]
    public async Task The_memory_level_stays_in_front_of_the_store()
    {
        var store = new SharedStore();
        var cache = new Cache(store);
        await cache.PutAsync("k", new LMResponse { Outputs = [new LMOutput { Text = "x" }] });
        var readsBefore = store.Reads;

        Assert.NotNull(await cache.GetAsync("k"));
        Assert.Equal(readsBefore, store.Reads);
        Assert.True(cache.Store is SharedStore);
        Assert.False(cache.DiskEnabled);
    }

    [Fact]
    public async Task A_corrupted_entry_is_a_miss_and_the_next_response_replaces_it()
    {
        var store = new SharedStore();
        var client = new ScriptedChatClient();
        var lm = Lm(client, store);
        await lm.CallAsync("q");
        var key = store.Entries.Keys.Single();
        store.Entries[key] = "{\"outputs\": [1, 2"; // truncated JSON
        var other = Lm(client, store);

        var response = await other.CallAsync("q");

        Assert.False(response.CacheHit);
        Assert.Equal(2, client.Calls.Count);
        Assert.NotNull(LMResponseFromStore(store.Entries[key]));
        store.Entries[key] = "[\"not a response\"]";
        Assert.Null(await new Cache(store).GetAsync(key));
    }

    [Fact]
    public async Task A_failing_store_never_fails_the_call()
    {
        var store = new SharedStore { FailReads = true, FailWrites = true };
        var client = new ScriptedChatClient();
        var lm = Lm(client, store);

        var first = await lm.CallAsync("q");
        var second = await lm.CallAsync("q"); // the memory level kept the response the store refused

        Assert.False(first.CacheHit);
        Assert.True(second.CacheHit);
        Assert.Single(client.Calls);
        Assert.Empty(store.Entries);
    }

    [Fact]
    public void The_synchronous_api_waits_for_an_asynchronous_store()
    {
        var store = new SharedStore();
        new Cache(store).Put("k", new LMResponse { Outputs = [new LMOutput { Text = "kept" }] });

        var hit = new Cache(store).Get("k");

        Assert.Equal("kept", hit?.Outputs[0].Text);
        Assert.True(hit?.CacheHit);
    }

    [Fact]
    public void The_disk_cache_is_a_store()
    {
        var dir = Path.Combine(Path.GetTempPath(), "dspy-cache-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            var cache = new Cache(new DiskCache(dir, 1_000_000), enableMemoryCache: false);
            cache.Put("abcd", new LMResponse { Outputs = [new LMOutput { Text = "on disk" }] });
            Assert.True(cache.DiskEnabled);
            Assert.True(File.Exists(cache.Disk!.PathOf("abcd")));
            Assert.Equal("on disk", new Cache(enableDiskCache: true, enableMemoryCache: false, dir).Get("abcd")?.Outputs[0].Text);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static LMResponse? LMResponseFromStore(string entry)
    {
        var store = new SharedStore();
        store.Entries["k"] = entry;
        return new Cache(store).Get("k");
    }
}
