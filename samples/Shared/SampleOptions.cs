namespace Dspy.Samples;

/// <summary>
/// The command line every sample shares: <c>--lm MODEL</c> and <c>--api-base URL</c> (an OpenAI-compatible server, as
/// for the CLI) plus the sample's own options (<c>--question TEXT</c>, ...).
/// Linked into each sample project, so a sample stays one short file of DSPy code.
/// </summary>
internal sealed class SampleOptions
{
    private readonly Dictionary<string, string> _values;

    private SampleOptions(string model, Dictionary<string, string> values)
    {
        Model = model;
        _values = values;
    }

    /// <summary>The LM name: <c>--lm</c>, else <c>DSPY_LM</c>, else <c>openai/gpt-4o-mini</c> when <c>OPENAI_API_KEY</c> is set, else <c>sim</c>.</summary>
    public string Model { get; }

    /// <summary>True when the run uses the simulated LM, whose answers the samples label as the simulator's.</summary>
    public bool IsSim => Model == "sim" || Model.StartsWith("sim/", StringComparison.Ordinal);

    /// <summary>The value of a sample option, or null when it was not given.</summary>
    public string? Get(string option) => _values.TryGetValue(option, out var v) ? v : null;

    /// <summary>
    /// Reads <c>--lm</c>, <c>--api-base</c> and the <paramref name="allowed"/> options (each takes one value). Unknown options and missing
    /// values throw <see cref="ArgumentException"/> with a message naming the option.
    /// </summary>
    public static SampleOptions Parse(string[] args, TextWriter stderr, params string[] allowed)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is not ("--lm" or "--api-base") && !allowed.Contains(name))
            {
                var known = string.Join(", ", allowed.Prepend("--api-base").Prepend("--lm"));
                throw new ArgumentException($"unknown option '{name}' (expected {known}).");
            }
            if (i + 1 >= args.Length || string.IsNullOrWhiteSpace(args[i + 1]))
            {
                throw new ArgumentException($"option '{name}' needs a value.");
            }
            values[name] = args[++i];
        }
        values.TryGetValue("--lm", out var requested);
        return new SampleOptions(ChooseModel(requested, stderr), values);
    }

    /// <summary>Creates the LM; a bad model name becomes an <see cref="ArgumentException"/> naming <c>--lm</c>.</summary>
    public LM CreateLm()
    {
        try
        {
            return new LM(Model, apiBase: Get("--api-base"));
        }
        catch (Exception ex) when (ex is LMError or InvalidOperationException)
        {
            throw new ArgumentException($"--lm '{Model}': {ex.Message}", ex);
        }
    }

    // The same choice, in the same order and with the same note, as the dspy CLI: nobody should mistake the simulator's
    // answers for a real model's.
    private static string ChooseModel(string? requested, TextWriter stderr)
    {
        if (!string.IsNullOrWhiteSpace(requested)) return requested;
        var fromEnv = Environment.GetEnvironmentVariable("DSPY_LM");
        if (!string.IsNullOrWhiteSpace(fromEnv)) return fromEnv;
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OPENAI_API_KEY"))) return "openai/gpt-4o-mini";
        stderr.WriteLine("note: no LM provider key is configured (OPENAI_API_KEY, or --lm / DSPY_LM); using the simulated LM 'sim'.");
        return "sim";
    }
}
