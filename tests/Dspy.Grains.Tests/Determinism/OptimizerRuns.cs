namespace Dspy.Grains.Tests.Determinism;

/// <summary>
/// Runs one optimizer configuration either in-process (<see cref="LocalProgramEvaluator"/>) or through a cluster's
/// <see cref="ClusterProgramEvaluator"/>; the proposal/reflection LM is the in-process sim either way and the task LM is
/// the uncached sim (on the silos for the cluster). The result is the optimized program's DumpState JSON.
/// </summary>
internal static class OptimizerRuns
{
    public static readonly ProgramSpec Intent = new("predict", Samples.Signature("intent"));

    public static async Task<string> RunAsync(Teleprompter optimizer, List<Example> train, List<Example> val, IGrainFactory? cluster, string runId,
        IProgress<OptimizerEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        IProgramEvaluator evaluator = cluster is null
            ? LocalProgramEvaluator.Instance
            : new ClusterProgramEvaluator(cluster, new ClusterProgramEvaluatorOptions { RunId = runId, Program = Intent, ShardSize = 3 });
        var optimized = await optimizer.CompileAsync(Intent.Build(), train, new CompileOptions { Valset = val, Evaluator = evaluator, Progress = progress }, cancellationToken);
        return PythonJson.Dumps(optimized.DumpState());
    }

    /// <summary>GEPA with 3 proposals per round on the intent task (sim scores), with the given front store.</summary>
    public static Gepa Gepa(IGepaFrontStore? store = null) => new(new GepaOptions
    {
        Metric = Metrics.Get("exact_match_feedback"),
        MaxMetricCalls = 150,
        ReflectionLm = new LM("sim", temperature: 1.0, cache: false),
        ProposalParallelism = 3,
        NumThreads = 4,
        Seed = 5,
        FrontStore = store,
    });

    public static List<Example> GepaTrain => Samples.Load("intent", "train", 15, 400, "text");

    public static List<Example> GepaVal => Samples.Load("intent", "dev", 10, 380, "text");
}
