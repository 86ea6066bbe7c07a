using System.Globalization;

namespace Dspy.Cli;

/// <summary>
/// What <c>dspy compile</c> prints on stdout after a compile (text table or <c>--json</c>), the same whichever path ran it
/// (in-process, or the embedded silo, which adds <see cref="RunId"/>).
/// </summary>
internal sealed record CompileSummary
{
    public required string Optimizer { get; init; }
    public required IReadOnlyDictionary<string, object?> Params { get; init; }
    public required string Module { get; init; }
    public required string MetricName { get; init; }
    public required string Model { get; init; }
    public required int TrainSize { get; init; }
    public required int ValSize { get; init; }
    public string? ValPath { get; init; }
    public required double ScoreBefore { get; init; }
    public required double ScoreAfter { get; init; }
    public required long BeforeCalls { get; init; }
    public required long CompileCalls { get; init; }
    public required long AfterCalls { get; init; }
    public required BudgetLimits Limits { get; init; }

    /// <summary>What the compile phase used (calls that reached the provider, tokens, cost).</summary>
    public required OptimizerBudget Used { get; init; }
    public bool Exhausted { get; init; }
    public RunFolder? Run { get; init; }
    public required Module Optimized { get; init; }
    public required string OutPath { get; init; }

    /// <summary>The compile-run grain's id when the compile ran on the embedded silo; null in-process.</summary>
    public string? RunId { get; init; }

    public void Write(TextWriter stdout, bool json)
    {
        var demos = Optimized.NamedPredictors().ToDictionary(p => p.Name, p => (object?)(long)p.Predictor.Demos.Count, StringComparer.Ordinal);
        if (json)
        {
            var summary = new Dictionary<string, object?>
            {
                ["optimizer"] = Optimizer,
                ["params"] = new Dictionary<string, object?>(Params, StringComparer.Ordinal),
                ["module"] = Module,
                ["metric"] = MetricName,
                ["lm"] = Model,
                ["train_size"] = (long)TrainSize,
                ["val_size"] = (long)ValSize,
                ["val_source"] = ValPath is null ? "train" : "val",
                ["score_before"] = ScoreBefore,
                ["score_after"] = ScoreAfter,
                ["lm_calls"] = new Dictionary<string, object?>
                {
                    ["before"] = BeforeCalls,
                    ["compile"] = CompileCalls,
                    ["after"] = AfterCalls,
                    ["total"] = BeforeCalls + CompileCalls + AfterCalls,
                },
                ["budget"] = new Dictionary<string, object?>
                {
                    ["max_calls"] = Limits.MaxCalls,
                    ["max_tokens"] = Limits.MaxTokens,
                    ["max_cost"] = Limits.MaxCost,
                    ["calls"] = Used.LmCalls,
                    ["tokens"] = Used.PromptTokens + Used.CompletionTokens,
                    ["cost"] = Used.Cost,
                    ["exhausted"] = Exhausted,
                },
                ["run_dir"] = Run?.Directory,
                ["resumed"] = Run?.Resumed,
                ["demos"] = demos,
                ["out"] = OutPath,
                // Where the compile ran: on the embedded silo (with its compile-run grain's id), or in-process.
                ["silo"] = RunId is null ? "in-process" : "embedded",
                ["run_id"] = RunId,
            };
            stdout.WriteLine(PythonJson.Dumps(summary, ensureAscii: false, indent: 2));
            return;
        }
        var valName = ValPath is null ? "trainset" : "val set";
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"",-9} {"score",9} {"LM calls",9}"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"before",-9} {Percent(ScoreBefore),9} {BeforeCalls,9}"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"compile",-9} {"",9} {CompileCalls,9}"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"after",-9} {Percent(ScoreAfter),9} {AfterCalls,9}"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{MetricName} on the {valName} ({ValSize} examples) with {Model}; {Optimizer} demos per predictor: {string.Join(", ", demos.Select(d => $"{d.Key}={d.Value}"))}; saved to {OutPath}"));
    }

    private static string Percent(double score) => PythonFloat.Repr(score) + "%";
}
