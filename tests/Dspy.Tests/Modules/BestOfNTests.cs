using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public class BestOfNTests
{
    private static Dictionary<string, object?> Answer(string a) => new() { ["answer"] = a };

    private static double Score(Prediction p) => p["answer"] switch
    {
        "good" => 1.0,
        "ok" => 0.5,
        "meh" => 0.5,
        _ => 0.0,
    };

    private static double Reward(IReadOnlyDictionary<string, object?> inputs, Prediction p) => Score(p);

    private static IEnumerable<object?> Rollouts(QueueLM lm) => lm.Requests.Select(r => r.Kwargs.GetValueOrDefault("rollout_id"));

    [Fact]
    public async Task Attempts_use_successive_rollout_ids_at_temperature_one_and_stop_at_the_threshold()
    {
        var lm = new QueueLM(Answer("bad"), Answer("bad"), Answer("good"), Answer("never used"));
        using var _ = TestSignatures.Use(lm);
        var best = new BestOfN(new Predict(TestSignatures.QA()), 5, Reward, threshold: 1.0);

        var pred = await best.CallAsync(("question", "q"));

        Assert.Equal("good", pred["answer"]);
        Assert.Equal(3, lm.Requests.Count);
        Assert.Equal([0L, 1L, 2L], Rollouts(lm));
        Assert.All(lm.Requests, r => Assert.Equal(1.0, r.Kwargs["temperature"]));
        // The original LM and module are left untouched.
        Assert.False(lm.Kwargs.ContainsKey("rollout_id"));
        Assert.Null(best.Module.GetLm());
    }

    [Fact]
    public async Task Rollout_ids_start_at_the_lms_own_rollout_id()
    {
        var lm = new QueueLM(Answer("bad"), Answer("good"));
        lm.Kwargs["rollout_id"] = 7L;
        lm.Kwargs["temperature"] = 0.0;
        using var _ = TestSignatures.Use(lm);
        var best = new BestOfN(new Predict(TestSignatures.QA()), 3, Reward, threshold: 1.0);

        await best.CallAsync(("question", "q"));

        Assert.Equal([7L, 8L], Rollouts(lm));
        Assert.All(lm.Requests, r => Assert.Equal(1.0, r.Kwargs["temperature"]));
    }

    [Fact]
    public async Task Without_a_passing_attempt_the_highest_reward_wins_and_the_first_wins_ties()
    {
        var lm = new QueueLM(Answer("bad"), Answer("ok"), Answer("meh"));
        using var _ = TestSignatures.Use(lm);
        var best = new BestOfN(new Predict(TestSignatures.QA()), 3, Reward, threshold: 1.0);

        var pred = await best.CallAsync(("question", "q"));

        Assert.Equal(3, lm.Requests.Count);
        Assert.Equal("ok", pred["answer"]);
    }

    [Fact]
    public async Task Only_the_best_attempts_trace_reaches_the_settings_trace()
    {
        var lm = new QueueLM(Answer("bad"), Answer("ok"), Answer("bad"));
        using var _ = TestSignatures.Use(lm);
        var best = new BestOfN(new Predict(TestSignatures.QA()), 3, Reward, threshold: 1.0);

        await best.CallAsync(("question", "q"));

        var step = Assert.Single(Settings.Current.Trace.Steps);
        Assert.Equal("ok", step.Outputs["answer"]);
        Assert.NotSame(best.Module, step.Predictor);
    }

    [Fact]
    public async Task Failed_attempts_are_skipped_within_the_budget()
    {
        var lm = new QueueLM(new InvalidOperationException("flaky"), Answer("good"));
        using var _ = TestSignatures.Use(lm);
        var best = new BestOfN(new Predict(TestSignatures.QA()), 3, Reward, threshold: 1.0);

        Assert.Equal("good", (await best.CallAsync(("question", "q")))["answer"]);
        Assert.Equal([0L, 1L], Rollouts(lm));
    }

    [Fact]
    public async Task Default_fail_count_reraises_on_the_third_of_three_failures()
    {
        var lm = new QueueLM(new InvalidOperationException("1"), new InvalidOperationException("2"), new InvalidOperationException("3"));
        using var _ = TestSignatures.Use(lm);
        var best = new BestOfN(new Predict(TestSignatures.QA()), 3, Reward, threshold: 1.0);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => best.CallAsync(("question", "q")));
        Assert.Equal("3", ex.Message);
        Assert.Equal(3, lm.Requests.Count);
    }

    [Fact]
    public async Task Fail_count_one_reraises_on_the_second_failure()
    {
        var lm = new QueueLM(new InvalidOperationException("1"), new InvalidOperationException("2"), Answer("good"));
        using var _ = TestSignatures.Use(lm);
        var best = new BestOfN(new Predict(TestSignatures.QA()), 3, Reward, threshold: 1.0, failCount: 1);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => best.CallAsync(("question", "q")));
        Assert.Equal("2", ex.Message);
        Assert.Equal(2, lm.Requests.Count);
    }

    [Fact]
    public async Task When_every_attempt_fails_within_the_budget_the_call_fails_with_the_last_error()
    {
        // N=2: DSPy's budget (idx > fail_count) never trips, and it would return None.
        var lm = new QueueLM(new InvalidOperationException("1"), new InvalidOperationException("2"));
        using var _ = TestSignatures.Use(lm);
        var best = new BestOfN(new Predict(TestSignatures.QA()), 2, Reward, threshold: 1.0);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => best.CallAsync(("question", "q")));
        Assert.Equal("2", ex.InnerException!.Message);
        Assert.Equal(2, lm.Requests.Count);
    }

    [Fact]
    public async Task The_reward_function_gets_the_call_inputs()
    {
        var lm = new QueueLM(Answer("good"));
        using var _ = TestSignatures.Use(lm);
        IReadOnlyDictionary<string, object?>? seen = null;
        var best = new BestOfN(new Predict(TestSignatures.QA()), 2, (inputs, p) => { seen = inputs; return 1.0; }, threshold: 1.0);

        await best.CallAsync(("question", "what?"));

        Assert.Equal("what?", seen!["question"]);
        Assert.Contains(best.NamedPredictors(), p => p.Name == "module");
    }
}
