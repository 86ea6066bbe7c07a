using System.Globalization;
using System.Text.Json.Serialization;

namespace Dspy.Samples.Sentiment;

/// <summary>The sentiment labels; the LM sees their lower-case names, as with DSPy's <c>Literal["positive", "negative", "neutral"]</c>.</summary>
public enum Sentiment
{
    /// <summary>The sentence is favourable.</summary>
    [JsonStringEnumMemberName("positive")] Positive,

    /// <summary>The sentence is unfavourable.</summary>
    [JsonStringEnumMemberName("negative")] Negative,

    /// <summary>The sentence states facts without an opinion.</summary>
    [JsonStringEnumMemberName("neutral")] Neutral,
}

/// <summary>DSPy's homepage <c>Classify</c> signature, as a C# record.</summary>
/// <param name="Sentence">The sentence to classify.</param>
/// <param name="Sentiment">Its sentiment.</param>
/// <param name="Confidence">How sure the classification is, 0 to 1.</param>
[Instructions("Classify sentiment of a given sentence.")]
public sealed record Classify(
    [property: InputField] string Sentence,
    [property: OutputField] Sentiment Sentiment,
    [property: OutputField] double Confidence);

/// <summary>
/// DSPy's homepage "Classification" example: <c>dspy.Predict(Classify)</c> with a Literal (here an enum) output and a
/// float confidence, shown a few labeled sentences (<c>demos.jsonl</c>), then asked the bundled sentences or <c>--sentence</c>.
/// </summary>
public static class SentimentSample
{
    /// <summary>The program: Predict over <see cref="Classify"/>, with the bundled demos.</summary>
    public static Predict CreateProgram() =>
        new(Signature.FromType<Classify>()) { Demos = SampleData.ReadExamples("sentiment", "demos.jsonl", "sentence") };

    /// <summary>The bundled sentences with their expected labels.</summary>
    public static IReadOnlyList<Example> Sentences() => SampleData.ReadExamples("sentiment", "sentences.jsonl", "sentence");

    /// <summary>Runs the sample: <c>[--lm MODEL] [--sentence TEXT]</c>. Returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct) =>
        SampleHost.RunAsync("sentiment", args, output, ["--sentence"], async options =>
        {
            var classify = CreateProgram();
            var sentences = options.Get("--sentence") is { } asked
                ? [new Example { ["sentence"] = asked }.WithInputs("sentence")]
                : Sentences();

            var correct = 0;
            foreach (var example in sentences)
            {
                var prediction = await classify.CallAsync(example, ct);
                var sentiment = prediction.Get<Sentiment>("sentiment");
                var confidence = prediction.Get<double>("confidence");
                var label = ValueModel.EnumValue(sentiment);
                var line = $"{label,-8} {confidence.ToString("0.00", CultureInfo.InvariantCulture)}  {example["sentence"]}";
                if (example.TryGetValue("sentiment", out var expected) && expected is string expectedLabel)
                {
                    var ok = expectedLabel == label;
                    if (ok) correct++;
                    line += ok ? "  (correct)" : $"  (expected {expectedLabel})";
                }
                await output.WriteLineAsync(line);
            }
            if (options.Get("--sentence") is null)
            {
                await output.WriteLineAsync($"{correct} of {sentences.Count} labels correct with {options.Model}");
            }
        });
}
