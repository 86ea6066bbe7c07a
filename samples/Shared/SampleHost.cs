namespace Dspy.Samples;

/// <summary>
/// What every sample does around its DSPy code: read the options, configure the LM for the run, say when the answers
/// come from the simulator, and turn failures into one stderr line and an exit code (2 bad input, 1 a failed LM call).
/// </summary>
internal static class SampleHost
{
    public static async Task<int> RunAsync(string sample, string[] args, TextWriter output, string[] options,
        Func<SampleOptions, Task> body)
    {
        ArgumentNullException.ThrowIfNull(output);
        SampleOptions parsed;
        LM lm;
        try
        {
            parsed = SampleOptions.Parse(args, Console.Error, options);
            lm = parsed.CreateLm();
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"{sample}: {ex.Message}");
            return 2;
        }

        await output.WriteLineAsync(parsed.IsSim
            ? $"LM: {parsed.Model} (the deterministic simulator, not a language model: it answers from the nearest demo; docs/sim.md)"
            : $"LM: {parsed.Model}");
        using (Settings.Context(lm: lm))
        {
            try
            {
                await body(parsed);
            }
            catch (Exception ex) when (ex is DspyException or FormatException or ArgumentException or IOException)
            {
                await Console.Error.WriteLineAsync($"{sample}: {ex.Message}");
                // An LM failure or an answer that does not parse is a failed run; a bad option or data file is bad input.
                return ex is ArgumentException or IOException ? 2 : 1;
            }
        }
        return 0;
    }
}
