using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dspy;

/// <summary>
/// Where adapters log (the ChatAdapter-to-JSONAdapter fallback, structured-output retries). Set
/// <see cref="LoggerFactory"/> once at startup; the default discards messages.
/// </summary>
public static partial class AdapterLogging
{
    private static ILoggerFactory s_factory = NullLoggerFactory.Instance;

    /// <summary>The logger factory adapters use.</summary>
    public static ILoggerFactory LoggerFactory
    {
        get => Volatile.Read(ref s_factory);
        set => Volatile.Write(ref s_factory, value ?? NullLoggerFactory.Instance);
    }

    internal static ILogger Logger => LoggerFactory.CreateLogger("Dspy.Adapters");

    [LoggerMessage(Level = LogLevel.Warning, Message = "ChatAdapter failed ({Error}); retrying the call with JSONAdapter.")]
    internal static partial void FallingBackToJson(ILogger logger, string error, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed to use structured output format, falling back to JSON mode.")]
    internal static partial void StructuredOutputFailed(ILogger logger, Exception exception);
}
