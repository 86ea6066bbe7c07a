namespace Dspy.Grains.Tests.Evaluation;

/// <summary>
/// How a shard runs a predictor that carries its own LM: through the silo's pipeline for that model, with the request
/// settings the predictor's state carries, never with the state's endpoint.
/// </summary>
public sealed class SiloLanguageModelTests
{
    private const string SiloBase = "http://127.0.0.1:9/silo/v1";

    private static SiloLanguageModel Silo() => new(new LM("openai/sim", cache: false, apiKey: "silo-key", apiBase: SiloBase), 8,
        model => new LM(model, cache: false, apiKey: "silo-key", apiBase: SiloBase));

    // What a shard's program holds after loading a saved state: the LM rebuilt from its "lm" entry (endpoint dropped, no key).
    private static BaseLM Saved(LM lm) => LmState.Load(LmState.Dump(lm));

    [Fact]
    public void A_predictor_with_the_silos_model_and_request_settings_runs_with_the_silos_own_LM()
    {
        var silo = Silo();

        Assert.Same(silo.Lm, silo.ForPredictor(Saved(new LM("openai/sim", apiBase: "http://elsewhere/v1"))));
    }

    [Fact]
    public void A_fine_tuned_model_gets_the_silos_pipeline_for_it_with_the_states_kwargs_and_the_silos_endpoint()
    {
        var silo = Silo();
        var saved = Saved(new LM("openai/ft:sim:dspy-sim::abc", temperature: 0.7, maxTokens: 300, apiBase: "http://elsewhere/v1",
            kwargs: new Dictionary<string, object?> { ["rollout_id"] = 2L }));

        var bound = silo.ForPredictor(saved);

        Assert.Equal("openai/ft:sim:dspy-sim::abc", bound.Model);
        Assert.Equal(0.7, bound.Kwargs["temperature"]);
        Assert.Equal(300L, bound.Kwargs["max_tokens"]);
        Assert.Equal(2L, bound.Kwargs["rollout_id"]);
        Assert.Equal(SiloBase, bound.Kwargs["api_base"]);
        Assert.Equal("silo-key", bound.Kwargs["api_key"]);
        Assert.False(((LM)bound).Cache); // the silo's cache setting, not the state's
        Assert.Same(bound, silo.ForPredictor(saved)); // built once per model and settings
        // The pipeline for the model itself is untouched.
        Assert.Null(silo.ForModel("openai/ft:sim:dspy-sim::abc").Kwargs["temperature"]);
    }

    [Fact]
    public void Settings_the_silos_LM_has_but_the_state_does_not_are_not_sent()
    {
        var silo = new SiloLanguageModel(new LM("openai/sim", temperature: 1.0, apiBase: SiloBase));

        var bound = silo.ForPredictor(Saved(new LM("openai/sim")));

        Assert.NotSame(silo.Lm, bound);
        Assert.Null(bound.Kwargs["temperature"]);
        Assert.Equal(SiloBase, bound.Kwargs["api_base"]);
    }

    [Fact]
    public void Bind_rebinds_only_the_predictors_that_have_their_own_LM()
    {
        var silo = Silo();
        var spec = new ProgramSpec("predict", "question -> answer");
        var tuned = spec.Build();
        tuned.SetLm(new LM("openai/ft:sim:dspy-sim::abc", apiBase: "http://elsewhere/v1"));
        var plain = spec.Build(PythonJson.Dumps(spec.Build().DumpState()));

        var loaded = silo.Bind(spec.Build(PythonJson.Dumps(tuned.DumpState())));

        Assert.Equal(SiloBase, Assert.Single(loaded.Predictors()).Lm!.Kwargs["api_base"]);
        Assert.Null(Assert.Single(silo.Bind(plain).Predictors()).Lm);
        // The LM config is part of the candidate: a fine-tuned program never shares the base program's cells.
        var @base = spec.Build();
        @base.SetLm(new LM("openai/sim", apiBase: "http://elsewhere/v1"));
        Assert.NotEqual(CandidateProgram.From(spec, @base).Hash, CandidateProgram.From(spec, tuned).Hash);
    }
}
