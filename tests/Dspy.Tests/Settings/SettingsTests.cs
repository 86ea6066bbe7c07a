using Dspy.Tests.TestDoubles;

// Not Dspy.Tests.Settings: a namespace with that name would hide the Dspy.Settings class from every test namespace.
namespace Dspy.Tests.Configuration;

public class SettingsTests
{
    [Fact]
    public void Defaults_are_dspys()
    {
        var s = new DspySettings();
        Assert.Null(s.Lm);
        Assert.Null(s.Adapter);
        Assert.Equal(8, s.NumThreads);
        Assert.Equal(10, s.MaxErrors);
        Assert.Equal(8, s.AsyncMaxWorkers);
        Assert.Equal(10_000, s.MaxHistorySize);
        Assert.Equal(10_000, s.MaxTraceSize);
        Assert.True(s.WarnOnTypeMismatch);
        Assert.False(s.TrackUsage);
        Assert.False(s.DisableHistory);
        Assert.False(s.ProvideTraceback);
        Assert.False(s.StrictInputs);
        Assert.Empty(s.Callbacks);
        Assert.Empty(s.CallerModules);
    }

    [Fact]
    public void Context_overrides_and_restores_nested()
    {
        var a = new ScriptedLM(model: "a/a");
        var b = new ScriptedLM(model: "b/b");
        using (Settings.Context(lm: a))
        {
            Assert.Same(a, Settings.Current.Lm);
            using (Settings.Context(s => s with { Lm = b, NumThreads = 3 }))
            {
                Assert.Same(b, Settings.Current.Lm);
                Assert.Equal(3, Settings.Current.NumThreads);
            }
            Assert.Same(a, Settings.Current.Lm);
            Assert.Equal(8, Settings.Current.NumThreads);
        }
    }

