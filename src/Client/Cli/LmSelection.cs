namespace Dspy.Cli;

/// <summary>
/// Chooses the LM for a command: <c>--lm</c>, else <c>DSPY_LM</c>, else OpenAI when <c>OPENAI_API_KEY</c> is set, else the simulated
/// LM, which is said on stderr so nobody mistakes simulated scores for real ones.
/// </summary>
internal static class LmSelection
{
    public const string DefaultOpenAIModel = "openai/gpt-4o-mini";

    public static string ChooseModel(string? requested, TextWriter stderr)
    {
        if (!string.IsNullOrWhiteSpace(requested)) return requested;
        var fromEnv = Environment.GetEnvironmentVariable("DSPY_LM");
        if (!string.IsNullOrWhiteSpace(fromEnv)) return fromEnv;
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OPENAI_API_KEY"))) return DefaultOpenAIModel;
        stderr.WriteLine("note: no LM provider key is configured (OPENAI_API_KEY, or --lm / DSPY_LM); using the simulated LM 'sim'.");
        return "sim";
    }

    /// <summary>Creates the LM; <paramref name="cache"/> (a run folder's) replaces the process-wide cache when given.</summary>
    public static LM Create(string model, string? apiBase = null, Cache? cache = null)
    {
        try
        {
            return new LM(model, apiBase: string.IsNullOrWhiteSpace(apiBase) ? null : apiBase) { CacheStore = cache };
        }
        catch (Exception ex) when (ex is ArgumentException or LMError or InvalidOperationException)
        {
            throw new CliException($"--lm '{model}': {ex.Message}");
        }
    }
}
