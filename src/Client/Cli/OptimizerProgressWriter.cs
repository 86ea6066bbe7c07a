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
                    writer.Write($"\r{value.Optimizer}: example {(value.Trial ?? 0) + 1}{total}, {value.Message} ({value.Budget.LmCalls} LM calls)   ");
                    _drawn = true;
                    break;
                case OptimizerEventKind.Finished:
                    if (_drawn) writer.WriteLine();
                    writer.WriteLine($"{value.Optimizer}: {value.Message} ({value.Budget.LmCalls} LM calls)");
                    break;
            }
        }
    }
}
