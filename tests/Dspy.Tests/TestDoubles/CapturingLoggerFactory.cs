using Microsoft.Extensions.Logging;

namespace Dspy.Tests.TestDoubles;

/// <summary>A logger factory that keeps every formatted message with its level.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly Lock _lock = new();
    private readonly List<(LogLevel Level, string Message)> _messages = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Messages
    {
        get
        {
            lock (_lock) return _messages.ToArray();
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._lock) owner._messages.Add((logLevel, formatter(state, exception)));
        }
    }
}
