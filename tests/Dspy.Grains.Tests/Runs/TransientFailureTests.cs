using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Runs;

/// <summary>
/// A compile run whose evaluation fails with a transient error (what a silo failure looks like from the run grain)
/// while its own activation lives on resumes by itself, without waiting for its reminder, and ends with the program an
/// uninterrupted run gives. The reminder is set far beyond the test's patience, so only the run's own retry can finish it.
/// </summary>
public sealed class TransientFailureTests : IAsyncLifetime
{
    private readonly FailingOnce _failures = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddDspyGrains(o =>
        {
            o.LmCache = false;
            o.ResumeReminderPeriod = TimeSpan.FromHours(1);
            o.RunEvaluator = (_, inner) => new FlakyEvaluator(inner, _failures);
        }));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_transient_failure_mid_compile_is_retried_by_the_live_run_and_gives_the_uninterrupted_program()
    {
        var client = new CompileRunClient(_cluster.Client);
        var events = new List<RunProgressEvent>();
        await client.SubmitAsync("run-transient", CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val, "exact_match", "bootstrap-fewshot",
            CompileRunTests.Configure);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var status = await client.WaitAsync("run-transient", events.Add, cancellationToken: timeout.Token);

        Assert.Equal(1, _failures.Thrown);
        Assert.True(status.State == CompileRunState.Completed, $"{status.State}: {status.Error}");
        Assert.Equal(2, status.Attempts);
        Assert.Contains(events, e => e.Kind == "resumed");
        Assert.Equal(await CompileRunTests.InProcessAsync(), status.ResultStateJson);
    }

    private sealed class FailingOnce
    {
        private int _thrown;

        public int Thrown => Volatile.Read(ref _thrown);

        // The first evaluation of the optimizer (after the baseline) fails once, as a call to a dead silo would.
        public void MaybeThrow(string? phase)
        {
            if (phase != "baseline" && Interlocked.CompareExchange(ref _thrown, 1, 0) == 0)
            {
                throw new TimeoutException("simulated: the silo holding a grain of the run stopped answering");
            }
        }
    }

    private sealed class FlakyEvaluator(IProgramEvaluator inner, FailingOnce failures) : IProgramEvaluator
    {
        public Task<ProgramEvaluation> EvaluateAsync(ProgramEvaluationRequest request, CancellationToken cancellationToken = default)
        {
            failures.MaybeThrow(request.Phase);
            return inner.EvaluateAsync(request, cancellationToken);
        }
    }
}
