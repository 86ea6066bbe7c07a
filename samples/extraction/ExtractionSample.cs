using System.Text.Json;

namespace Dspy.Samples.Extraction;

/// <summary>DSPy's homepage <c>ExtractInfo</c> signature, as a C# record.</summary>
/// <param name="Text">The text to read.</param>
/// <param name="Title">A title for the text.</param>
/// <param name="Headings">Section headings an article on the text would have.</param>
/// <param name="Entities">The entities the text names, each with its metadata.</param>
[Instructions("Extract structured information from text.")]
public sealed record ExtractInfo(
    [property: InputField] string Text,
    [property: OutputField] string Title,
    [property: OutputField] List<string> Headings,
    [property: OutputField(Desc = "a list of entities and their metadata")] List<Dictionary<string, string>> Entities);

/// <summary>
/// DSPy's homepage "Information Extraction" example: <c>dspy.Predict(ExtractInfo)</c> with a string, a
/// <c>list[str]</c> and a <c>list[dict[str, str]]</c> output, shown worked examples (<c>demos.jsonl</c>), then asked
/// the bundled texts (<c>texts.jsonl</c>) or <c>--text</c>.
/// </summary>
public static class ExtractionSample
{
    /// <summary>The program: Predict over <see cref="ExtractInfo"/>, with the bundled demos.</summary>
    public static Predict CreateProgram() =>
        new(Signature.FromType<ExtractInfo>()) { Demos = SampleData.ReadExamples("extraction", "demos.jsonl", "text") };

    /// <summary>The bundled texts.</summary>
    public static IReadOnlyList<Example> Texts() => SampleData.ReadExamples("extraction", "texts.jsonl", "text");

    /// <summary>Runs the sample: <c>[--lm MODEL] [--text TEXT]</c>. Returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken ct) =>
        SampleHost.RunAsync("extraction", args, output, ["--text"], async options =>
        {
            var module = CreateProgram();
            var texts = options.Get("--text") is { } asked
                ? [new Example { ["text"] = asked }.WithInputs("text")]
                : Texts();

            foreach (var example in texts)
            {
                var response = await module.CallAsync(example, ct);
                await output.WriteLineAsync($"text:     {example["text"]}");
                await output.WriteLineAsync($"title:    {response.Get<string>("title")}");
                await output.WriteLineAsync($"headings: {JsonSerializer.Serialize(response.Get<List<string>>("headings"))}");
                await output.WriteLineAsync($"entities: {JsonSerializer.Serialize(response.Get<List<Dictionary<string, string>>>("entities"))}");
                await output.WriteLineAsync();
            }
        });
}
