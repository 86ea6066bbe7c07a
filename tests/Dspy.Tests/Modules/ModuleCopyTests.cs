using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public class ModuleCopyTests
{
    [Fact]
    public void DeepCopy_gives_independent_predictors_and_shares_lms()
    {
        var lm = new ScriptedLM();
        var program = new Collections(new Predict(TestSignatures.QA()));
        program.SetLm(lm);
        program.Cot.Predict.Demos.Add(new Example(new Dictionary<string, object?> { ["question"] = "q", ["answer"] = "a", ["tags"] = new List<object?> { "x" } })
            .WithInputs("question"));
        program.Cot.Predict.Config["temperature"] = 0.5;

        var copy = (Collections)program.DeepCopy();

        Assert.NotSame(program.Cot, copy.Cot);
        Assert.NotSame(program.Cot.Predict, copy.Cot.Predict);
        Assert.Same(lm, copy.Cot.Predict.Lm);
        Assert.Equal(program.NamedPredictors().Select(p => p.Name), copy.NamedPredictors().Select(p => p.Name));

        Assert.Equal(["question"], copy.Cot.Predict.Demos[0].Inputs().Keys());
        copy.Cot.Predict.Demos[0]["answer"] = "changed";
        ((List<object?>)copy.Cot.Predict.Demos[0]["tags"]!).Add("y");
        copy.Cot.Predict.Demos.Add(new Example());
        copy.Cot.Predict.Config["temperature"] = 1.0;
        copy.Cot.Predict.Signature = copy.Cot.Predict.Signature.WithInstructions("Copy.");
        copy.ByName["x"].Lm = null;

        Assert.Single(program.Cot.Predict.Demos);
        Assert.Equal("a", program.Cot.Predict.Demos[0]["answer"]);
        Assert.Single((List<object?>)program.Cot.Predict.Demos[0]["tags"]!);
        Assert.Equal(0.5, program.Cot.Predict.Config["temperature"]);
        Assert.NotEqual("Copy.", program.Cot.Predict.Signature.Instructions);
        Assert.Same(lm, program.ByName["x"].Lm);
    }

    [Fact]
    public void DeepCopy_keeps_shared_predictors_shared()
    {
        var program = new Collections(new Predict(TestSignatures.QA()));
        var copy = (Collections)program.DeepCopy();
        Assert.Same(copy.Layers[1], copy.ByName["dup"]);
        Assert.NotSame(program.Layers[1], copy.Layers[1]);
    }

    [Fact]
    public async Task DeepCopy_starts_with_empty_history_and_keeps_callbacks()
    {
        var callback = new RecordingCallback();
        var predict = new Predict(TestSignatures.QA(), callbacks: [callback]);
        using (TestSignatures.Use(new ScriptedLM()))
        {
            await predict.CallAsync(("question", "q"));
        }
        Assert.Single(predict.History);

        var copy = (Predict)predict.DeepCopy();

        Assert.Empty(copy.History);
        Assert.Same(callback, Assert.Single(copy.Callbacks));
        Assert.NotSame(predict.Callbacks, copy.Callbacks);
    }

    [Fact]
    public void ResetCopy_resets_every_predictor_of_the_copy_only()
    {
        var program = new Outer();
        program.SetLm(new ScriptedLM());
        program.Final.Demos.Add(new Example());

        var copy = (Outer)program.ResetCopy();

        Assert.All(copy.Predictors(), p =>
        {
            Assert.Null(p.Lm);
            Assert.Empty(p.Demos);
        });
        Assert.Single(program.Final.Demos);
        Assert.NotNull(program.Final.Lm);
    }
}
