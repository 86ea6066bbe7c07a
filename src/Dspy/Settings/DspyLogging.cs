using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dspy;

/// <summary>
/// Where the library's warnings go (DSPy logs through Python's <c>logging</c>). Hosts set <see cref="LoggerFactory"/>;
/// the default discards everything.
/// </summary>
public static class DspyLogging
{
    private static ILoggerFactory s_factory = NullLoggerFactory.Instance;

    /// <summary>The factory used for every library logger.</summary>
    public static ILoggerFactory LoggerFactory
    {
        get => Volatile.Read(ref s_factory);
        set => Volatile.Write(ref s_factory, value ?? NullLoggerFactory.Instance);
    }

    /// <summary>A logger named after <paramref name="type"/>.</summary>
    public static ILogger CreateLogger(Type type) => LoggerFactory.CreateLogger(type);
}
