using Dspy.Grains;

namespace Dspy.Cli;

/// <summary>The optimizer settings of <c>dspy compile</c> in a compile run's configuration (embedded silo and <c>--cluster</c>).</summary>
internal static class CompileRunSettings
{
    /// <summary>
    /// <paramref name="config"/> with the optimizer's by-name arguments, the prompt model the silos build, the thread count
    /// (null: the silos' own), the LM budget and the starting state.
    /// </summary>
    public static CompileRunConfig WithOptimizer(this CompileRunConfig config, OptimizerArguments args, string? promptModel, int? numThreads,
        BudgetLimits limits, string? initialState) => config with
    {
        InitialStateJson = initialState,
        Seed = args.Seed,
        MaxBootstrappedDemos = args.MaxDemos,
        MaxLabeledDemos = args.MaxLabeled,
        NumCandidatePrograms = args.NumCandidates,
        MaxRounds = args.MaxRounds,
        StopAtScore = args.StopAtScore,
        Auto = args.Auto,
        Parallelism = args.Parallelism,
        PromptModel = promptModel,
        NumThreads = numThreads,
        Budget = limits.IsLimited ? RunBudgetLimits.From(limits) : null,
    };
}
