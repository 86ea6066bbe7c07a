namespace Dspy.Tests.Caching;

public sealed class CacheKeyTests
{
    private static Dictionary<string, object?> Request(params (string Key, object? Value)[] extra)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["model"] = "openai/gpt-4o-mini",
            ["messages"] = new List<object?> { new Dictionary<string, object?> { ["role"] = "user", ["content"] = "hi" } },
            ["temperature"] = 0.0,
            ["_fn_identifier"] = "dspy.clients.lm.litellm_completion",
        };
        foreach (var (k, v) in extra) d[k] = v;
        return d;
    }

    [Fact]
    public void Canonical_json_sorts_keys_at_every_level_and_is_compact()
    {
        var value = new Dictionary<string, object?>
        {
            ["b"] = 1L,
            ["a"] = new List<object?> { 1.0, "x", null, true },
            ["c"] = new Dictionary<string, object?> { ["z"] = 0.5, ["y"] = "é" },
        };
        Assert.Equal("""{"a":[1.0,"x",null,true],"b":1,"c":{"y":"é","z":0.5}}""", CanonicalJson.Serialize(value));
    }

    [Fact]
    public void Key_is_64_lowercase_hex_and_independent_of_insertion_order()
    {
        var a = Request(("max_tokens", 100L), ("n", 1L));
        var b = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var kv in a.Reverse()) b[kv.Key] = kv.Value;
        var key = Cache.ComputeKey(a);
        Assert.Matches("^[0-9a-f]{64}$", key);
        Assert.Equal(key, Cache.ComputeKey(b));
    }

    [Fact]
    public void Credentials_and_endpoints_are_not_part_of_the_key()
    {
        var plain = Cache.ComputeKey(Request());
        Assert.Equal(plain, Cache.ComputeKey(Request(("api_key", "sk-1"), ("api_base", "http://x/v1"), ("base_url", "http://y"))));
        Assert.Equal(plain, Cache.ComputeKey(Request(("api_key", "sk-2"))));
    }

    [Fact]
    public void Dspy_metadata_keys_are_not_part_of_the_key()
        => Assert.Equal(Cache.ComputeKey(Request()), Cache.ComputeKey(Request(("dspy_fallback_from", "ChatAdapter"))));

    [Fact]
    public void Rollout_id_is_part_of_the_key_and_null_means_absent()
    {
        var plain = Cache.ComputeKey(Request());
        Assert.Equal(plain, Cache.ComputeKey(Request(("rollout_id", null))));
        var r1 = Cache.ComputeKey(Request(("rollout_id", 1L)));
        var r2 = Cache.ComputeKey(Request(("rollout_id", 2L)));
        Assert.NotEqual(plain, r1);
        Assert.NotEqual(r1, r2);
    }

    [Fact]
    public void Every_other_kwarg_changes_the_key()
    {
        var plain = Cache.ComputeKey(Request());
        Assert.NotEqual(plain, Cache.ComputeKey(Request(("temperature", 0.7))));
        Assert.NotEqual(plain, Cache.ComputeKey(Request(("n", 3L))));
        Assert.NotEqual(plain, Cache.ComputeKey(Request(("_fn_identifier", "dspy.clients.lm.litellm_text_completion"))));
    }
}
