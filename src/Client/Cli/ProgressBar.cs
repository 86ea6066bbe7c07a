using System.Globalization;

namespace Dspy.Cli;

/// <summary>A one-line progress bar on stderr (redrawn with a carriage return), in the spirit of DSPy's tqdm bar.</summary>
internal sealed class ProgressBar(TextWriter writer, int total, bool enabled) : IProgress<EvaluationProgress>
{
    private const int Width = 30;
    private readonly Lock _lock = new();

    public void Report(EvaluationProgress value)
    {
        if (!enabled) return;
        lock (_lock)
        {
            var done = value.Completed;
            var filled = total == 0 ? Width : (int)Math.Round(Width * (double)done / total);
            var bar = new string('#', filled) + new string('-', Width - filled);
            var pct = done == 0 ? 0 : Math.Round(100 * value.Sum / done, 1, MidpointRounding.ToEven);
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"\rAverage Metric: {value.Sum:F2} / {done} ({pct:0.0#}%) [{bar}] {done}/{total}"));
            if (done >= total) writer.WriteLine();
        }
    }
}
