using System.Globalization;

namespace Dspy.Samples.Math;

/// <summary>
/// DSPy's homepage "Math" example: <c>dspy.ChainOfThought("question -> answer: float")</c>, shown a few solved word
/// problems (<c>demos.jsonl</c>), then asked the bundled questions (<c>questions.jsonl</c>) or <c>--question</c>.
/// </summary>
public static class MathSample
{
    /// <summary>The program: chain of thought over a float answer, with the bundled demos.</summary>
    public static ChainOfThought CreateProgram()
    {
        var math = new ChainOfThought("question -> answer: float");
        // The demos are what LabeledFewShot would attach: solved examples the LM sees before the question.
        math.Predict.Demos = SampleData.ReadExamples("math", "demos.jsonl", "question");
        return math;
    }

    /// <summary>The bundled questions with their expected answers.</summary>
    public static IReadOnlyList<Example> Questions() => SampleData.ReadExamples("math", "questions.jsonl", "question");

    /// <summary>Whether an answer matches the expected one up to rounding (a model may write 0.0278 for 1/36).</summary>
    public static bool IsCorrect(double answer, double expected) =>
        double.Abs(answer - expected) <= 1e-4 * double.Max(1, double.Abs(expected));

    /// <summary>Runs the sample: <c>[--lm MODEL] [--question TEXT]</c>. Returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct) =>
        SampleHost.RunAsync("math", args, output, ["--question"], async options =>
        {
            var math = CreateProgram();
            var questions = options.Get("--question") is { } asked
                ? [new Example { ["question"] = asked }.WithInputs("question")]
                : Questions();

            var correct = 0;
            foreach (var example in questions)
            {
                var prediction = await math.CallAsync(example, ct);
                var answer = prediction.Get<double>("answer");
                await output.WriteLineAsync($"question:  {example["question"]}");
                await output.WriteLineAsync($"reasoning: {prediction["reasoning"]}");
                var line = $"answer:    {answer.ToString("R", CultureInfo.InvariantCulture)}";
                if (example.TryGetValue("answer", out var expectedValue) && expectedValue is not null)
                {
                    var expected = Convert.ToDouble(expectedValue, CultureInfo.InvariantCulture);
                    var ok = IsCorrect(answer, expected);
                    if (ok) correct++;
                    line += $"  (expected {expected.ToString("0.####", CultureInfo.InvariantCulture)}: {(ok ? "correct" : "wrong")})";
                }
                await output.WriteLineAsync(line);
                await output.WriteLineAsync();
            }
            if (options.Get("--question") is null)
            {
                await output.WriteLineAsync($"{correct} of {questions.Count} answers correct with {options.Model}");
            }
        });
}
