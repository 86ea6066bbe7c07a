using System.Text;

namespace Dspy;

/// <summary>
/// The bundled sample tasks (intent classification and arithmetic word problems), generated deterministically. Running
/// <see cref="WriteAll"/> with the default seeds rewrites <c>samples/intent/*.jsonl</c> and
/// <c>samples/arithmetic/*.jsonl</c> (train, dev and the shipped demos) and their <c>signature.txt</c> byte for byte; a
/// test checks that the checked-in files match.
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

    /// <summary>Number of demos shipped in <c>samples/intent/demos.jsonl</c>.</summary>
    public const int IntentDemoCount = 8;

    /// <summary>The intent task's signature (one line, labels in generator order), as in <c>samples/intent/signature.txt</c>.</summary>
    public static string IntentSignature =>
        "text -> label: Literal[" + string.Join(", ", IntentSampleGenerator.Labels.Select(l => "'" + l + "'")) + "]";

    /// <summary>The arithmetic task's signature, as in <c>samples/arithmetic/signature.txt</c>.</summary>
    public const string ArithmeticSignature = "question -> answer: int";

    /// <summary>
    /// The intent demos as JSONL: going through <c>train.jsonl</c> in file order, the first example of each new label,
    /// until <see cref="IntentDemoCount"/> distinct labels are covered (so 8 demos for 8 of the 24 labels).
    /// </summary>
    public static string IntentDemosJsonl()
    {
        var (train, _) = IntentJsonl();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var demos = new List<string>();
        foreach (var line in train.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var label = (string)((Dictionary<string, object?>)ValueModel.ParseJson(line)!)["label"]!;
            if (!seen.Add(label)) continue;
            demos.Add(line);
            if (demos.Count == IntentDemoCount) break;
        }
        return string.Concat(demos.Select(l => l + "\n"));
    }

    /// <summary>
    /// The arithmetic demos as JSONL: the first training problem (in <c>train.jsonl</c> order) of each of the ten
    /// templates, in template order, so every dev problem has one demo of its own template.
    /// </summary>
    public static string ArithmeticDemosJsonl()
    {
        var rows = ArithmeticSampleGenerator.Generate(ArithmeticSeed, ArithmeticPerTemplate);
        var train = rows.Take(rows.Count * 2 / 3).ToList();
        return string.Concat(ArithmeticSampleGenerator.TemplateNames
            .Select(t => train.First(r => r.Template == t))
            .Select(r => Line(new Dictionary<string, object?>(StringComparer.Ordinal) { ["question"] = r.Question, ["answer"] = r.Answer }) + "\n"));
    }

    /// <summary>Writes both tasks under <paramref name="samplesDirectory"/> (the repository's <c>samples</c> folder).</summary>
    public static void WriteAll(string samplesDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(samplesDirectory);
        Write(Path.Combine(samplesDirectory, "intent"), IntentJsonl(), IntentDemosJsonl(), IntentSignature);
        Write(Path.Combine(samplesDirectory, "arithmetic"), ArithmeticJsonl(), ArithmeticDemosJsonl(), ArithmeticSignature);
    }

    private static void Write(string dir, (string Train, string Dev) files, string demos, string signature)
    {
        Directory.CreateDirectory(dir);
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        File.WriteAllText(Path.Combine(dir, "train.jsonl"), files.Train, utf8);
        File.WriteAllText(Path.Combine(dir, "dev.jsonl"), files.Dev, utf8);
        File.WriteAllText(Path.Combine(dir, "demos.jsonl"), demos, utf8);
        File.WriteAllText(Path.Combine(dir, "signature.txt"), signature + "\n", utf8);
    }

    private static string Line(Dictionary<string, object?> row) => PythonJson.Dumps(row);

    private static (string Train, string Dev) Split(List<string> lines)
    {
        var trainCount = lines.Count * 2 / 3;
        return (string.Concat(lines.Take(trainCount).Select(l => l + "\n")), string.Concat(lines.Skip(trainCount).Select(l => l + "\n")));
    }
}
