using System.Collections.Concurrent;
using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public class ParallelTests
{
    private static Example Ex(string q) => new Example(new Dictionary<string, object?> { ["question"] = q, ["answer"] = "gold" }).WithInputs("question");

    // Waits (briefly, without asserting on time) until a condition holds; fails instead of hanging.
    private static async Task Until(Func<bool> condition, string what)
    {
        for (var i = 0; i < 2000 && !condition(); i++) await Task.Delay(5);
        Assert.True(condition(), $"timed out waiting until {what}");
    }

    [Fact]
    public async Task Results_come_back_in_input_order_whatever_the_completion_order()
    {
        var gates = Enumerable.Range(0, 6).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var started = 0;
        var run = new Parallel(numThreads: 6).RunAsync<int, string>([0, 1, 2, 3, 4, 5], async (i, ct) =>
        {
            Interlocked.Increment(ref started);
            await gates[i].Task.WaitAsync(ct);
            return $"r{i}";
        });
        await Until(() => Volatile.Read(ref started) == 6, "all items started");
        for (var i = 5; i >= 0; i--) gates[i].SetResult(); // finish in reverse order

        var result = await run;
        Assert.Equal(["r0", "r1", "r2", "r3", "r4", "r5"], result.Results);
        Assert.Empty(result.FailedExamples);
    }

    [Fact]
    public async Task At_most_num_threads_items_run_at_once()
    {
        var running = 0;
        var max = 0;
        var result = await new Parallel(numThreads: 3).RunAsync<int, int>([.. Enumerable.Range(0, 12)], async (i, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref max, now);
            await Task.Delay(2, ct);
            Interlocked.Decrement(ref running);
            return i;
        });
        Assert.Equal(Enumerable.Range(0, 12), result.Results);
        Assert.InRange(max, 1, 3);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Fact]
    public async Task Module_pairs_accept_examples_dictionaries_and_named_values()
    {
        var lm = new ScriptedLM { Responder = messages => new Dictionary<string, object?> { ["answer"] = "A:" + messages[^1].Text.Split('\n')[^1] } };
        using var _ = TestSignatures.Use(lm);
        var predict = new Predict(TestSignatures.QA());
        (Module, object?)[] pairs =
        [
            (predict, Ex("q0")),
            (predict, new Dictionary<string, object?> { ["question"] = "q1" }),
            (predict, new (string, object?)[] { ("question", "q2") }),
        ];

        var result = await new Parallel(numThreads: 3).RunAsync(pairs);

        Assert.Equal(3, result.Results.Count);
        Assert.All(result.Results, Assert.NotNull);
        // The responder echoes the last line of the user message, which holds the question's value.
        Assert.Equal(["A:q0", "A:q1", "A:q2"], result.Results.Select(r => (string?)r!["answer"]));
    }

    [Fact]
    public async Task An_unsupported_input_type_fails_that_item()
    {
        using var _ = TestSignatures.Use(new ScriptedLM());
        var result = await new Parallel(numThreads: 2, returnFailedExamples: true).RunAsync([(new Predict(TestSignatures.QA()), (object?)42L)]);
        Assert.Null(Assert.Single(result.Results));
        var error = Assert.IsType<ArgumentException>(Assert.Single(result.Exceptions));
        Assert.Equal("Invalid example type: Int64", error.Message);
    }

    [Fact]
    public async Task Failed_items_are_null_and_returned_with_their_exceptions()
    {
        static Task<string> Work(string item, CancellationToken _) =>
            item.StartsWith("bad", StringComparison.Ordinal) ? throw new InvalidOperationException($"failed {item}") : Task.FromResult(item.ToUpperInvariant());
        string[] items = ["a", "bad1", "b", "bad2", "c"];

        var (results, failed, exceptions) = await new Parallel(numThreads: 3, maxErrors: 10, returnFailedExamples: true).RunAsync<string, string>(items, Work);

        Assert.Equal(["A", null, "B", null, "C"], results);
        Assert.Equal(["bad1", "bad2"], failed);
        Assert.Equal(["failed bad1", "failed bad2"], exceptions.Select(e => e.Message));

        var plain = await new Parallel(numThreads: 3, maxErrors: 10).RunAsync<string, string>(items, Work);
        Assert.Equal(["A", null, "B", null, "C"], plain.Results);
        Assert.Empty(plain.FailedExamples);
        Assert.Empty(plain.Exceptions);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Reaching_max_errors_cancels_the_rest_and_throws_dspys_message(int numThreads)
    {
        var started = 0;
        var ex = await Assert.ThrowsAsync<MaxErrorsExceededException>(() => new Parallel(numThreads: numThreads, maxErrors: 2)
            .RunAsync<int, int>([.. Enumerable.Range(0, 30)], (i, _) =>
            {
                Interlocked.Increment(ref started);
                throw new InvalidOperationException($"boom {i}");
            }));

        Assert.StartsWith("Execution cancelled due to errors or interruption.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, ex.MaxErrors);
        Assert.True(ex.Errors.Count >= 2);
        Assert.All(ex.Errors, e => Assert.StartsWith("boom ", e.Message, StringComparison.Ordinal));
        // Items still waiting for a slot when the limit is reached never start.
        Assert.InRange(Volatile.Read(ref started), 2, 30 - 1);
        if (numThreads == 1) Assert.Equal(2, started);
    }

    [Fact]
    public async Task Max_errors_defaults_to_the_settings()
    {
        using var _ = Settings.Context(s => s with { MaxErrors = 1, NumThreads = 2 });
        await Assert.ThrowsAsync<MaxErrorsExceededException>(() =>
            new Parallel().RunAsync<int, int>([1, 2, 3], (i, _) => i == 2 ? throw new InvalidOperationException("x") : Task.FromResult(i)));
    }

    [Fact]
    public async Task A_straggler_is_resubmitted_after_the_timeout_and_the_duplicate_wins()
    {
        var time = new ManualTimeProvider();
        var attempts = new ConcurrentDictionary<int, int>();
        var firstAttemptCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var straggling = 0;

        var run = new Parallel(numThreads: 4, timeout: 120, stragglerLimit: 3, timeProvider: time).RunAsync<int, string>([0, 1, 2], async (i, ct) =>
        {
            var attempt = attempts.AddOrUpdate(i, 1, (_, n) => n + 1);
            // Items 0 and 2 finish at once, so they are normally done long before the clock moves.
            if (i != 1) return $"r{i}#{attempt}";
            if (attempt == 1)
            {
                Volatile.Write(ref straggling, 1);
                try
                {
                    await Task.Delay(Timeout.Infinite, ct); // never completes unless cancelled
                }
                catch (OperationCanceledException)
                {
                    firstAttemptCancelled.SetResult();
                    throw;
                }
            }
            await Task.Yield();
            return $"r{i}#{attempt}";
        });

        // Let the run reach its polling wait with item 1 hanging, then move the clock past the straggler timeout.
        await Until(() => Volatile.Read(ref straggling) == 1 && time.ArmedTimers > 0, "the straggler is running and the run is polling");
        Assert.Equal(1, attempts[1]);
        time.Advance(TimeSpan.FromSeconds(121));
        await Until(() => run.IsCompleted || time.ArmedTimers > 0, "the run reacted");
        while (!run.IsCompleted && attempts[1] < 2)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Until(() => run.IsCompleted || attempts[1] >= 2 || time.ArmedTimers > 0, "the run polled again");
        }

        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        // Item 1's duplicate won. Items 0 and 2 are finished before the clock moves in practice; were one still pending
        // when it did, DSPy's rule would duplicate it too (all three are within the straggler limit), so either attempt is fine.
        Assert.Equal("r1#2", result.Results[1]);
        Assert.StartsWith("r0#", result.Results[0], StringComparison.Ordinal);
        Assert.StartsWith("r2#", result.Results[2], StringComparison.Ordinal);
        Assert.Equal(2, attempts[1]);
        await firstAttemptCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the losing attempt was cancelled
    }

    [Fact]
    public async Task No_resubmission_before_the_timeout()
    {
        var time = new ManualTimeProvider();
        var attempts = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = new Parallel(numThreads: 2, timeout: 120, timeProvider: time).RunAsync<int, int>([7], async (i, ct) =>
        {
            Interlocked.Increment(ref attempts);
            await release.Task.WaitAsync(ct);
            return i;
        });

        await Until(() => Volatile.Read(ref attempts) == 1 && time.ArmedTimers > 0, "the item is running and the run is polling");
        for (var s = 0; s < 5; s++)
        {
            time.Advance(TimeSpan.FromSeconds(20)); // 100 s in total: below the timeout
            await Until(() => time.ArmedTimers > 0, "the run polled again");
        }
        Assert.Equal(1, Volatile.Read(ref attempts));
        release.SetResult();
        Assert.Equal([7], (await run.WaitAsync(TimeSpan.FromSeconds(30))).Results);
        Assert.Equal(1, Volatile.Read(ref attempts));
    }

    [Fact]
    public async Task Settings_context_flows_into_workers_and_worker_contexts_stay_local()
    {
        var lm = new ScriptedLM();
        using var _ = Settings.Context(s => s with { Lm = lm, NumThreads = 3 });
        var seen = new ConcurrentBag<BaseLM?>();
        var inner = new ConcurrentBag<BaseLM?>();

        await new Parallel().RunAsync<int, int>([.. Enumerable.Range(0, 8)], async (i, _) =>
        {
            seen.Add(Settings.Current.Lm);
            using (Settings.Context(s => s with { Lm = new ScriptedLM() }))
            {
                await Task.Yield();
                inner.Add(Settings.Current.Lm);
            }
            return i;
        });

        Assert.Equal(8, seen.Count);
        Assert.All(seen, l => Assert.Same(lm, l));
        Assert.All(inner, l => Assert.NotSame(lm, l));
        Assert.Same(lm, Settings.Current.Lm);
    }

    [Fact]
    public async Task Caller_cancellation_stops_the_run()
    {
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = new Parallel(numThreads: 2).RunAsync<int, int>([1, 2], async (i, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return i;
        }, cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Batch_with_failures_returns_failed_examples()
    {
        var lm = new ScriptedLM
        {
            Responder = messages => messages[^1].Text.Contains("bad", StringComparison.Ordinal)
                ? "unparseable"
                : new Dictionary<string, object?> { ["answer"] = "ok" },
        };
        using var _ = TestSignatures.Use(lm);
        var examples = new List<Example> { Ex("q0"), Ex("bad"), Ex("q2") };

        var (results, failed, exceptions) = await new Predict(TestSignatures.QA()).BatchWithFailuresAsync(examples, numThreads: 2);

        Assert.Equal(["ok", null, "ok"], results.Select(r => (string?)r?["answer"]));
        Assert.Same(examples[1], Assert.Single(failed));
        Assert.IsType<AdapterParseError>(Assert.Single(exceptions));
    }
}
