namespace Dspy.Cli;

/// <summary>
/// The <c>dspy compile</c> factories of MIPROv2 (<c>mipro</c>, alias <c>miprov2</c>) and COPRO (<c>copro</c>), registered in
/// <see cref="CompileOptimizers.All"/>. Each validates the flags it uses and refuses the others with a clear message, so a
/// flag is never silently ignored.
/// </summary>
internal static class MiproCompileOptions
{
    /// <summary>MIPROv2 in the <c>dspy compile</c> registry.</summary>
    public static CompileOptimizer Mipro { get; } = new("mipro", ["miprov2"],
        "MIPROv2: instructions and demo sets searched with a seeded TPE (--auto light|medium|heavy, --prompt-lm)",
        ctx => CreateMipro(ctx.Name, ctx.Metric, ctx.Seed, ctx.NumThreads, ctx.MaxDemos, ctx.MaxLabeled, ctx.MaxRounds, ctx.NumCandidates,
            ctx.StopAtScore, ctx.Auto, ctx.TaskLm, ctx.PromptLm));

    /// <summary>COPRO in the <c>dspy compile</c> registry.</summary>
    public static CompileOptimizer Copro { get; } = new("copro", [],
        "COPRO: coordinate ascent over instructions and output prefixes (--num-candidates is the breadth, --prompt-lm; --max-labeled N shows the proposer N examples, not DSPy's default)",
        ctx => CreateCopro(ctx.Name, ctx.Metric, ctx.Seed, ctx.NumThreads, ctx.MaxDemos, ctx.MaxLabeled, ctx.MaxRounds, ctx.NumCandidates,
            ctx.StopAtScore, ctx.Auto, ctx.TaskLm, ctx.PromptLm));

    /// <summary>
    /// MIPROv2 with DSPy's defaults: <c>--auto</c> (default light), <c>--max-demos</c> (bootstrapped, default 4),
    /// <c>--max-labeled</c> (default 4), <c>--seed</c> (default 9), <c>--threads</c>, <c>--prompt-lm</c> (default: the task LM).
    /// </summary>
    /// <exception cref="CliException">A flag MIPROv2 does not take, or an invalid value.</exception>
    public static Teleprompter CreateMipro(string name, Metric metric, long? seed, int numThreads, int? maxDemos, int? maxLabeled, int? maxRounds,
        int? numCandidates, double? stopAtScore, string? auto, LM taskLm, LM? promptLm)
    {
        if (maxRounds is not null) throw new CliException($"--max-rounds does not apply to {name}.");
        if (stopAtScore is not null) throw new CliException($"--stop-at-score does not apply to {name}.");
        if (numCandidates is not null)
        {
            throw new CliException($"--num-candidates does not apply to {name}: it needs a trial count as well; use --auto light|medium|heavy, which sets both as DSPy does.");
        }
        if (maxDemos is < 0) throw new CliException("--max-demos must not be negative.");
        if (maxLabeled is < 0) throw new CliException("--max-labeled must not be negative.");
        if (seed is < int.MinValue or > int.MaxValue) throw new CliException($"--seed must fit in 32 bits for {name}.");
        if (numThreads < 1) throw new CliException("--threads must be at least 1.");
        return new MIPROv2(new MIPROv2Options
        {
            Metric = metric,
            TaskModel = taskLm,
            PromptModel = promptLm ?? taskLm,
            MaxBootstrappedDemos = maxDemos ?? 4,
            MaxLabeledDemos = maxLabeled ?? 4,
            Auto = auto ?? "light",
            Seed = seed is { } s ? (int)s : 9,
            NumThreads = numThreads,
        });
    }

    /// <summary>
    /// COPRO with DSPy's defaults: <c>--num-candidates</c> is the breadth (default 10, at least 2), <c>--prompt-lm</c> proposes.
    /// <c>--max-labeled N</c> (opt-in, not DSPy 3.3) shows the first proposals N training examples drawn with <c>--seed</c>
    /// (default 0); see <see cref="COPROOptions.ProposerExamples"/>.
    /// </summary>
    /// <exception cref="CliException">A flag COPRO does not take, or an invalid value.</exception>
    public static Teleprompter CreateCopro(string name, Metric metric, long? seed, int numThreads, int? maxDemos, int? maxLabeled, int? maxRounds,
        int? numCandidates, double? stopAtScore, string? auto, LM taskLm, LM? promptLm)
    {
        _ = taskLm; // COPRO runs the program with the configured (task) LM; only the prompt model is its own.
        if (auto is not null) throw new CliException($"--auto does not apply to {name}.");
        if (maxDemos is not null || maxRounds is not null)
        {
            throw new CliException($"--max-demos and --max-rounds do not apply to {name}: it optimizes instructions, not demos.");
        }
        if (stopAtScore is not null) throw new CliException($"--stop-at-score does not apply to {name}.");
        if (maxLabeled is < 0) throw new CliException("--max-labeled must not be negative.");
        if (seed is not null && maxLabeled is null or 0)
        {
            throw new CliException($"--seed does not apply to {name} without --max-labeled: DSPy's COPRO draws no random numbers (its proposals vary by sampling).");
        }
        if (seed is < int.MinValue or > int.MaxValue) throw new CliException($"--seed must fit in 32 bits for {name}.");
        if (numCandidates is <= 1) throw new CliException("--num-candidates (COPRO's breadth) must be greater than 1.");
        if (numThreads < 1) throw new CliException("--threads must be at least 1.");
        return new COPRO(new COPROOptions
        {
            Metric = metric,
            PromptModel = promptLm,
            Breadth = numCandidates ?? 10,
            NumThreads = numThreads,
            ProposerExamples = maxLabeled ?? 0,
            Seed = seed is { } s ? (int)s : 0,
        });
    }
}
