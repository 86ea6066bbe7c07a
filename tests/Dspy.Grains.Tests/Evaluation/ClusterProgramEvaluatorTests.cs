namespace Dspy.Grains.Tests.Evaluation;

[Collection(ClusterCollection.Name)]
public sealed class ClusterProgramEvaluatorTests(ClusterFixture fixture)
{
    private static readonly ProgramSpec Intent = new("predict", Samples.Signature("intent"));

    private static Module Program(int demos)
    {
        var program = Intent.Build();
        foreach (var p in program.Predictors()) p.Demos = Samples.Load("intent", "train", demos, 0, "text");
        return program;
    }

    private ClusterProgramEvaluator Evaluator(string runId, int shardSize = 2) =>
        new(fixture.Grains, new ClusterProgramEvaluatorOptions { RunId = runId, Program = Intent, ShardSize = shardSize });

    private static async Task<ProgramEvaluation> LocalAsync(ProgramEvaluationRequest request)
    {
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", cache: false) });
        return await LocalProgramEvaluator.Instance.EvaluateAsync(request);
    }

    [Fact]
    public async Task Fans_out_to_shards_on_every_silo_and_matches_the_in_process_evaluator_in_example_order()
    {
        var examples = Samples.Load("intent", "dev", 48, 0, "text");
        var request = new ProgramEvaluationRequest { Program = Program(8), Examples = examples, Metric = Metrics.Get("exact_match") };
        var before = fixture.CellsBySilo();

        var evaluator = Evaluator("fanout");
        var cluster = await evaluator.EvaluateAsync(request);
        var local = await LocalAsync(request);

        Assert.Equal(local.Scores, cluster.Scores);
        Assert.Equal(local.Results.Select(r => r.Prediction.ToDictionary()["label"]), cluster.Results.Select(r => r.Prediction.ToDictionary()["label"]));
        Assert.Equal(Enumerable.Range(0, 48), cluster.Results.Select(r => r.Index));
        Assert.Same(examples[17], cluster.Results[17].Example);
        Assert.True(cluster.Score > 0);

        var silos = new HashSet<string>();
        foreach (var key in evaluator.ShardKeys) silos.Add(await fixture.Grains.GetGrain<IEvaluationShardGrain>(key).SiloAsync());
        Assert.Equal(24, evaluator.ShardKeys.Count);
        Assert.Equal(3, silos.Count);
        var after = fixture.CellsBySilo();
        Assert.All(after, kv => Assert.True(kv.Value > before.GetValueOrDefault(kv.Key), $"silo {kv.Key} evaluated no cell"));
        Assert.Equal(48, after.Values.Sum() - before.Values.Sum());
    }

    [Fact]
    public async Task The_same_evaluation_again_is_served_from_the_shards_store_without_evaluating_a_cell()
    {
        var examples = Samples.Load("intent", "dev", 12, 100, "text");
        var request = new ProgramEvaluationRequest { Program = Program(4), Examples = examples, Metric = Metrics.Get("exact_match") };
        var first = await Evaluator("memo").EvaluateAsync(request);
        var before = fixture.CellsBySilo().Values.Sum();

        // A new evaluator (as a resumed run would create) for the same run: same candidate hash, same shards.
        var second = await Evaluator("memo").EvaluateAsync(request);

        Assert.Equal(before, fixture.CellsBySilo().Values.Sum());
        Assert.Equal(first.Scores, second.Scores);
        var scores = await fixture.Grains.GetGrain<IProgramCandidateGrain>(
            GrainKeys.Candidate("memo", CandidateProgram.From(Intent, request.Program).Hash)).GetScoresAsync();
        Assert.Equal(12, scores.Count);
        Assert.Equal(first.Sum, scores.Sum(s => s.Score));
    }

    [Fact]
    public async Task Traces_and_demo_exclusion_come_back_as_the_in_process_evaluator_gives_them()
    {
        var train = Samples.Load("intent", "train", 10, 0, "text");
        var program = Program(10);
        var request = new ProgramEvaluationRequest
        {
            Program = program, Examples = train, Metric = Metrics.Get("exact_match"), CaptureTraces = true, ExcludeExampleFromDemos = true,
            LmOverrides = new Dictionary<string, object?> { ["rollout_id"] = 1L, ["temperature"] = 1.0 },
        };

        var cluster = await Evaluator("traces", shardSize: 3).EvaluateAsync(request);
        var local = await LocalAsync(request);

        Assert.Equal(local.Scores, cluster.Scores);
        for (var i = 0; i < train.Count; i++)
        {
            var expected = local.Results[i].Trace;
            var actual = cluster.Results[i].Trace;
            Assert.Equal(expected.Count, actual.Count);
            Assert.Equal(expected.Select(s => s.PredictorName), actual.Select(s => s.PredictorName));
            Assert.Equal(expected.Select(s => PythonJson.Dumps(ValueModel.FromClr(s.Outputs.ToDictionary()))),
                actual.Select(s => PythonJson.Dumps(ValueModel.FromClr(s.Outputs.ToDictionary()))));
            Assert.Equal(local.Results[i].MetricValue, cluster.Results[i].MetricValue);
        }
    }

    [Fact]
    public async Task A_metric_the_silos_cannot_look_up_is_refused_with_its_name()
    {
        var request = new ProgramEvaluationRequest
        {
            Program = Program(0), Examples = Samples.Load("intent", "dev", 2, 0, "text"), Metric = Metric.Create("my_private_metric", (_, _) => 1.0),
        };
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Evaluator("badmetric").EvaluateAsync(request));
        Assert.Contains("'my_private_metric' is not registered", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_built_differently_from_the_spec_is_refused()
    {
        var request = new ProgramEvaluationRequest
        {
            Program = new ChainOfThought(Signature.Parse(Samples.Signature("intent"))), Examples = Samples.Load("intent", "dev", 2, 0, "text"),
            Metric = Metrics.Get("exact_match"),
        };
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Evaluator("badspec").EvaluateAsync(request));
        Assert.Contains("does not match its spec", ex.Message, StringComparison.Ordinal);
    }
}
