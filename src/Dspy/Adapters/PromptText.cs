using System.Text;

namespace Dspy;

/// <summary>
/// A per-thread reusable <see cref="StringBuilder"/> for building prompt text, and Python's <c>str.strip()</c> applied
/// while copying out, so a formatted message costs one string allocation.
/// </summary>
internal static class PromptText
{
    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>An empty builder for this thread; do not hold it across calls that may also rent it.</summary>
    public static StringBuilder Rent()
    {
        var sb = t_builder ??= new StringBuilder(1024);
        sb.Clear();
        return sb;
    }

    /// <summary>
    /// The builder's text with leading and trailing Python whitespace removed, then <paramref name="suffix"/> (which is
    /// not stripped).
    /// </summary>
    public static string ToStrippedString(StringBuilder sb, string suffix = "")
    {
        var start = 0;
        var end = sb.Length;
        while (start < end && PythonText.IsSpace(sb[start])) start++;
        while (end > start && PythonText.IsSpace(sb[end - 1])) end--;
        sb.Length = end;
        sb.Append(suffix);
        var text = sb.ToString(start, sb.Length - start);
        // A builder that grew for one very long prompt is not kept around.
        if (sb.Capacity > 64 * 1024) t_builder = null;
        return text;
    }
}
