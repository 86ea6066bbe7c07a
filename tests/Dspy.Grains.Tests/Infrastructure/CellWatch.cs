using Microsoft.Extensions.DependencyInjection;

namespace Dspy.Grains.Tests;

/// <summary>
/// Follows a test silo's cells (<see cref="SiloLanguageModel.CellEvaluated"/>, <see cref="SiloLanguageModel.CellStored"/>)
/// from the moment the silo starts, before any grain runs. Subscribing after <c>DeployAsync</c> is too late for a cluster
/// restarted over stored runs: a run's reminder can resume it on the first silo up, and a short run can finish before the
/// last silo has started, its cells unseen (a restart test saw a run complete with no evaluation observed).
/// </summary>
internal static class CellWatch
{
    /// <summary>Calls <paramref name="evaluated"/> and <paramref name="stored"/> with each cell's id on every silo built with this.</summary>
    public static ISiloBuilder WatchCells(this ISiloBuilder silo, Action<string>? evaluated, Action<string>? stored = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new Subscriber(sp, evaluated, stored));
        return silo;
    }

    private sealed class Subscriber(IServiceProvider services, Action<string>? evaluated, Action<string>? stored) : ILifecycleParticipant<ISiloLifecycle>
    {
        // Participants are asked to subscribe while the silo is built, before its first lifecycle stage starts.
        public void Participate(ISiloLifecycle lifecycle)
        {
            var lm = services.GetRequiredService<SiloLanguageModel>();
            if (evaluated is not null) lm.CellEvaluated += evaluated;
            if (stored is not null) lm.CellStored += stored;
        }
    }
}
