using System.Collections;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Dspy;

/// <summary>
/// The evaluation store of a run (DESIGN invariant 2): evaluated cells (see <see cref="EvaluationCellKey"/>) with their
/// score, prediction, raw metric value and trace, in an append-only JSON Lines file. Each line is
/// <c>&lt;checksum&gt; &lt;json&gt;</c> (the first 16 hex digits of the JSON's SHA-256) and is flushed to disk before
/// <see cref="Put"/> returns, so a crash loses at most the cells being written: on open, a torn last line (no newline)
/// is cut off and any line whose checksum does not match is ignored. The first entry for a key wins.
/// </summary>
/// <remarks>
/// Only cells whose values round-trip through JSON exactly are stored (strings, integers, finite floats, booleans, null,
/// lists and string-keyed dictionaries of them); others are simply evaluated again on a re-run. Failed examples are never
/// stored. Stored predictions keep their fields only (not completions or usage).
/// </remarks>
public sealed class EvaluationStore : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StoredCell> _cells = new(StringComparer.Ordinal);
    private readonly FileStream _stream;

    /// <summary>Opens (creating if needed) the store file at <paramref name="path"/> and loads its valid cells.</summary>
    public EvaluationStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        Load();
    }

    /// <summary>The store file.</summary>
    public string Path { get; }

    /// <summary>Cells loaded or written.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _cells.Count;
        }
    }

    /// <summary>Lines ignored when the store was opened (torn or corrupted).</summary>
    public int IgnoredLines { get; private set; }

    /// <summary>Looks up the cell <paramref name="key"/>.</summary>
    public bool TryGet(string key, out StoredCell cell)
    {
        lock (_lock) return _cells.TryGetValue(key, out cell!);
    }

    /// <summary>
    /// Stores a successful evaluation of the cell <paramref name="key"/>; returns false (and stores nothing) when it failed
    /// or its values do not round-trip through JSON exactly.
    /// </summary>
    public bool Put(string key, ExampleEvaluation evaluation)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(evaluation);
        if (!evaluation.Succeeded || !double.IsFinite(evaluation.Score)) return false;
        var metric = EncodeMetricValue(evaluation.MetricValue, out var ok);
        if (!ok) return false;
        var prediction = evaluation.Prediction.Items().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        if (!IsNative(prediction)) return false;
        var trace = new List<object?>();
        foreach (var step in evaluation.Trace)
        {
            var inputs = step.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var outputs = step.Outputs.Items().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            if (!IsNative(inputs) || !IsNative(outputs)) return false;
            trace.Add(new Dictionary<string, object?>(StringComparer.Ordinal) { ["predictor"] = step.PredictorName, ["inputs"] = inputs, ["outputs"] = outputs });
        }
        var payload = PythonJson.Dumps(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["key"] = key,
            ["score"] = evaluation.Score,
            ["metric_value"] = metric,
            ["prediction"] = prediction,
            ["trace"] = trace,
        });
        var cell = Decode(payload) ?? throw new InvalidOperationException("An evaluation cell did not round-trip through JSON.");
        lock (_lock)
        {
            if (!_cells.TryAdd(key, cell.Cell)) return true;
            var line = Encoding.UTF8.GetBytes(Checksum(payload) + " " + payload + "\n");
            _stream.Seek(0, SeekOrigin.End);
            _stream.Write(line);
            _stream.Flush(flushToDisk: true);
        }
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock) _stream.Dispose();
    }

    private void Load()
    {
        var bytes = new byte[_stream.Length];
        _stream.ReadExactly(bytes);
        var end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        if (end < bytes.Length)
        {
            // A torn last line (the process died mid-write): cut it off so the next append starts on a fresh line.
            IgnoredLines++;
            _stream.SetLength(end);
            _stream.Flush(flushToDisk: true);
        }
        foreach (var line in Encoding.UTF8.GetString(bytes, 0, end).Split('\n'))
        {
            if (line.Length == 0) continue;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var decoded = space == 16 && Checksum(line[17..]) == line[..16] ? Decode(line[17..]) : null;
            if (decoded is not { } d)
            {
                IgnoredLines++;
                continue;
            }
            _cells.TryAdd(d.Key, d.Cell);
        }
    }

    private static (string Key, StoredCell Cell)? Decode(string payload)
    {
        try
        {
            if (ValueModel.ParseJson(payload) is not Dictionary<string, object?> o || o.GetValueOrDefault("key") is not string key) return null;
            var score = o.GetValueOrDefault("score") switch { double d => d, long l => l, _ => double.NaN };
            if (double.IsNaN(score) || o.GetValueOrDefault("prediction") is not Dictionary<string, object?> prediction
                || o.GetValueOrDefault("trace") is not List<object?> trace) return null;
            var steps = new List<PredictorTraceStep>();
            foreach (var item in trace)
            {
                if (item is not Dictionary<string, object?> step || step.GetValueOrDefault("inputs") is not Dictionary<string, object?> inputs
                    || step.GetValueOrDefault("outputs") is not Dictionary<string, object?> outputs) return null;
                steps.Add(new PredictorTraceStep(step.GetValueOrDefault("predictor") as string, inputs, new Prediction(outputs)));
            }
            return (key, new StoredCell(score, DecodeMetricValue(o.GetValueOrDefault("metric_value")), prediction, steps));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Metric values: bool, number or null as they are; a scored prediction (GEPA's feedback) as {"prediction": {...}}.
    private static object? EncodeMetricValue(object? value, out bool ok)
    {
        ok = true;
        switch (value)
        {
            case null or bool or long or string: return value;
            case int i: return (long)i;
            case double d when double.IsFinite(d): return d;
            case Prediction p:
                var items = p.Items().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
                ok = IsNative(items);
                return new Dictionary<string, object?>(StringComparer.Ordinal) { ["prediction"] = items };
            default:
                ok = false;
                return null;
        }
    }

    private static object? DecodeMetricValue(object? value) =>
        value is Dictionary<string, object?> d && d.GetValueOrDefault("prediction") is Dictionary<string, object?> items ? new Prediction(items) : value;

    // Values that come back from JSON as the same CLR values (so a replayed cell builds byte-identical programs).
    private static bool IsNative(object? value) => value switch
    {
        null or string or bool or long or int => true,
        double d => double.IsFinite(d),
        IDictionary<string, object?> d => d.Values.All(IsNative),
        IList list => list.Cast<object?>().All(IsNative),
        _ => false,
    };

    private static string Checksum(string payload) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload)))[..16];
}

/// <summary>A stored evaluation cell.</summary>
/// <param name="Score">The metric's score.</param>
/// <param name="MetricValue">The metric's raw value.</param>
/// <param name="Prediction">The prediction's fields.</param>
/// <param name="Trace">The trace, when it was captured.</param>
public readonly record struct StoredCell(double Score, object? MetricValue, IReadOnlyDictionary<string, object?> Prediction, IReadOnlyList<PredictorTraceStep> Trace);
