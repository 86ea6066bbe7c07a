using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public class ProgramOfThoughtTests
{
    private static IDisposable Use(BaseLM lm) => TestSignatures.Use(lm, new ChatAdapter());

    private static Dictionary<string, object?> Code(string code) => new() { ["reasoning"] = "compute it", ["generated_code"] = code };

    private static Dictionary<string, object?> Answer(string answer) => new() { ["reasoning"] = "from the output", ["answer"] = answer };

    private static ProgramOfThought Pot(int maxIters = 3) => new(
        Signature.Parse("question -> answer"), maxIters,
        new JavaScriptInterpreter(outputFields: ["answer"]) { Timeout = TimeSpan.FromSeconds(30), MaxStatements = 1_000_000 });

    [Fact]
    public void Stage_signatures_follow_dspy_with_javascript_in_place_of_python()
    {
        var pot = Pot();

        Assert.Equal(["question", "reasoning", "generated_code"], pot.CodeGenerate.Predict.Signature.Fields.Select(f => f.Name));
        Assert.Equal(
            "You will be given `question` and you will respond with `generated_code`.\n"
            + "Generating executable JavaScript code that programmatically computes the correct `generated_code`.\n"
            + "After you're done with the computation and think you have the final output, make sure to submit your output by calling the preloaded function `SUBMIT()`.\n"
            + "You must structure your output in an object, like {\"field_a\": value_a, ...}, with the correct value mapping for the field(s): `answer`.",
            pot.CodeGenerate.Predict.Signature.Instructions);
        Assert.Equal(["question", "previous_code", "error", "reasoning", "generated_code"], pot.CodeRegenerate.Predict.Signature.Fields.Select(f => f.Name));
        Assert.Equal(
            "You are given `question`, `previous_code`, `error` due to an error in previous code.\n"
            + "Your task is to correct the error and provide the new `generated_code`.",
            pot.CodeRegenerate.Predict.Signature.Instructions);
        Assert.Equal(["question", "final_generated_code", "code_output", "reasoning", "answer"], pot.GenerateAnswer.Predict.Signature.Fields.Select(f => f.Name));
        Assert.Equal("Given the final code `question`, `final_generated_code`, `code_output`, provide the final `answer`.",
            pot.GenerateAnswer.Predict.Signature.Instructions);
        Assert.Equal("JavaScript code that answers the question", pot.CodeGenerate.Predict.Signature["generated_code"]!.Description);
    }

    [Fact]
    public void Named_predictors_use_dspys_paths()
    {
        Assert.Equal(["code_generate.predict", "code_regenerate.predict", "generate_answer.predict"],
            Pot().NamedPredictors().Select(p => p.Name));
    }

    [Fact]
    public async Task Success_path_runs_the_code_and_answers_from_its_output()
    {
        var lm = new QueueLM(
            Code("```javascript\nconst total = [1, 2, 3].reduce((a, b) => a + b, 0);\nSUBMIT({answer: total * 7});\n```"),
            Answer("42"));
        using var _ = Use(lm);

        var result = await Pot().CallAsync(("question", "What is 7 times the sum of 1, 2 and 3?"));

        Assert.Equal("42", result["answer"]);
        Assert.Equal(2, lm.Requests.Count);
        var answerPrompt = lm.UserText(1);
        Assert.Contains("[[ ## code_output ## ]]\n{\"answer\": 42}", answerPrompt);
        Assert.Contains("[[ ## final_generated_code ## ]]\nconst total = [1, 2, 3].reduce((a, b) => a + b, 0);\nSUBMIT({answer: total * 7});", answerPrompt);
    }

    [Fact]
    public async Task A_failing_program_is_regenerated_from_its_code_and_error()
    {
        var lm = new QueueLM(
            Code("```js\nconst x = undefinedThing.value;\nSUBMIT({answer: x});\n```"),
            Code("```javascript\nSUBMIT({answer: 'fixed'});\n```"),
            Answer("fixed"));
        using var _ = Use(lm);

        var result = await Pot().CallAsync(("question", "q"));

        Assert.Equal("fixed", result["answer"]);
        Assert.Equal(3, lm.Requests.Count);
        var retry = lm.UserText(1);
        Assert.Contains("[[ ## previous_code ## ]]\nconst x = undefinedThing.value;\nSUBMIT({answer: x});", retry);
        Assert.Contains("[[ ## error ## ]]\nReferenceError: undefinedThing is not defined", retry);
        Assert.Contains("[[ ## code_output ## ]]\n{\"answer\": \"fixed\"}", lm.UserText(2));
        Assert.DoesNotContain("previous_code", lm.UserText(2));
    }

    [Fact]
    public async Task A_sandbox_violation_is_fed_back_like_an_error()
    {
        var lm = new QueueLM(Code("```javascript\nwhile (true) {}\n```"), Code("```javascript\nSUBMIT(5)\n```"), Answer("5"));
        using var _ = Use(lm);

        var result = await Pot().CallAsync(("question", "q"));

        Assert.Equal("5", result["answer"]);
        Assert.Contains("[[ ## error ## ]]\nThe program was stopped: it ran ", lm.UserText(1));
        Assert.Contains("[[ ## code_output ## ]]\n{\"answer\": 5}", lm.UserText(2));
    }

    [Fact]
    public async Task Max_hops_raises_with_the_last_error()
    {
        var lm = new QueueLM(
            Code("```javascript\nthrow new Error('first');\n```"),
            Code("```javascript\nthrow new Error('second');\n```"),
            Code("```javascript\nthrow new Error('third');\n```"));
        using var _ = Use(lm);

        var ex = await Assert.ThrowsAsync<ProgramOfThoughtError>(() => Pot().CallAsync(("question", "q")));

        Assert.StartsWith("Max hops reached. Failed to run ProgramOfThought: Error: third", ex.Message);
        Assert.Equal(3, lm.Requests.Count);
        Assert.Equal(0, lm.Remaining);
    }

    [Fact]
    public async Task Max_iters_one_gives_up_after_the_first_attempt()
    {
        var lm = new QueueLM(Code("```javascript\nthrow new Error('only');\n```"));
        using var _ = Use(lm);

        var ex = await Assert.ThrowsAsync<ProgramOfThoughtError>(() => Pot(maxIters: 1).CallAsync(("question", "q")));
        Assert.Contains("Error: only", ex.Message);
    }

    [Theory]
    [InlineData("```javascript\nlet a = 1;\nlet b = a + 1\n```", "let a = 1;\nlet b = a + 1\nb;")]
    [InlineData("```\nSUBMIT(1)\n```", "SUBMIT(1)")]
    [InlineData("SUBMIT(2)\n---\nexplanation", "SUBMIT(2)\n")]
    [InlineData("x = 1", "x = 1")]
    public void Code_is_extracted_from_fences(string generated, string expected)
    {
        var (code, error) = ProgramOfThought.ParseCode(new Prediction([new("generated_code", generated)]));
        Assert.Null(error);
        Assert.Equal(expected, code);
    }

    [Fact]
    public void Empty_code_is_an_error()
    {
        var (_, error) = ProgramOfThought.ParseCode(new Prediction([new("generated_code", "```javascript\n \n```")]));
        Assert.Equal("Error: Empty code after parsing.", error);
    }

    [Fact]
    public async Task A_program_that_only_prints_answers_from_its_printed_output()
    {
        var lm = new QueueLM(Code("```javascript\nconsole.log('the answer is', 9);\n```"), Answer("9"));
        using var _ = Use(lm);

        await Pot().CallAsync(("question", "q"));

        Assert.Contains("[[ ## code_output ## ]]\n\"the answer is 9\"", lm.UserText(1));
    }
}
