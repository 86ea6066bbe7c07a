namespace Dspy;

/// <summary>
/// DSPy's <c>create_n_fewshot_demo_sets</c> (dspy/teleprompt/utils.py), the demo-set candidates of MIPROv2: sets for seeds
/// <c>-3 .. n - 4</c>, i.e. <c>n</c> sets per predictor. Seed -3 is zero-shot (no demos); -2 is
/// <see cref="LabeledFewShot"/> with <c>k = max_labeled_demos</c> when that is positive (otherwise it falls through to a
/// shuffled set, as DSPy's if/elif chain does); -1 is <see cref="BootstrapFewShot"/> on the trainset as given; every other
/// seed shuffles a copy of the trainset with the shared generator and bootstraps <c>rng.randint(1, max_bootstrapped_demos)</c>
/// demos. Bootstrapping runs through the program evaluator.
/// </summary>
internal static class FewShotDemoSets
{
    /// <summary>Builds the sets; the result is indexed [predictor][set] and holds each set's demos.</summary>
    public static async Task<List<List<List<Example>>>> CreateAsync(Module student, int numCandidateSets, IReadOnlyList<Example> trainset,
        int maxLabeledDemos, int maxBootstrappedDemos, Metric metric, Func<DspySettings, DspySettings>? teacherSettings, int maxErrors,
        double? metricThreshold, Module? teacher, int? numThreads, PythonRandom rng, IProgramEvaluator evaluator, CancellationToken cancellationToken)
    {
        var predictorCount = student.Predictors().Count;
        var sets = Enumerable.Range(0, predictorCount).Select(_ => new List<List<Example>>()).ToList();
        for (var seed = -3; seed < numCandidateSets - 3; seed++)
        {
            var trainsetCopy = trainset.ToList();
            Module program;
            if (seed == -3)
            {
                program = student.ResetCopy();
            }
            else if (seed == -2 && maxLabeledDemos > 0)
            {
                program = new LabeledFewShot(maxLabeledDemos).Compile(student, trainsetCopy, sample: true);
            }
            else
            {
                var size = maxBootstrappedDemos;
                if (seed != -1)
                {
                    rng.Shuffle(trainsetCopy);
                    if (maxBootstrappedDemos < 1) throw new ArgumentException($"empty range in randint(1, {maxBootstrappedDemos}): shuffled demo sets need max_bootstrapped_demos >= 1.");
                    size = rng.RandInt(1, maxBootstrappedDemos);
                }
                var bootstrap = new BootstrapFewShot(new BootstrapFewShotOptions
                {
                    Metric = metric,
                    MetricThreshold = metricThreshold,
                    TeacherSettings = teacherSettings,
                    MaxBootstrappedDemos = size,
                    MaxLabeledDemos = maxLabeledDemos,
                    MaxErrors = maxErrors,
                    NumThreads = numThreads,
                });
                program = await bootstrap.CompileAsync(student, trainsetCopy, new CompileOptions { Teacher = teacher, Evaluator = evaluator }, cancellationToken);
            }
            var predictors = program.Predictors();
            for (var i = 0; i < predictorCount; i++) sets[i].Add([.. predictors[i].Demos]);
        }
        return sets;
    }
}
