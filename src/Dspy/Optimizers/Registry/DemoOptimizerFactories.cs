namespace Dspy;

/// <summary>The <c>dspy compile</c> factories of LabeledFewShot, BootstrapFewShot and BootstrapFewShotWithRandomSearch.</summary>
internal static class DemoOptimizerFactories
{
    public static OptimizerFactory LabeledFewShot { get; } = new("labeled-fewshot", [], "LabeledFewShot: k labeled demos (--max-labeled)", ctx =>
    {
        RejectSearchOptions(ctx);
        if (ctx.MaxDemos is not null || ctx.MaxRounds is not null)
            throw new ArgumentException("--max-demos and --max-rounds apply to bootstrap-fewshot; labeled-fewshot takes --max-labeled (k).");
        if (ctx.MaxLabeled is < 0) throw new ArgumentException("--max-labeled must not be negative.");
        return new Dspy.LabeledFewShot(ctx.MaxLabeled ?? 16, ctx.Seed ?? 0);
    });

    public static OptimizerFactory BootstrapFewShot { get; } = new("bootstrap-fewshot", [], "BootstrapFewShot: demos from successful teacher traces", ctx =>
    {
        RejectSearchOptions(ctx);
        CheckDemoOptions(ctx);
        return new Dspy.BootstrapFewShot(new BootstrapFewShotOptions
        {
            Metric = ctx.Metric,
            MaxBootstrappedDemos = ctx.MaxDemos ?? 4,
            MaxLabeledDemos = ctx.MaxLabeled ?? 16,
            MaxRounds = ctx.MaxRounds ?? 1,
            NumThreads = ctx.NumThreads,
            Seed = ctx.Seed ?? 0,
        });
    });

    public static OptimizerFactory RandomSearch { get; } = new("random-search", ["bootstrap-random-search", "bootstrap-rs"],
        "BootstrapFewShotWithRandomSearch: random search over bootstrapped demo sets", ctx =>
    {
        ctx.Reject("--auto", ctx.Auto);
        ctx.Reject("--prompt-lm", ctx.PromptLm);
        CheckDemoOptions(ctx);
        if (ctx.NumCandidates is < 0) throw new ArgumentException("--num-candidates must not be negative.");
        if (ctx.MaxDemos is 0 && ctx.NumCandidates is not 0) throw new ArgumentException("--max-demos must be at least 1 for random-search's shuffled candidates.");
        // DSPy's candidates are seeded -3 .. num_candidates-1 and its bootstraps use seed 0; there is no other seed to set.
        if (ctx.Seed is not (null or 0)) throw new ArgumentException("--seed does not apply to random-search: its candidates are seeded -3 .. N-1, as in DSPy.");
        return new BootstrapFewShotWithRandomSearch(new BootstrapFewShotWithRandomSearchOptions
        {
            Metric = ctx.Metric,
            MaxBootstrappedDemos = ctx.MaxDemos ?? 4,
            MaxLabeledDemos = ctx.MaxLabeled ?? 16,
            MaxRounds = ctx.MaxRounds ?? 1,
            NumCandidatePrograms = ctx.NumCandidates ?? 16,
            StopAtScore = ctx.StopAtScore,
            NumThreads = ctx.NumThreads,
            CandidateParallelism = InstructionOptimizerFactories.Parallelism(ctx),
        });
    });

    private static void RejectSearchOptions(OptimizerArguments ctx)
    {
        ctx.Reject("--auto", ctx.Auto);
        ctx.Reject("--parallel-trials", ctx.Parallelism);
        ctx.Reject("--prompt-lm", ctx.PromptLm);
        if (ctx.NumCandidates is not null || ctx.StopAtScore is not null) throw new ArgumentException("--num-candidates and --stop-at-score apply to random-search.");
    }

    private static void CheckDemoOptions(OptimizerArguments ctx)
    {
        if (ctx.MaxDemos is < 0) throw new ArgumentException("--max-demos must not be negative.");
        if (ctx.MaxLabeled is < 0) throw new ArgumentException("--max-labeled must not be negative.");
        if (ctx.MaxRounds is < 1) throw new ArgumentException("--max-rounds must be at least 1.");
    }
}
