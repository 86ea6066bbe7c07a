using System.Text.Json;
using System.Text.Json.Nodes;
using Dspy.Cli;

namespace Dspy.Client.Tests.Conformance;

/// <summary>
/// Runs <c>dspy prompt</c>'s formatting (signature parsing, JSON inputs and demos, adapter, message rendering) over a
/// corpus of cases whose expected messages were produced by DSPy 3.3.1's own adapters, and requires byte-identical
/// contents; where DSPy raised, the command must fail.
/// </summary>
public sealed class PromptConformanceTests
{
    private static readonly Lazy<Dictionary<long, JsonObject>> s_cases = new(Load);

    public static TheoryData<long> CaseIds()
    {
        var data = new TheoryData<long>();
        foreach (var id in s_cases.Value.Keys.Order()) data.Add(id);
        return data;
    }

    [Fact]
    public void Corpus_covers_every_adapter_and_both_outcomes()
    {
        var cases = s_cases.Value.Values.ToList();
        Assert.True(cases.Count >= 100, $"only {cases.Count} cases");
        Assert.Equal(["chat", "json", "two-step", "xml"], cases.Select(c => (string)c["adapter"]!).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(cases, c => c.ContainsKey("error"));
        Assert.Contains(cases, c => c.ContainsKey("expected"));
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Prompt_matches_dspy(long id)
    {
        var c = s_cases.Value[id];
        var demoLines = ((string?)c["demos_jsonl"])?.Split('\n') ?? [];
        var demos = JsonInput.ParseJsonl(demoLines, "corpus", "--demos").Select(row => new Example(row)).ToList();
        string Render() => PromptCommand.Render((string)c["signature"]!, (string?)c["instructions"], (string)c["adapter"]!, demos, (string)c["inputs_json"]!);

        if (c["error"] is { } error)
        {
            var ex = Record.Exception(Render);
            Assert.True(ex is not null, $"DSPy raised {error}, but the prompt was rendered");
            return;
        }

        var actual = JsonNode.Parse(Render())!.AsArray();
        var expected = c["expected"]!.AsArray();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((string)expected[i]!["role"]!, (string)actual[i]!["role"]!);
            Assert.Equal((string)expected[i]!["content"]!, (string)actual[i]!["content"]!);
        }
    }

    private static Dictionary<long, JsonObject> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Conformance", "dspy-3.3.1-prompts.json");
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { MaxDepth = 256 })!;
        return root["cases"]!.AsArray().Select(n => n!.AsObject()).ToDictionary(o => (long)o["id"]!);
    }
}
