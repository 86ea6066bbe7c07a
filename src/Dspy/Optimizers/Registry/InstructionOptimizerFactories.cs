namespace Dspy;

/// <summary>
/// The registry factories of MIPROv2 (<c>mipro</c>, alias <c>miprov2</c>) and COPRO (<c>copro</c>). Each validates the
/// arguments it uses and refuses the others with a clear message, so a setting is never silently ignored.
/// </summary>
internal static class InstructionOptimizerFactories
{
    /// <summary>MIPROv2 in the registry.</summary>
    public static OptimizerFactory Mipro { get; } = new("mipro", ["miprov2"],
        "MIPROv2: instructions and demo sets searched with a seeded TPE (--auto light|medium|heavy, --prompt-lm, --parallel-trials)", CreateMipro);

    /// <summary>COPRO in the registry.</summary>
    public static OptimizerFactory Copro { get; } = new("copro", [],
        "COPRO: coordinate ascent over instructions and output prefixes (--num-candidates is the breadth, --prompt-lm; --max-labeled N shows the proposer N examples, not DSPy's default)", CreateCopro);

    /// <summary>
    /// MIPROv2 with DSPy's defaults: <c>--auto</c> (default light), <c>--max-demos</c> (bootstrapped, default 4),
    /// <c>--max-labeled</c> (default 4), <c>--seed</c> (default 9), <c>--threads</c>, <c>--prompt-lm</c> (default: the task
    /// LM), <c>--parallel-trials</c> (trials per TPE round, default 1).
    /// </summary>
    /// <exception cref="ArgumentException">An argument MIPROv2 does not take, or an invalid value.</exception>
    public static Teleprompter CreateMipro(OptimizerArguments ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var name = ctx.Name;
        if (ctx.MaxRounds is not null) throw new ArgumentException($"--max-rounds does not apply to {name}.");
        if (ctx.StopAtScore is not null) throw new ArgumentException($"--stop-at-score does not apply to {name}.");
        if (ctx.NumCandidates is not null)
        {
            throw new ArgumentException($"--num-candidates does not apply to {name}: it needs a trial count as well; use --auto light|medium|heavy, which sets both as DSPy does.");
        }
        if (ctx.MaxDemos is < 0) throw new ArgumentException("--max-demos must not be negative.");
        if (ctx.MaxLabeled is < 0) throw new ArgumentException("--max-labeled must not be negative.");
        if (ctx.Seed is < int.MinValue or > int.MaxValue) throw new ArgumentException($"--seed must fit in 32 bits for {name}.");
        if (ctx.NumThreads < 1) throw new ArgumentException("--threads must be at least 1.");
        if (ctx.Auto is not (null or "light" or "medium" or "heavy")) throw new ArgumentException($"--auto must be light, medium or heavy, got '{ctx.Auto}'.");
        return new MIPROv2(new MIPROv2Options
        {
            Metric = ctx.Metric,
            TaskModel = ctx.TaskLm,
            PromptModel = ctx.PromptLm ?? ctx.TaskLm,
            MaxBootstrappedDemos = ctx.MaxDemos ?? 4,
            MaxLabeledDemos = ctx.MaxLabeled ?? 4,
            Auto = ctx.Auto ?? "light",
            Seed = ctx.Seed is { } s ? (int)s : 9,
            NumThreads = ctx.NumThreads,
            TrialParallelism = Parallelism(ctx),
        });
    }

    /// <summary>
    /// COPRO with DSPy's defaults: <c>--num-candidates</c> is the breadth (default 10, at least 2), <c>--prompt-lm</c>
    /// proposes, <c>--parallel-trials</c> candidates are evaluated at once. <c>--max-labeled N</c> (opt-in, not DSPy 3.3)
    /// shows the first proposals N training examples drawn with <c>--seed</c> (default 0); see
    /// <see cref="COPROOptions.ProposerExamples"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An argument COPRO does not take, or an invalid value.</exception>
    public static Teleprompter CreateCopro(OptimizerArguments ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var name = ctx.Name;
        // COPRO runs the program with the configured (task) LM; only the prompt model is its own.
        if (ctx.Auto is not null) throw new ArgumentException($"--auto does not apply to {name}.");
        if (ctx.MaxDemos is not null || ctx.MaxRounds is not null)
        {
            throw new ArgumentException($"--max-demos and --max-rounds do not apply to {name}: it optimizes instructions, not demos.");
        }
        if (ctx.StopAtScore is not null) throw new ArgumentException($"--stop-at-score does not apply to {name}.");
        if (ctx.MaxLabeled is < 0) throw new ArgumentException("--max-labeled must not be negative.");
        if (ctx.Seed is not null && ctx.MaxLabeled is null or 0)
        {
            throw new ArgumentException($"--seed does not apply to {name} without --max-labeled: DSPy's COPRO draws no random numbers (its proposals vary by sampling).");
        }
        if (ctx.Seed is < int.MinValue or > int.MaxValue) throw new ArgumentException($"--seed must fit in 32 bits for {name}.");
        if (ctx.NumCandidates is <= 1) throw new ArgumentException("--num-candidates (COPRO's breadth) must be greater than 1.");
        if (ctx.NumThreads < 1) throw new ArgumentException("--threads must be at least 1.");
        return new COPRO(new COPROOptions
        {
            Metric = ctx.Metric,
            PromptModel = ctx.PromptLm,
            Breadth = ctx.NumCandidates ?? 10,
            NumThreads = ctx.NumThreads,
            CandidateParallelism = Parallelism(ctx),
            ProposerExamples = ctx.MaxLabeled ?? 0,
            Seed = ctx.Seed is { } s ? (int)s : 0,
        });
    }

    /// <summary>K of <c>--parallel-trials</c> (default 1), checked.</summary>
    internal static int Parallelism(OptimizerArguments ctx) => ctx.Parallelism switch
    {
        null => 1,
        >= 1 and var k => k,
        var k => throw new ArgumentException($"--parallel-trials must be at least 1, got {k}."),
    };
}
