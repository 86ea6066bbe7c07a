using System.Globalization;

namespace Dspy.Cli;

/// <summary>Shows optimizer events on stderr: a redrawn line per trial on a terminal, and the final summary line always.</summary>
internal sealed class OptimizerProgressWriter(TextWriter writer, bool interactive) : IProgress<OptimizerEvent>
{
    private readonly Lock _lock = new();
    private bool _drawn;

    public void Report(OptimizerEvent value)
    {
        lock (_lock)
        {
            switch (value.Kind)
            {
                case OptimizerEventKind.TrialFinished when interactive:
                    var total = value.TotalTrials is { } t ? "/" + t.ToString(CultureInfo.InvariantCulture) : "";
                    // BootstrapFewShot's trials are trainset indices; the random search's are candidate seeds (-3, -2, ...).
                    var trial = value.Optimizer == nameof(BootstrapFewShot)
                        ? $"example {(value.Trial ?? 0) + 1}{total}"
                        : $"candidate {value.Trial}{total}";
                    writer.Write($"\r{value.Optimizer}: {trial}, {value.Message} ({value.Budget.LmCalls} LM calls)   ");
                    _drawn = true;
                    break;
                case OptimizerEventKind.NewBest:
                    if (_drawn) writer.WriteLine();
                    _drawn = false;
                    writer.WriteLine($"{value.Optimizer}: {value.Message} ({value.Budget.LmCalls} LM calls)");
                    break;
                case OptimizerEventKind.Finished:
                    if (_drawn) writer.WriteLine();
                    writer.WriteLine($"{value.Optimizer}: {value.Message} ({value.Budget.LmCalls} LM calls)");
                    break;
            }
        }
    }
}
