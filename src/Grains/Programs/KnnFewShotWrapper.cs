namespace Dspy.Grains;

/// <summary>
/// KNNFewShot's compiled program (<see cref="KNNFewShotProgram"/>) by value, so any silo rebuilds it: k, the
/// <see cref="BootstrapFewShot"/> options (the metric by its registered name), the vectorizer (the local
/// <see cref="HashedTfIdfVectorizer"/>, refitted on the trainset's texts, which gives the same vectors) and the trainset
/// (as ids in the run's dataset grain). The rebuilt program bootstraps on each call through the in-process evaluator on
/// that silo, with the silo's LM, gateway and the run's budget scope, as every other call there; it predicts what the
/// original predicts, since the per-call bootstrapping depends only on these values and the LM.
/// </summary>
internal sealed class KnnFewShotWrapper : IProgramWrapper
{
    /// <summary>The kind's name.</summary>
    public const string KindName = "knn-fewshot";

    private const string HashedTfIdf = "hashed-tfidf";

    /// <inheritdoc/>
    public string Kind => KindName;

    /// <inheritdoc/>
    public WrappedProgram? Describe(Module program)
    {
        if (program is not KNNFewShotProgram knn) return null;
        const string Cannot = "A KNNFewShot program cannot be rebuilt on the silos";
        if (knn.Teacher is not null)
        {
            throw new ArgumentException($"{Cannot} with a teacher (CompileOptions.Teacher): the teacher is not described by value; compile it without one.");
        }
        var options = knn.BootstrapOptions;
        if (options.TeacherSettings is not null)
        {
            throw new ArgumentException($"{Cannot} with BootstrapFewShotOptions.TeacherSettings: a function does not travel; leave it null.");
        }
        if (options.Metric is { } metric && !Metrics.TryGet(metric.Name, out _))
        {
            throw new ArgumentException($"{Cannot}: its bootstrap metric '{metric.Name}' is not registered; the silos look metrics up by name, so register it with Metrics.Register on every silo and client.");
        }
        if (knn.Knn.LocalVectorizer is not { } vectorizer || !vectorizer.IsFittedOn(knn.Knn.TrainsetTexts))
        {
            throw new ArgumentException($"{Cannot} unless its vectorizer is a HashedTfIdfVectorizer fitted on the trainset's texts "
                + "(HashedTfIdfVectorizer.Fit(KNN.TextsOf(trainset))): an embedding function or generator is not described by value.");
        }
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["k"] = (long)knn.Knn.K,
            ["vectorizer"] = HashedTfIdf,
            ["dimensions"] = (long)vectorizer.Dimensions,
            ["metric"] = options.Metric?.Name,
            ["metric_threshold"] = options.MetricThreshold,
            ["max_bootstrapped_demos"] = (long)options.MaxBootstrappedDemos,
            ["max_labeled_demos"] = (long)options.MaxLabeledDemos,
            ["max_rounds"] = (long)options.MaxRounds,
            ["max_errors"] = options.MaxErrors is { } e ? (long)e : null,
            ["seed"] = options.Seed,
        };
        return new WrappedProgram(knn.Program, PythonJson.Dumps(arguments), knn.Knn.Trainset);
    }

    /// <inheritdoc/>
    public Module Rebuild(Module inner, string argumentsJson, IReadOnlyList<Example> examples, int numThreads)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(examples);
        var arguments = ValueModel.ParseJson(argumentsJson) as Dictionary<string, object?>
            ?? throw new ArgumentException("knn-fewshot settings must be a JSON object.");
        if (arguments.GetValueOrDefault("vectorizer") as string != HashedTfIdf)
        {
            throw new ArgumentException($"knn-fewshot settings name an unknown vectorizer '{arguments.GetValueOrDefault("vectorizer")}'; known: {HashedTfIdf}.");
        }
        var metricName = arguments.GetValueOrDefault("metric") as string;
        var options = new BootstrapFewShotOptions
        {
            Metric = metricName is null ? null : Metrics.Get(metricName),
            MetricThreshold = arguments.GetValueOrDefault("metric_threshold") is { } threshold ? Convert.ToDouble(threshold, System.Globalization.CultureInfo.InvariantCulture) : null,
            MaxBootstrappedDemos = Int(arguments, "max_bootstrapped_demos"),
            MaxLabeledDemos = Int(arguments, "max_labeled_demos"),
            MaxRounds = Int(arguments, "max_rounds"),
            MaxErrors = arguments.GetValueOrDefault("max_errors") is null ? null : Int(arguments, "max_errors"),
            Seed = Long(arguments, "seed"),
            NumThreads = numThreads,
        };
        var vectorizer = HashedTfIdfVectorizer.Fit(KNN.TextsOf(examples), Int(arguments, "dimensions"));
        return new KNNFewShotProgram(inner, teacher: null, new KNN(Int(arguments, "k"), examples, vectorizer), options);
    }

    private static long Long(Dictionary<string, object?> arguments, string key) => arguments.GetValueOrDefault(key) is long value
        ? value
        : throw new ArgumentException($"knn-fewshot settings need an integer '{key}'.");

    private static int Int(Dictionary<string, object?> arguments, string key) => Long(arguments, key) is var value and >= int.MinValue and <= int.MaxValue
        ? (int)value
        : throw new ArgumentException($"knn-fewshot setting '{key}' is out of range.");
}
