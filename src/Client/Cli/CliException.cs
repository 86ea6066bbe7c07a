namespace Dspy.Cli;

/// <summary>A user-facing failure: printed as one line on stderr, and the process exits with <see cref="ExitCode"/>.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.InvalidInput, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The exit codes of the <c>dspy</c> tool.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran but failed (an LM or runtime error).</summary>
    public const int Failure = 1;

    /// <summary>Bad input: a malformed signature, invalid JSON, an unreadable file, an unknown option.</summary>
    public const int InvalidInput = 2;
}
