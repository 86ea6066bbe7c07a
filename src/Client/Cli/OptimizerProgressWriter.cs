using System.Globalization;

namespace Dspy.Cli;

/// <summary>
/// Shows optimizer events on stderr: on a terminal a redrawn status line per trial (trial, best score so far, budget used
/// against the limits); always a line per new best and the final summary, each with the budget used.
/// </summary>
internal sealed class OptimizerProgressWriter(TextWriter writer, bool interactive, BudgetLimits? limits = null) : IProgress<OptimizerEvent>
{
    private readonly Lock _lock = new();
    private bool _drawn;
    private double? _best;

    public void Report(OptimizerEvent value)
    {
        lock (_lock)
        {
            if (value.BestScore is { } b) _best = b;
            switch (value.Kind)
            {
                case OptimizerEventKind.TrialFinished when interactive:
                    var total = value.TotalTrials is { } t ? "/" + t.ToString(CultureInfo.InvariantCulture) : "";
                    // BootstrapFewShot's trials are trainset indices; the random search's are candidate seeds (-3, -2, ...).
                    var trial = value.Optimizer == nameof(BootstrapFewShot)
                        ? $"example {(value.Trial ?? 0) + 1}{total}"
                        : $"trial {value.Trial}{total}";
                    var best = _best is { } s && value.Optimizer != nameof(BootstrapFewShot) ? $", best {PythonFloat.Repr(s)}" : "";
                    writer.Write($"\r{value.Optimizer}: {trial}{best}, {value.Message} ({Budget(value.Budget)})   ");
                    _drawn = true;
                    break;
                case OptimizerEventKind.NewBest:
                    if (_drawn) writer.WriteLine();
                    _drawn = false;
                    writer.WriteLine($"{value.Optimizer}: {value.Message} ({Budget(value.Budget)})");
                    break;
                case OptimizerEventKind.Finished:
                    if (_drawn) writer.WriteLine();
                    _drawn = false;
                    writer.WriteLine($"{value.Optimizer}: {value.Message} ({Budget(value.Budget)})");
                    break;
            }
        }
    }

    // "123 LM calls" and, under limits, each used amount against its limit: "123/500 LM calls, 45000/100000 tokens, $0.01/$1".
    private string Budget(OptimizerBudget used)
    {
        var tokens = used.PromptTokens + used.CompletionTokens;
        var parts = new List<string>
        {
            limits?.MaxCalls is { } c ? string.Create(CultureInfo.InvariantCulture, $"{used.LmCalls}/{c} LM calls") : string.Create(CultureInfo.InvariantCulture, $"{used.LmCalls} LM calls"),
        };
        if (limits?.MaxTokens is { } mt) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{tokens}/{mt} tokens"));
        if (limits?.MaxCost is { } mc) parts.Add(string.Create(CultureInfo.InvariantCulture, $"${used.Cost ?? 0:0.####}/${mc:0.####}"));
        return string.Join(", ", parts);
    }
}
