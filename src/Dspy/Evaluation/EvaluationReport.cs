using System.Globalization;
using System.Text;

namespace Dspy;

/// <summary>
/// DSPy's result table and exports: each row is the example's fields merged with the prediction's (a key in both
/// becomes <c>example_key</c> and <c>pred_key</c>) plus a column named after the metric holding its value.
/// </summary>
public static class EvaluationReport
{
    /// <summary>DSPy's <c>_prepare_results_output</c>: one ordered dictionary per row.</summary>
    public static List<Dictionary<string, object?>> PrepareRows(IEnumerable<EvaluationRow> results, string metricName)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(metricName);
        var rows = new List<Dictionary<string, object?>>();
        foreach (var r in results)
        {
            var example = r.Example.ToDictionary();
            var prediction = r.Prediction.ToDictionary();
            var merged = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (k, v) in example) merged[prediction.ContainsKey(k) ? "example_" + k : k] = v;
            foreach (var (k, v) in prediction) merged[example.ContainsKey(k) ? "pred_" + k : k] = v;
            merged[metricName] = r.MetricValue;
            rows.Add(merged);
        }
        return rows;
    }

    /// <summary>
    /// The rows as CSV the way Python's <c>csv.DictWriter</c> writes them: a header, values as Python's <c>str()</c>
    /// (None empty), minimal quoting, <c>\r\n</c> line ends. Columns are the union of all rows' keys in first-seen order.
    /// </summary>
    public static string ToCsv(IReadOnlyList<Dictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var columns = Columns(rows);
        var sb = new StringBuilder();
        sb.Append(string.Join(",", columns.Select(CsvField))).Append("\r\n");
        foreach (var row in rows)
        {
            sb.Append(string.Join(",", columns.Select(c => CsvField(row.TryGetValue(c, out var v) && v is not null ? PythonRepr.Str(v) : ""))));
            sb.Append("\r\n");
        }
        return sb.ToString();
    }

    /// <summary>The rows as Python's <c>json.dump(rows, f)</c> writes them (ASCII-escaped, <c>", "</c> and <c>": "</c> separators).</summary>
    public static string ToJson(IReadOnlyList<Dictionary<string, object?>> rows) => PythonJson.Dumps(rows, ensureAscii: true);

    /// <summary>
    /// A plain-text table of the rows: an index column, cells of more than 25 words cut to 25 words plus "...", and the
    /// metric column shown as DSPy styles it (<c>✔️ [0.500]</c> for floats, <c>✔️ [True]</c> otherwise). With
    /// <paramref name="maxRows"/>, only the first rows are shown, followed by "... N more rows not displayed ...".
    /// </summary>
    public static string ToTable(IReadOnlyList<Dictionary<string, object?>> rows, string metricName, int? maxRows = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var columns = Columns(rows);
        var shown = maxRows is { } m ? rows.Take(Math.Max(0, m)).ToList() : rows.ToList();
        var cells = shown.Select((row, i) => (string[])[i.ToString(CultureInfo.InvariantCulture),
            .. columns.Select(c => Cell(row.TryGetValue(c, out var v) ? v : null, c == metricName, row.ContainsKey(c)))]).ToList();
        string[] header = ["", .. columns];
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();

        var sb = new StringBuilder();
        sb.AppendLine(string.Join(" | ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        sb.AppendLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var r in cells) sb.AppendLine(string.Join(" | ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        var hidden = rows.Count - shown.Count;
        if (hidden > 0) sb.AppendLine($"... {hidden} more rows not displayed ...");
        return sb.ToString();
    }

    /// <summary>DSPy's <c>truncate_cell</c>: text of more than 25 words becomes its first 25 words plus "...".</summary>
    public static string TruncateCell(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = PythonText.Split(text);
        return words.Count > 25 ? string.Join(" ", words.Take(25)) + "..." : text;
    }

    private static string Cell(object? value, bool isMetric, bool present)
    {
        if (isMetric)
        {
            if (value is double d) return $"✔️ [{PythonRound.Format(d, 3)}]";
            return value is not null ? $"✔️ [{PythonRepr.Str(value)}]" : "";
        }
        if (!present) return "NaN"; // pandas shows a missing column value as NaN
        var text = TruncateCell(value is null ? "None" : PythonRepr.Str(value));
        // One line per row: newlines inside a cell are shown escaped.
        return text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    private static List<string> Columns(IReadOnlyList<Dictionary<string, object?>> rows)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var columns = new List<string>();
        foreach (var row in rows)
        {
            foreach (var k in row.Keys)
            {
                if (seen.Add(k)) columns.Add(k);
            }
        }
        return columns;
    }

    private static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
