using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public class RefineTests
{
    private static Dictionary<string, object?> Answer(string a) => new() { ["answer"] = a };

    private static Dictionary<string, object?> Feedback(string adviceJson) => new() { ["discussion"] = "It answered badly.", ["advice"] = adviceJson };

    private static double Reward(IReadOnlyDictionary<string, object?> inputs, Prediction p) => p["answer"] is "good" ? 1.0 : 0.0;

    private static IDisposable Use(BaseLM lm) => TestSignatures.Use(lm, new ChatAdapter());

    [Fact]
    public async Task A_failed_attempt_gets_feedback_and_the_next_attempt_sees_the_hint()
    {
        var lm = new QueueLM(Answer("bad"), Feedback("{\"self\": \"Say good.\"}"), Answer("good"));
        using var _ = Use(lm);
        var refine = new Refine(new Predict(TestSignatures.QA()), 3, Reward, threshold: 1.0);

        var pred = await refine.CallAsync(("question", "q"));

        Assert.Equal("good", pred["answer"]);
        Assert.Equal(3, lm.Requests.Count);
        Assert.Equal(0L, lm.Requests[0].Kwargs["rollout_id"]);
        Assert.Equal(1L, lm.Requests[2].Kwargs["rollout_id"]);
        Assert.Equal(1.0, lm.Requests[2].Kwargs["temperature"]);

        // The feedback call runs on the configured LM with DSPy's OfferFeedback signature.
        Assert.False(lm.Requests[1].Kwargs.ContainsKey("rollout_id"));
        Assert.Contains("In the discussion, assign blame to each module", lm.SystemText(1), StringComparison.Ordinal);
        var feedbackUser = lm.UserText(1);
        Assert.Contains("[[ ## program_inputs ## ]]\n{\n  \"question\": \"q\"\n}", feedbackUser, StringComparison.Ordinal);
        Assert.Contains("[[ ## program_outputs ## ]]\n{\n  \"answer\": \"bad\"\n}", feedbackUser, StringComparison.Ordinal);
        Assert.Contains("\"module_name\": \"self\"", feedbackUser, StringComparison.Ordinal);
        Assert.Contains("[[ ## target_threshold ## ]]\n1.0", feedbackUser, StringComparison.Ordinal);
        Assert.Contains("[[ ## reward_value ## ]]\n0.0", feedbackUser, StringComparison.Ordinal);
        Assert.Contains("[[ ## module_names ## ]]\n[\n  \"self\"\n]", feedbackUser, StringComparison.Ordinal);

        // The retry carries the advice as the hint_ input.
        Assert.Contains("[[ ## hint_ ## ]]\nSay good.", lm.UserText(2), StringComparison.Ordinal);
        Assert.Contains("`hint_` (str): A hint to the module from an earlier run", lm.SystemText(2), StringComparison.Ordinal);
        Assert.DoesNotContain("hint_", lm.UserText(0), StringComparison.Ordinal);

        // The caller's trace has the feedback step (as in DSPy) and the best attempt's step.
        var steps = Settings.Current.Trace.Steps;
        Assert.Equal(2, steps.Count);
        Assert.Equal("OfferFeedback", ((Predict)steps[0].Predictor).Signature.Name);
        Assert.Equal("good", steps[1].Outputs["answer"]);
    }

    [Fact]
    public async Task Predictors_without_advice_get_na_and_the_last_attempt_gets_no_feedback()
    {
        var lm = new QueueLM(Answer("bad1"), Feedback("{\"other\": \"x\"}"), Answer("bad2"));
        using var _ = Use(lm);
        var refine = new Refine(new Predict(TestSignatures.QA()), 2, Reward, threshold: 1.0);

        var pred = await refine.CallAsync(("question", "q"));

        Assert.Equal(3, lm.Requests.Count);
        Assert.Contains("[[ ## hint_ ## ]]\nN/A", lm.UserText(2), StringComparison.Ordinal);
        // Equal rewards: the first attempt is kept.
        Assert.Equal("bad1", pred["answer"]);
    }

    [Fact]
    public async Task Stops_at_the_first_attempt_reaching_the_threshold_without_feedback()
    {
        var lm = new QueueLM(Answer("good"));
        using var _ = Use(lm);
        var refine = new Refine(new Predict(TestSignatures.QA()), 3, Reward, threshold: 1.0);

        Assert.Equal("good", (await refine.CallAsync(("question", "q")))["answer"]);
        Assert.Single(lm.Requests);
    }

    [Fact]
    public async Task Fail_count_reraises_like_best_of_n()
    {
        // LM errors: the ChatAdapter does not fall back to JSON for them, so each attempt makes one LM call.
        var lm = new QueueLM(new LMServerError("1"), new LMServerError("2"));
        using var _ = Use(lm);
        var refine = new Refine(new Predict(TestSignatures.QA()), 3, Reward, threshold: 1.0, failCount: 1);

        var ex = await Assert.ThrowsAsync<LMServerError>(() => refine.CallAsync(("question", "q")));
        Assert.Equal("2", ex.Message);
        Assert.Equal(2, lm.Requests.Count);
    }

    [Fact]
    public void Inspect_modules_lists_each_predictor_like_dspy()
    {
        var separator = new string('-', 80);
        Assert.Equal(
            separator + "\n"
            + "Module predict\n"
            + "\tInput Fields:\n"
            + "\t\t1. `question` (str):\n"
            + "\tOutput Fields:\n"
            + "\t\t1. `reasoning` (str): \n"
            + "\t\t2. `answer` (str):\n"
            + "\tOriginal Instructions: \n"
            + "\t\tGiven the fields `question`, produce the fields `answer`.\n"
            + separator,
            Refine.InspectModules(new ChainOfThought(TestSignatures.QA())));
    }

    [Fact]
    public void Offer_feedback_signature_matches_dspy()
    {
        var sig = OfferFeedback.Signature;
        Assert.Equal(
            ["program_code", "modules_defn", "program_inputs", "program_trajectory", "program_outputs", "reward_code", "target_threshold",
                "reward_value", "module_names"],
            sig.InputFields.Select(f => f.Name));
        Assert.Equal(["discussion", "advice"], sig.OutputFields.Select(f => f.Name));
        Assert.Equal("dict[str, str]", sig["advice"]!.Type.PythonName);
        Assert.Equal("list[str]", sig["module_names"]!.Type.PythonName);
        Assert.EndsWith("to avoid the same mistake on the same or similar inputs.", sig.Instructions, StringComparison.Ordinal);
    }
}
