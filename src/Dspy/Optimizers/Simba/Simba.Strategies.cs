using System.Text;

namespace Dspy;

public sealed partial class Simba
{
    private sealed record Plan(List<SimbaRun> Bucket, Module Candidate, string Strategy);

    // STEP 4: random choices are drawn bucket by bucket in DSPy's order; strategies of a wave run concurrently and are kept
    // in bucket order. A strategy that throws drops its candidate, and the next bucket is tried, as in DSPy.
    private async Task<(List<Module> Candidates, List<string> Strategies)> BuildCandidatesAsync(SimbaPool pool, List<List<SimbaRun>> buckets,
        string[] strategies, PythonRandom rng, PythonRandom poisson, double p10, double p90, CancellationToken cancellationToken)
    {
        var wanted = Options.NumCandidates + 1;
        var candidates = new List<Module>();
        var applied = new List<string>();
        var next = 0;
        while (candidates.Count < wanted && next < buckets.Count)
        {
            var plans = new List<Plan>();
            while (plans.Count < wanted - candidates.Count && next < buckets.Count)
            {
                var source = pool.SoftmaxSample(rng, pool.TopKPlusBaseline(Options.NumCandidates), Options.TemperatureForCandidates);
                var candidate = pool.Programs[source].DeepCopy();
                DropDemos(candidate, rng, poisson);
                plans.Add(new Plan(buckets[next++], candidate, rng.Choice(strategies)));
            }
            var done = await Task.WhenAll(plans.Select(plan => ApplyAsync(plan, p10, p90, cancellationToken).ContinueWith(t => t, TaskScheduler.Default)));
            for (var k = 0; k < plans.Count; k++)
            {
                if (done[k].IsCanceled) cancellationToken.ThrowIfCancellationRequested();
                if (done[k].IsFaulted) continue;
                candidates.Add(plans[k].Candidate);
                applied.Add(plans[k].Strategy);
            }
        }
        return (candidates, applied);
    }

    private void DropDemos(Module candidate, PythonRandom rng, PythonRandom poisson)
    {
        var predictors = candidate.NamedPredictors();
        var maxDemos = Options.MaxDemos > 0 ? Options.MaxDemos : 3;
        var numDemos = predictors.Count == 0 ? 0 : predictors.Max(p => p.Predictor.Demos.Count);
        var drop = Math.Max(Poisson(poisson, (double)numDemos / maxDemos), numDemos >= maxDemos ? 1 : 0);
        drop = Math.Min(drop, numDemos);
        var dropped = Enumerable.Range(0, drop).Select(_ => rng.NextBelow(numDemos)).ToHashSet();
        foreach (var (_, predictor) in predictors) predictor.Demos = predictor.Demos.Where((_, i) => !dropped.Contains(i)).ToList();
    }

    // Knuth's method: numpy's generator cannot be reproduced, a seeded stream of our own keeps the draw deterministic.
    private static int Poisson(PythonRandom rng, double lambda)
    {
        if (lambda <= 0) return 0;
        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = rng.NextDouble();
        while (p > limit)
        {
            k++;
            p *= rng.NextDouble();
        }
        return k;
    }

    private Task ApplyAsync(Plan plan, double p10, double p90, CancellationToken cancellationToken) => plan.Strategy == "append_a_demo"
        ? Task.FromResult(AppendADemo(plan.Bucket, plan.Candidate, p10))
        : AppendARuleAsync(plan.Bucket, plan.Candidate, p10, p90, cancellationToken);

    // append_a_demo: the best run's last step of each predictor becomes a demo of it (skipped below the 10th percentile).
    private bool AppendADemo(List<SimbaRun> bucket, Module system, double p10)
    {
        var good = bucket[0];
        if (good.Score < p10) return false;
        var demos = new Dictionary<string, Example>(StringComparer.Ordinal);
        foreach (var step in good.Trace)
        {
            if (step.PredictorName is not { } name) continue;
            var demo = new Example { ["augmented"] = true };
            foreach (var (k, v) in step.Inputs)
            {
                var text = PythonRepr.Str(v);
                demo[k] = Options.DemoInputFieldMaxlen > 0 && text.Length > Options.DemoInputFieldMaxlen
                    ? text[..Options.DemoInputFieldMaxlen] + "\n\t\t... <TRUNCATED FOR BREVITY>"
                    : v;
            }
            foreach (var (k, v) in step.Outputs.Items()) demo[k] = v;
            demos[name] = demo;
        }
        var predictors = system.NamedPredictors().ToDictionary(p => p.Name, p => p.Predictor, StringComparer.Ordinal);
        foreach (var (name, demo) in demos)
        {
            if (predictors.TryGetValue(name, out var predictor)) predictor.Demos = [.. predictor.Demos, demo];
        }
        return true;
    }

