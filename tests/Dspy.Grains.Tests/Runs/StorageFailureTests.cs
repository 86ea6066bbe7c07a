using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Dspy.Grains.Tests.Runs;

/// <summary>
/// A grain storage read or write that fails (an outage, throttling, a provider stopping with its silo) is a transient
/// failure of the cluster, not of the compile run: a shard's failed write of its cells is carried by its next write; a
/// shard that cannot read its cells fails its call, which the evaluator retries; a failed write of the run's own state
/// that records it completed is carried by its next write, and when that one fails too, the run resumes in a fresh
/// activation woken by its reminder. Each way the run completes with the program an uninterrupted run gives (without the
/// storage guard, all but the first case ended the run as failed).
/// </summary>
public sealed class StorageFailureTests
{
    [Theory]
    [InlineData("cells", 1, 1)]
    [InlineData("cells:read", 1, 1)]
    [InlineData("run", 1, 1)]
    [InlineData("run", 2, 2)]
    public async Task A_failed_state_read_or_write_is_retried_and_the_run_completes_with_the_uninterrupted_program(string stateName, int failures, int attempts)
    {
        var storage = new FailingWrites(stateName, failures);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddDspyGrains(o =>
            {
                o.LmCache = false;
                o.ResumeReminderPeriod = TimeSpan.FromSeconds(2);
            });
            // The real (memory) providers behind the guards, one of them failing once.
            silo.AddMemoryGrainStorage("flaky-inner");
            foreach (var name in new[] { GrainStorageNames.Runs, GrainStorageNames.Cells })
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.ProviderOf(name),
                    (sp, _) => new FlakyStorage(sp.GetRequiredKeyedService<IGrainStorage>("flaky-inner"), storage));
            }
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var client = new CompileRunClient(cluster.Client);
            await client.SubmitAsync("run-storage", CompileRunTests.Intent, CompileRunTests.Train, CompileRunTests.Val, "exact_match", "bootstrap-fewshot",
                CompileRunTests.Configure);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var status = await client.WaitAsync("run-storage", cancellationToken: timeout.Token);

            Assert.Equal(failures, storage.Thrown);
            Assert.True(status.State == CompileRunState.Completed, $"{status.State}: {status.Error}");
            Assert.Equal(attempts, status.Attempts);
            Assert.Equal(await CompileRunTests.InProcessAsync(), status.ResultStateJson);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private sealed class FailingWrites(string stateName, int count)
    {
        private int _thrown;

        public int Thrown => Math.Min(Volatile.Read(ref _thrown), count);

        public void MaybeThrowOnRead(string name)
        {
            if (stateName == name + ":read" && Interlocked.Increment(ref _thrown) <= count)
            {
                throw new IOException("simulated: the storage account stopped answering");
            }
        }

        // The first writes of shards' cells (or reads, for "cells:read"), or the run's first writes that record it completed, fail.
        public void MaybeThrow<T>(string name, IGrainState<T> grainState)
        {
            var due = name == stateName && (name != "run" || grainState.State is CompileRunRecord { State: CompileRunState.Completed });
            if (due && Interlocked.Increment(ref _thrown) <= count)
            {
                throw new IOException("simulated: the storage account stopped answering");
            }
        }
    }

    private sealed class FlakyStorage(IGrainStorage inner, FailingWrites failures) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            failures.MaybeThrowOnRead(stateName);
            return inner.ReadStateAsync(stateName, grainId, grainState);
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            failures.MaybeThrow(stateName, grainState);
            return inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
