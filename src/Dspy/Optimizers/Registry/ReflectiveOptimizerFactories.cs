namespace Dspy;

/// <summary>The <c>dspy compile</c> factories of GEPA and SIMBA.</summary>
internal static class ReflectiveOptimizerFactories
{
    public static OptimizerFactory Gepa { get; } = new("gepa", [],
        "GEPA: reflective instruction evolution on a Pareto front (--auto light|medium|heavy, default light; reflection LM: --prompt-lm or --lm)", ctx =>
    {
        RejectDemoOptions(ctx, "gepa");
        ctx.Reject("--num-candidates", ctx.NumCandidates);
        var auto = ctx.Auto switch
        {
            null or "light" => GepaAuto.Light,
            "medium" => GepaAuto.Medium,
            "heavy" => GepaAuto.Heavy,
            _ => throw new ArgumentException($"--auto must be light, medium or heavy, got '{ctx.Auto}'."),
        };
        return new Dspy.Gepa(new GepaOptions
        {
            Metric = ctx.Metric,
            Auto = auto,
            ReflectionLm = ctx.PromptLm ?? ctx.TaskLm,
            NumThreads = ctx.NumThreads,
            Seed = Seed(ctx),
            ProposalParallelism = InstructionOptimizerFactories.Parallelism(ctx),
        });
    });

    public static OptimizerFactory Simba { get; } = new("simba", [],
        "SIMBA: stochastic introspective mini-batch ascent (needs at least 32 training examples; --num-candidates, --max-demos; rules from --prompt-lm or --lm)", ctx =>
    {
        ctx.Reject("--auto", ctx.Auto);
        ctx.Reject("--parallel-trials", ctx.Parallelism);
        ctx.Reject("--max-labeled", ctx.MaxLabeled);
        ctx.Reject("--max-rounds", ctx.MaxRounds);
        ctx.Reject("--stop-at-score", ctx.StopAtScore);
        if (ctx.NumCandidates is < 1) throw new ArgumentException("--num-candidates must be at least 1.");
        if (ctx.MaxDemos is < 0) throw new ArgumentException("--max-demos must not be negative.");
        return new Dspy.Simba(new SimbaOptions
        {
            Metric = ctx.Metric,
            NumCandidates = ctx.NumCandidates ?? 6,
            MaxDemos = ctx.MaxDemos ?? 4,
            PromptModel = ctx.PromptLm,
            NumThreads = ctx.NumThreads,
            Seed = Seed(ctx),
        });
    });

    private static void RejectDemoOptions(OptimizerArguments ctx, string name)
    {
        if (ctx.MaxDemos is not null || ctx.MaxLabeled is not null || ctx.MaxRounds is not null || ctx.StopAtScore is not null)
            throw new ArgumentException($"--max-demos, --max-labeled, --max-rounds and --stop-at-score do not apply to {name}: it optimizes instructions.");
    }

    private static int Seed(OptimizerArguments ctx) => ctx.Seed switch
    {
        null => 0,
        >= int.MinValue and <= int.MaxValue => (int)ctx.Seed.Value,
        _ => throw new ArgumentException($"--seed must fit in 32 bits for {ctx.Name}, got {ctx.Seed}."),
    };
}