    // append_a_rule: an LM contrasts the best and the worst run of the bucket and advises each module; the advice is appended
    // to its instructions.
    private async Task AppendARuleAsync(List<SimbaRun> bucket, Module system, double p10, double p90, CancellationToken cancellationToken)
    {
        var good = bucket[0];
        var bad = bucket[^1];
        if (good.Score < p10 || bad.Score > p90) return;
        object goodScore = good.Score, badScore = bad.Score;
        IReadOnlyList<PredictorTraceStep> goodTrace = good.Trace, badTrace = bad.Trace;
        var goodOutputs = Outputs(good.Prediction);
        var badOutputs = Outputs(bad.Prediction);
        if (good.Score <= bad.Score)
        {
            var unavailable = new Dictionary<string, object?>(StringComparer.Ordinal) { ["N/A"] = "Prediction not available" };
            if (good.Score > p90) (badTrace, badScore, badOutputs) = ([], "N/A", unavailable);
            else (goodTrace, goodScore, goodOutputs) = ([], "N/A", unavailable);
        }
        var names = system.NamedPredictors().Select(p => p.Name).ToList();
        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["program_code"] = ProgramCode(system),
            ["modules_defn"] = InspectModules(system),
            ["program_inputs"] = Json(good.Example.Inputs().ToDictionary()),
            ["oracle_metadata"] = Json(good.Example.Labels().ToDictionary()),
            ["better_program_trajectory"] = Json(Trajectory(goodTrace)),
            ["better_program_outputs"] = Json(goodOutputs),
            ["worse_program_trajectory"] = Json(Trajectory(badTrace)),
            ["worse_program_outputs"] = Json(badOutputs),
            ["worse_reward_value"] = Json(badScore),
            ["better_reward_value"] = Json(goodScore),
            ["worse_reward_info"] = Json(bad.Metadata),
            ["better_reward_info"] = Json(good.Metadata),
            ["module_names"] = Json(names),
        };
        Prediction advice;
        using (Settings.Context(s => s with { Lm = Options.PromptModel ?? s.Lm, Trace = new TraceLog() }))
        {
            advice = await new Predict(SimbaOfferFeedback.Signature).CallAsync(inputs, cancellationToken);
        }
        if (advice["module_advice"] is not IReadOnlyDictionary<string, object?> byModule) return;
        foreach (var (name, predictor) in system.NamedPredictors())
        {
            if (byModule.TryGetValue(name, out var text) && text is not null)
            {
                predictor.Signature = predictor.Signature.WithInstructions(predictor.Signature.Instructions + "\n\n" + PythonRepr.Str(text));
            }
        }
    }

    private static Dictionary<string, object?> Outputs(Prediction? prediction) =>
        prediction?.Items().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal) ?? new Dictionary<string, object?>(StringComparer.Ordinal);

    private static List<Dictionary<string, object?>> Trajectory(IReadOnlyList<PredictorTraceStep> trace) =>
        trace.Where(s => s.PredictorName is not null).Select(s => new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["module_name"] = s.PredictorName,
            ["inputs"] = s.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            ["outputs"] = s.Outputs.Items().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
        }).ToList();

    // ujson.dumps(..., indent=2) of every non-string input, as DSPy does.
    private static string Json(object? value) => value is string s ? s : PythonJson.Dumps(value, ensureAscii: true, indent: 2);

    private static string ProgramCode(Module system) =>
        $"class {system.GetType().Name}(dspy.Module):\n" + string.Join("\n", system.NamedPredictors().Select(p => $"    {p.Name} = dspy.Predict({p.Predictor.Signature})"));

    // DSPy's inspect_modules: per predictor its input and output fields and instructions, between 80-dash separators.
    private static string InspectModules(Module program)
    {
        var separator = new string('-', 80);
        var output = new List<string> { separator };
        foreach (var (name, predictor) in program.NamedPredictors())
        {
            var signature = predictor.Signature;
            output.Add($"Module {name}");
            output.Add("\n\tInput Fields:");
            output.Add(Indent(AdapterUtils.GetFieldDescriptionString(signature.InputFields)));
            output.Add("\tOutput Fields:");
            output.Add(Indent(AdapterUtils.GetFieldDescriptionString(signature.OutputFields)));
            output.Add($"\tOriginal Instructions: {Indent(signature.Instructions)}");
            output.Add(separator);
        }
        return string.Join("\n", output.Select(o => o.Trim('\n')));
    }

    private static string Indent(string text)
    {
        var sb = new StringBuilder();
        foreach (var line in text.Split('\n')) sb.Append("\n\t\t").Append(line);
        return sb.ToString();
    }
}
