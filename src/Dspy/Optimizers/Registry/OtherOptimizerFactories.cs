namespace Dspy;

/// <summary>
/// The <c>dspy compile</c> factories of KNNFewShot, InferRules, BootstrapFinetune and BetterTogether.
/// <list type="bullet">
/// <item><c>knn-fewshot</c>: <c>--max-demos</c> is k, the nearest training examples bootstrapped on each call (default 4);
/// the vectorizer is the local hashed TF-IDF one fitted on the trainset. The saved file holds the student's state (the
/// per-call demos are chosen again at run time, as in DSPy).</item>
/// <item><c>infer-rules</c>: <c>--num-candidates</c> (default 10), the bootstrap demo options, <c>--prompt-lm</c> induces the rules.</item>
/// <item><c>bootstrap-finetune</c> and <c>better-together</c>: the program's predictors get <c>--lm</c> (weight optimization
/// needs an LM on every predictor), which must be an <c>openai/...</c> model (e.g. against <c>dspy sim serve</c> with
/// <c>--api-base</c>; on a cluster the silos' LM, named by <see cref="OptimizerArguments.TaskLmSetting"/>).
/// <c>bootstrap-finetune --max-labeled k</c> traces with a teacher, the student shown k labeled
/// training examples (DSPy's <c>compile(student, teacher=...)</c>); without it the student is its own teacher.</item>
/// </list>
/// </summary>
internal static class OtherOptimizerFactories
{
    public static OptimizerFactory KnnFewShot { get; } = new("knn-fewshot", [], "KNNFewShot: the k nearest training examples (--max-demos) bootstrapped per call", ctx =>
    {
        RejectSearchOptions(ctx);
        CheckDemoOptions(ctx);
        var k = ctx.MaxDemos ?? 4;
        if (k < 1) throw new ArgumentException("--max-demos is k for knn-fewshot and must be at least 1.");
        return new TrainsetKnnFewShot(k, new BootstrapFewShotOptions
        {
            Metric = ctx.Metric,
            MaxBootstrappedDemos = k,
            MaxLabeledDemos = ctx.MaxLabeled ?? 16,
            MaxRounds = ctx.MaxRounds ?? 1,
            NumThreads = ctx.NumThreads,
            Seed = ctx.Seed ?? 0,
        });
    });

    public static OptimizerFactory InferRules { get; } = new("infer-rules", [], "InferRules: bootstrapped demos plus LM-induced rules in the instructions", ctx =>
    {
        ctx.Reject("--auto", ctx.Auto);
        ctx.Reject("--parallel-trials", ctx.Parallelism);
        ctx.Reject("--stop-at-score", ctx.StopAtScore);
        CheckDemoOptions(ctx);
        if (ctx.NumCandidates is < 1) throw new ArgumentException("--num-candidates must be at least 1.");
        var promptLm = ctx.PromptLm;
        return new Dspy.InferRules(new InferRulesOptions
        {
            NumCandidates = ctx.NumCandidates ?? 10,
            NumThreads = ctx.NumThreads,
            Seed = ctx.Seed ?? 0,
            TeacherSettings = promptLm is null ? null : s => s with { Lm = promptLm },
            Bootstrap = new BootstrapFewShotOptions
            {
                Metric = ctx.Metric,
                MaxBootstrappedDemos = ctx.MaxDemos ?? 4,
                MaxLabeledDemos = ctx.MaxLabeled ?? 16,
                MaxRounds = ctx.MaxRounds ?? 1,
                NumThreads = ctx.NumThreads,
            },
        });
    });

    public static OptimizerFactory BootstrapFinetune { get; } = new("bootstrap-finetune", [], "BootstrapFinetune: fine-tunes --lm (openai/...) on successful traces (--max-labeled k: of a teacher shown k labeled examples)", ctx =>
    {
        RejectSearchOptions(ctx);
        if (ctx.MaxDemos is not null || ctx.MaxRounds is not null)
            throw new ArgumentException("--max-demos and --max-rounds do not apply to bootstrap-finetune.");
        if (ctx.MaxLabeled is < 0) throw new ArgumentException("--max-labeled must not be negative.");
        ctx.Reject("--seed", ctx.Seed);
        RequireFinetunable(ctx);
        Teleprompter finetune = new Dspy.BootstrapFinetune(ctx.Metric, numThreads: ctx.NumThreads);
        if (ctx.MaxLabeled is > 0) finetune = new WithLabeledTeacher(finetune, ctx.MaxLabeled.Value);
        return new WithProgramLm(finetune, ctx.TaskLm);
    });

    public static OptimizerFactory BetterTogether { get; } = new("better-together", [],
        "BetterTogether: random search (p) and fine-tuning of --lm (w), strategy p -> w -> p", ctx =>
    {
        ctx.Reject("--auto", ctx.Auto);
        ctx.Reject("--prompt-lm", ctx.PromptLm);
        ctx.Reject("--parallel-trials", ctx.Parallelism);
        CheckDemoOptions(ctx);
        if (ctx.NumCandidates is < 0) throw new ArgumentException("--num-candidates must not be negative.");
        if (ctx.MaxDemos is 0 && ctx.NumCandidates is not 0) throw new ArgumentException("--max-demos must be at least 1 for random search's shuffled candidates.");
        RequireFinetunable(ctx);
        var optimizers = new Dictionary<string, Teleprompter>(StringComparer.Ordinal)
        {
            ["p"] = new BootstrapFewShotWithRandomSearch(new BootstrapFewShotWithRandomSearchOptions
            {
                Metric = ctx.Metric,
                MaxBootstrappedDemos = ctx.MaxDemos ?? 4,
                MaxLabeledDemos = ctx.MaxLabeled ?? 16,
                MaxRounds = ctx.MaxRounds ?? 1,
                NumCandidatePrograms = ctx.NumCandidates ?? 16,
                StopAtScore = ctx.StopAtScore,
                NumThreads = ctx.NumThreads,
            }),
            ["w"] = new Dspy.BootstrapFinetune(ctx.Metric, numThreads: ctx.NumThreads),
        };
        return new WithProgramLm(new Dspy.BetterTogether(ctx.Metric, optimizers,
            new BetterTogetherOptions { Seed = ctx.Seed ?? 0, NumThreads = ctx.NumThreads }), ctx.TaskLm);
    });

