using System.Text;

namespace Dspy;

/// <summary>
/// The bundled sample tasks (intent classification and arithmetic word problems), generated deterministically. Running
/// <see cref="WriteAll"/> with the default seeds rewrites <c>samples/intent/*.jsonl</c> and
/// <c>samples/arithmetic/*.jsonl</c> byte for byte; a test checks that the checked-in files match.
/// </summary>
public static class SimSamples
{
    /// <summary>Seed of the intent task.</summary>
    public const int IntentSeed = 20251;

    /// <summary>Seed of the arithmetic task.</summary>
    public const int ArithmeticSeed = 20252;

    /// <summary>Examples per intent (24 intents).</summary>
    public const int IntentPerLabel = 50;

    /// <summary>Problems per arithmetic template (10 templates).</summary>
    public const int ArithmeticPerTemplate = 60;

    /// <summary>The intent task as JSONL texts: (train, dev), two thirds and one third.</summary>
    public static (string Train, string Dev) IntentJsonl()
    {
        var rows = IntentSampleGenerator.Generate(IntentSeed, IntentPerLabel);
        var lines = rows.Select(r => Line(new Dictionary<string, object?>(StringComparer.Ordinal) { ["text"] = r.Text, ["label"] = r.Label })).ToList();
        return Split(lines);
    }

    /// <summary>The arithmetic task as JSONL texts: (train, dev), two thirds and one third.</summary>
    public static (string Train, string Dev) ArithmeticJsonl()
    {
        var rows = ArithmeticSampleGenerator.Generate(ArithmeticSeed, ArithmeticPerTemplate);
        var lines = rows.Select(r => Line(new Dictionary<string, object?>(StringComparer.Ordinal) { ["question"] = r.Question, ["answer"] = r.Answer })).ToList();
        return Split(lines);
    }

    /// <summary>Writes both tasks under <paramref name="samplesDirectory"/> (the repository's <c>samples</c> folder).</summary>
    public static void WriteAll(string samplesDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(samplesDirectory);
        Write(Path.Combine(samplesDirectory, "intent"), IntentJsonl());
        Write(Path.Combine(samplesDirectory, "arithmetic"), ArithmeticJsonl());
    }

    private static void Write(string dir, (string Train, string Dev) files)
    {
        Directory.CreateDirectory(dir);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        File.WriteAllText(Path.Combine(dir, "train.jsonl"), files.Train, utf8);
        File.WriteAllText(Path.Combine(dir, "dev.jsonl"), files.Dev, utf8);
    }

    private static string Line(Dictionary<string, object?> row) => PythonJson.Dumps(row);

    private static (string Train, string Dev) Split(List<string> lines)
    {
        var trainCount = lines.Count * 2 / 3;
        return (string.Concat(lines.Take(trainCount).Select(l => l + "\n")), string.Concat(lines.Skip(trainCount).Select(l => l + "\n")));
    }
}
