namespace Dspy.Cli;

/// <summary>Runs a command body and turns every failure into one line on stderr and an exit code, never a stack trace.</summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (CliException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return ex.ExitCode;
        }
        catch (AdapterParseError ex)
        {
            await Console.Error.WriteLineAsync("error: the LM response could not be parsed: " + FirstLine(ex.Message));
            return ExitCodes.Failure;
        }
        catch (LMError ex)
        {
            await Console.Error.WriteLineAsync("error: LM call failed: " + FirstLine(ex.Message));
            return ExitCodes.Failure;
        }
        catch (MaxErrorsExceededException ex)
        {
            await Console.Error.WriteLineAsync("error: " + FirstLine(ex.Message));
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("error: cancelled.");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or KeyNotFoundException or FormatException or InvalidCastException)
        {
            await Console.Error.WriteLineAsync("error: " + FirstLine(ex.Message));
            return ExitCodes.InvalidInput;
        }
        catch (Exception ex)
        {
            // Still one line: the type says where to look, and DSPY_DEBUG=1 shows the stack for bug reports.
            await Console.Error.WriteLineAsync($"error: {ex.GetType().Name}: {FirstLine(ex.Message)}");
            if (Environment.GetEnvironmentVariable("DSPY_DEBUG") == "1") await Console.Error.WriteLineAsync(ex.ToString());
            return ExitCodes.Failure;
        }
    }

    /// <summary>The first non-empty line of an error message (CLI errors are one line).</summary>
    internal static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length == 0 ? message.Trim() : line;
    }
}