    // The task LM is fine-tuned through OpenAI's API; a cluster's silos check their own LM (TaskLmSetting names it there).
    private static void RequireFinetunable(OptimizerArguments ctx)
    {
        if (ctx.TaskLmSetting is not { } setting || new OpenAIFinetuneProvider().CanFinetune(ctx.TaskLm)) return;
        var simulator = setting == "--lm"
            ? "pass --lm openai/sim --api-base http://127.0.0.1:8400/v1"
            : $"set {setting} to openai/sim with the server as its API base";
        throw new ArgumentException($"{ctx.Name} fine-tunes the task LM through OpenAI's fine-tuning API, so {setting} must be an openai/... model "
            + $"on a server that fine-tunes (got '{ctx.TaskLm.Model}'); for the simulator run `dspy sim serve` and {simulator}.");
    }

    private static void RejectSearchOptions(OptimizerArguments ctx)
    {
        ctx.Reject("--auto", ctx.Auto);
        ctx.Reject("--parallel-trials", ctx.Parallelism);
        ctx.Reject("--prompt-lm", ctx.PromptLm);
        if (ctx.NumCandidates is not null || ctx.StopAtScore is not null) throw new ArgumentException($"--num-candidates and --stop-at-score do not apply to {ctx.Name}.");
    }

    private static void CheckDemoOptions(OptimizerArguments ctx)
    {
        if (ctx.MaxDemos is < 0) throw new ArgumentException("--max-demos must not be negative.");
        if (ctx.MaxLabeled is < 0) throw new ArgumentException("--max-labeled must not be negative.");
        if (ctx.MaxRounds is < 1) throw new ArgumentException("--max-rounds must be at least 1.");
    }

    /// <summary>KNNFewShot over the trainset <c>dspy compile</c> reads, with a hashed TF-IDF vectorizer fitted on it.</summary>
    private sealed class TrainsetKnnFewShot(int k, BootstrapFewShotOptions bootstrap) : Teleprompter
    {
        public override string Name => nameof(KNNFewShot);

        public override Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            if (trainset.Count == 0) throw new ArgumentException("knn-fewshot needs training examples (--train is empty).");
            // Fitted on the texts KNN embeds, and given as the vectorizer itself (not a function), so the compiled program is
            // describable by value and a cluster's silos rebuild it.
            var vectorizer = HashedTfIdfVectorizer.Fit(KNN.TextsOf(trainset));
            return new KNNFewShot(k, trainset, vectorizer, bootstrap).CompileAsync(student, trainset, options, cancellationToken);
        }

        public override IReadOnlyDictionary<string, object?> GetParams()
        {
            var result = new Dictionary<string, object?>(new BootstrapFewShot(bootstrap).GetParams(), StringComparer.Ordinal) { ["k"] = (long)k, ["vectorizer"] = "hashed-tfidf" };
            return result;
        }
    }

    /// <summary>
    /// BootstrapFinetune with DSPy's usual teacher: the student shown <c>k</c> labeled training examples
    /// (<c>LabeledFewShot(k)</c>). Without a teacher the traces are only the examples the student already gets right, so
    /// fine-tuning cannot teach it anything it does not already do (on sim arithmetic: the sum-of-all-numbers templates only).
    /// </summary>
    private sealed class WithLabeledTeacher(Teleprompter inner, int k) : Teleprompter
    {
        public override string Name => inner.Name;

        public override Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            // LabeledFewShot compiles a reset copy (no LMs, no predictor shared with the student, as BootstrapFinetune requires);
            // it traces on the student's LMs, as DSPy's teacher would run on the LM it was given.
            var teacher = new LabeledFewShot(k).Compile(student, trainset);
            var lms = student.Predictors();
            var predictors = teacher.Predictors();
            for (var i = 0; i < predictors.Count; i++) predictors[i].Lm = lms[i].Lm;
            return inner.CompileAsync(student, trainset, (options ?? new CompileOptions()) with { Teacher = teacher }, cancellationToken);
        }

        public override IReadOnlyDictionary<string, object?> GetParams() =>
            new Dictionary<string, object?>(inner.GetParams(), StringComparer.Ordinal) { ["teacher"] = $"LabeledFewShot(k={k})" };
    }

    /// <summary>Runs an optimizer on a copy of the program whose predictors all have the task LM (weight optimization needs it).</summary>
    private sealed class WithProgramLm(Teleprompter inner, BaseLM lm) : Teleprompter
    {
        public override string Name => inner.Name;

        public override Task<Module> CompileAsync(Module student, IReadOnlyList<Example> trainset, CompileOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            var copy = student.DeepCopy();
            copy.SetLm(lm);
            return inner.CompileAsync(copy, trainset, options, cancellationToken);
        }

        public override IReadOnlyDictionary<string, object?> GetParams() => inner.GetParams();
    }
}
