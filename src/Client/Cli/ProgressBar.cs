namespace Dspy.Cli;

/// <summary>A one-line progress bar on stderr (redrawn with a carriage return), with DSPy's progress text.</summary>
internal sealed class ProgressBar(TextWriter writer, bool enabled) : IProgress<EvaluationProgress>
{
    private const int Width = 30;
    private readonly Lock _lock = new();

    public void Report(EvaluationProgress value)
    {
        if (!enabled) return;
        lock (_lock)
        {
            var filled = value.Total == 0 ? Width : Width * value.Processed / value.Total;
            var bar = new string('#', filled) + new string('-', Width - filled);
            writer.Write($"\r{value.Description} [{bar}] {value.Processed}/{value.Total}");
            if (value.Processed >= value.Total) writer.WriteLine();
        }
    }
}
