using System.Text.Json;

namespace Dspy;

/// <summary>
/// The simulator answering SIMBA's <c>OfferFeedback</c> request (<c>append_a_rule</c>): from the better trajectory
/// (JSON list of <c>{module_name, inputs, outputs}</c>) it writes, per module, a rule in the simulator's grammar that
/// reproduces the better step's answer (<c>If the text mentions "...", label is ...</c>).
/// </summary>
internal static class SimAdvisor
{
    /// <summary>Fills <c>module_advice</c> (and <c>discussion</c>); null if the prompt is not an advice request.</summary>
    public static SimSolution? TryAdvise(SimPrompt prompt, SimRandom rng, double temperature)
    {
        if (!prompt.OutputFields.Any(f => f.Name == "module_advice")) return null;
        var names = ReadNames(prompt.Inputs.GetValueOrDefault("module_names"));
        var advice = new Dictionary<string, object?>(StringComparer.Ordinal);
        var notes = new List<string>();
        foreach (var step in ReadSteps(prompt.Inputs.GetValueOrDefault("better_program_trajectory")))
        {
            if (advice.ContainsKey(step.Module)) continue;
            var answer = step.Outputs.FirstOrDefault(kv => kv.Key is not ("reasoning" or "rationale"));
            if (answer.Key is null || step.Inputs.Count == 0) continue;
            var inputName = step.Inputs.Count == 1 ? step.Inputs.Keys.First() : null;
            var rules = SimProposer.Induce("", [new SimProposer.Case(string.Join("\n", step.Inputs.Values), answer.Value)], inputName, answer.Key, rng, temperature);
            var ruleLines = rules.Split('\n').Where(l => l.StartsWith("If ", StringComparison.Ordinal)).ToList();
            if (ruleLines.Count == 0) continue;
            advice[step.Module] = string.Join("\n", ruleLines);
            notes.Add($"In {step.Module}, the better run answered {answer.Value}.");
        }
        foreach (var name in names)
        {
            if (!advice.ContainsKey(name)) advice[name] = "Keep following the current instructions for this module.";
        }
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var f in prompt.OutputFields)
        {
            values[f.Name] = f.Name switch
            {
                "module_advice" => advice,
                "discussion" => notes.Count == 0 ? "The trajectories give no rule to add." : string.Join(" ", notes),
                _ => SimValues.Empty(f),
            };
        }
        return new SimSolution(values, "");
    }

    private sealed record Step(string Module, Dictionary<string, string> Inputs, Dictionary<string, string> Outputs);

    private static List<string> ReadNames(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        try
        {
            return ValueModel.ParseJson(text) is List<object?> list ? list.Select(x => x?.ToString() ?? "").Where(x => x.Length > 0).ToList() : [];
        }
        catch (JsonException)
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.Trim('[', ']', '"', '\'')).ToList();
        }
    }

    private static List<Step> ReadSteps(string? text)
    {
        var steps = new List<Step>();
        if (string.IsNullOrWhiteSpace(text)) return steps;
        object? parsed;
        try
        {
            parsed = ValueModel.ParseJson(text);
        }
        catch (JsonException)
        {
            return steps;
        }
        if (parsed is not List<object?> list) return steps;
        foreach (var item in list.OfType<Dictionary<string, object?>>())
        {
            var module = item.GetValueOrDefault("module_name")?.ToString() ?? "";
            if (module.Length == 0) continue;
            steps.Add(new Step(module, Flatten(item.GetValueOrDefault("inputs")), Flatten(item.GetValueOrDefault("outputs"))));
        }
        return steps;
    }

    private static Dictionary<string, string> Flatten(object? value)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value is Dictionary<string, object?> dict)
        {
            foreach (var (k, v) in dict) d[k] = v is string s ? s : SimValues.ToPromptText(v);
        }
        return d;
    }
}