    [Fact]
    public async Task Context_flows_into_task_run_and_parallel_workers()
    {
        var lm = new ScriptedLM(model: "ctx/lm");
        using var _ = Settings.Context(s => s with { Lm = lm, MaxErrors = 3 });

        var fromTaskRun = await Task.Run(() => Settings.Current.Lm);
        Assert.Same(lm, fromTaskRun);

        var seen = new System.Collections.Concurrent.ConcurrentBag<(BaseLM?, int)>();
        await System.Threading.Tasks.Parallel.ForEachAsync(Enumerable.Range(0, 16), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, ct) =>
        {
            await Task.Yield();
            seen.Add((Settings.Current.Lm, Settings.Current.MaxErrors));
        });
        Assert.Equal(16, seen.Count);
        Assert.All(seen, s =>
        {
            Assert.Same(lm, s.Item1);
            Assert.Equal(3, s.Item2);
        });
    }

    [Fact]
    public async Task A_context_entered_in_a_worker_does_not_leak_to_siblings_or_parent()
    {
        var parent = new ScriptedLM(model: "p/p");
        using var _ = Settings.Context(lm: parent);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var own = new ScriptedLM(model: $"w/{i}");
            using (Settings.Context(lm: own))
            {
                await Task.Yield();
                return ReferenceEquals(Settings.Current.Lm, own);
            }
        })));
        Assert.All(results, Assert.True);
        Assert.Same(parent, Settings.Current.Lm);
    }

    [Fact]
    public void Configure_owner_rule_rejects_other_flows()
    {
        var store = new SettingsStore();
        store.Configure(s => s with { NumThreads = 2 });
        store.Configure(s => s with { NumThreads = 3 });
        Assert.Equal(3, store.Global.NumThreads);

        // A thread started without this flow's context (like an unrelated request) is another owner.
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                store.Configure(s => s with { NumThreads = 4 });
            }
            catch (InvalidOperationException ex)
            {
                error = ex;
            }
        });
        using (ExecutionContext.SuppressFlow()) thread.Start();
        thread.Join();
        Assert.Equal("dspy.settings can only be changed by the thread that initially configured it.", error?.Message);
        Assert.Equal(3, store.Global.NumThreads);
    }

    [Fact]
    public async Task Configure_owner_rule_allows_child_tasks_but_not_marked_workers()
    {
        var store = new SettingsStore();
        store.Configure(s => s with { MaxErrors = 1 });

        await Task.Run(() => store.Configure(s => s with { MaxErrors = 2 }));
        Assert.Equal(2, store.Global.MaxErrors);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.Run(() =>
        {
            store.MarkWorkerFlow();
            store.Configure(s => s with { MaxErrors = 3 });
        }));
        Assert.Equal(SettingsStore.NotOwnerMessage, ex.Message);

        // The owner itself is unaffected by what a worker did to its own flow.
        store.Configure(s => s with { MaxErrors = 4 });
        Assert.Equal(4, store.Global.MaxErrors);
    }

    [Fact]
    public void Reset_forgets_the_owner()
    {
        var store = new SettingsStore();
        store.Configure(s => s with { NumThreads = 5 });
        store.Reset();
        Assert.Equal(8, store.Global.NumThreads);

        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                store.Configure(s => s with { NumThreads = 6 });
            }
            catch (InvalidOperationException ex)
            {
                error = ex;
            }
        });
        using (ExecutionContext.SuppressFlow()) thread.Start();
        thread.Join();
        Assert.Null(error);
        Assert.Equal(6, store.Global.NumThreads);
    }

    [Fact]
    public void Contexts_of_a_store_do_not_change_its_global_settings()
    {
        var store = new SettingsStore();
        using (store.Context(s => s with { NumThreads = 1 }))
        {
            Assert.Equal(1, store.Current.NumThreads);
            Assert.Equal(8, store.Global.NumThreads);
        }
        Assert.Equal(8, store.Current.NumThreads);
    }

    [Fact]
    public void Track_usage_scope_collects_and_restores()
    {
        var before = Settings.Current.UsageTracker;
        using (var scope = Settings.TrackUsage())
        {
            Assert.Same(scope.Tracker, Settings.Current.UsageTracker);
            Settings.Current.UsageTracker!.Add("m/a", new LMUsage { PromptTokens = 1, CompletionTokens = 2, TotalTokens = 3, Calls = 1 });
            Settings.Current.UsageTracker!.Add("m/a", new LMUsage { PromptTokens = 4, CompletionTokens = 5, TotalTokens = 9, Calls = 1, Details = new Dictionary<string, long> { ["cached_tokens"] = 2 } });
            var total = scope.GetTotalTokens()["m/a"];
            Assert.Equal(5, total.PromptTokens);
            Assert.Equal(7, total.CompletionTokens);
            Assert.Equal(12, total.TotalTokens);
            Assert.Equal(2, total.Calls);
            Assert.Equal(2, total.Details["cached_tokens"]);
        }
        Assert.Same(before, Settings.Current.UsageTracker);
    }

    [Fact]
    public void Usage_tracker_ignores_empty_usage()
    {
        var tracker = new UsageTracker();
        tracker.Add("m/a", LMUsage.Empty);
        Assert.Empty(tracker.GetTotalTokens());
    }

    [Fact]
    public async Task Callback_runner_without_callbacks_just_runs_the_body()
    {
        var result = await DspyCallbacks.RunAsync(CallbackKind.Lm, new object(), null, new Dictionary<string, object?>(), () => Task.FromResult(42));
        Assert.Equal(42, result);
    }

    [Fact]
    public async Task Callback_runner_calls_the_hooks_of_each_kind()
    {
        var cb = new AllHooks();
        using var _ = Settings.Context(s => s with { Callbacks = [cb] });
        foreach (var kind in Enum.GetValues<CallbackKind>())
        {
            await DspyCallbacks.RunAsync(kind, new object(), null, new Dictionary<string, object?>(), () => Task.FromResult(1));
        }
        Assert.Equal(
            ["module_start", "module_end", "lm_start", "lm_end", "format_start", "format_end", "parse_start", "parse_end",
             "tool_start", "tool_end", "evaluate_start", "evaluate_end"],
            cb.Calls);
    }

    private sealed class AllHooks : IDspyCallback
    {
        public List<string> Calls { get; } = [];

        public void OnModuleStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) => Calls.Add("module_start");
        public void OnModuleEnd(string callId, object? outputs, Exception? exception) => Calls.Add("module_end");
        public void OnLmStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) => Calls.Add("lm_start");
        public void OnLmEnd(string callId, object? outputs, Exception? exception) => Calls.Add("lm_end");
        public void OnAdapterFormatStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) => Calls.Add("format_start");
        public void OnAdapterFormatEnd(string callId, object? outputs, Exception? exception) => Calls.Add("format_end");
        public void OnAdapterParseStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) => Calls.Add("parse_start");
        public void OnAdapterParseEnd(string callId, object? outputs, Exception? exception) => Calls.Add("parse_end");
        public void OnToolStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) => Calls.Add("tool_start");
        public void OnToolEnd(string callId, object? outputs, Exception? exception) => Calls.Add("tool_end");
        public void OnEvaluateStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs) => Calls.Add("evaluate_start");
        public void OnEvaluateEnd(string callId, object? outputs, Exception? exception) => Calls.Add("evaluate_end");
    }
}
