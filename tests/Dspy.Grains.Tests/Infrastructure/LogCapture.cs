using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Dspy.Grains.Tests;

/// <summary>
/// Keeps the log lines of a test cluster's silos in memory (the project's own at Information and up, everything else at
/// Warning and up, reminder and storage lines included), so a failing assertion can say what the silos were doing.
/// </summary>
internal sealed class LogCapture : ILoggerProvider
{
    private const int Capacity = 2000;
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>The newest <paramref name="count"/> lines that contain any of <paramref name="terms"/> (all when none given).</summary>
    public string Tail(int count, params string[] terms) => string.Join(Environment.NewLine,
        _lines.Where(l => terms.Length == 0 || terms.Any(t => l.Contains(t, StringComparison.OrdinalIgnoreCase))).TakeLast(count));

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Capacity) _lines.TryDequeue(out _);
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        private readonly LogLevel _minimum = category.StartsWith("Dspy", StringComparison.Ordinal) || category.Contains("Reminder", StringComparison.Ordinal)
            ? LogLevel.Information
            : LogLevel.Warning;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= _minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var error = exception is null ? "" : $" | {exception.GetType().Name}: {exception.Message}";
            owner.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{error}");
        }
    }
}
