using System.Globalization;
using Dspy.Grains;

namespace Dspy.Cli;

/// <summary>
/// What <c>dspy compile</c> prints on stdout after a compile (text table or <c>--json</c>), the same whichever path ran it
/// (in-process; the embedded silo, which adds <see cref="RunId"/>; or a cluster, which adds <see cref="Cluster"/> and
/// <see cref="Attempts"/>).
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
    /// <summary>Provider LM calls of the "before" evaluation (a request for n generations is n calls; cache hits are free).</summary>
    public long BeforeCalls { get; init; }
    public long CompileCalls { get; init; }
    public long AfterCalls { get; init; }
    public required BudgetLimits Limits { get; init; }

    /// <summary>What the compile phase used (calls that reached the provider, tokens, cost).</summary>
    public OptimizerBudget Used { get; init; } = OptimizerBudget.None;
    public bool Exhausted { get; init; }
    public RunFolder? Run { get; init; }
    public required Module Optimized { get; init; }
    public required string OutPath { get; init; }

    /// <summary>The compile-run grain's id when the compile ran on a silo (embedded or a cluster's); null in-process.</summary>
    public string? RunId { get; init; }

    /// <summary>The cluster's gateway address (<c>--cluster</c>); null for a local compile.</summary>
    public string? Cluster { get; init; }

    /// <summary>How many times the cluster run was started on a silo (with <see cref="Cluster"/>).</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// The LM calls of a compile run as the run counted them on its silos (<see cref="CompileRunStatus.LmUsage"/>), and its
    /// budget's counts when it had limits (otherwise the compile phase's usage, as an in-process compile reports it).
    /// </summary>
    public CompileSummary WithRunCounts(CompileRunStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return this with
        {
            BeforeCalls = RunPhases.Of(status.LmUsage, RunPhases.Baseline).Calls,
            CompileCalls = RunPhases.Of(status.LmUsage, RunPhases.Compile).Calls,
            AfterCalls = RunPhases.Of(status.LmUsage, RunPhases.Final).Calls,
            Used = status.Budget?.Used ?? RunPhases.Of(status.LmUsage, RunPhases.Compile).Used,
            Exhausted = status.Budget?.Exhausted ?? false,
        };
    }

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
                // Where the compile ran: on the embedded silo or a cluster (with its compile-run grain's id), or in-process.
                ["silo"] = Cluster is not null ? "cluster" : RunId is null ? "in-process" : "embedded",
                ["run_id"] = RunId,
            };
            if (Cluster is not null)
            {
                summary["cluster"] = Cluster;
                summary["attempts"] = (long)Attempts;
            }
            stdout.WriteLine(PythonJson.Dumps(summary, ensureAscii: false, indent: 2));
            return;
        }
        var valName = ValPath is null ? "trainset" : "val set";
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"",-9} {"score",9} {"LM calls",9}"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"before",-9} {Percent(ScoreBefore),9} {BeforeCalls,9}"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"compile",-9} {"",9} {CompileCalls,9}"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"after",-9} {Percent(ScoreAfter),9} {AfterCalls,9}"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{MetricName} on the {valName} ({ValSize} examples) with {Model}{(Cluster is null ? "" : $" on the cluster at {Cluster} (run {RunId})")}; {Optimizer} demos per predictor: {string.Join(", ", demos.Select(d => $"{d.Key}={d.Value}"))}; saved to {OutPath}"));
    }

    private static string Percent(double score) => PythonFloat.Repr(score) + "%";
}
