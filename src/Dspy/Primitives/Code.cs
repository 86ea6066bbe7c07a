using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.Code</c> (and <c>Code["java"]</c>): source code in a given language. Parsing strips a markdown
/// fence; in prompts the value is the bare code and the type description asks for a fenced block.
/// </summary>
[JsonConverter(typeof(DspyTypeJsonConverter<Code>))]
public sealed partial class Code : IDspyType, IPythonRepresentable, IEquatable<Code>
{
    /// <summary>Creates a code value; a markdown fence around <paramref name="code"/> is removed.</summary>
    public Code(string code, string language = "python")
    {
        ArgumentNullException.ThrowIfNull(code);
        CodeText = FilterCode(code);
        Language = language;
    }

    /// <summary>The code, without fences.</summary>
    public string CodeText { get; }

    /// <summary>The programming language (python by default).</summary>
    public string Language { get; }

    /// <summary>DSPy's type description for <c>Code[language]</c>.</summary>
    public static string Description(string language = "python") =>
        "Code represented in a string, specified in the `code` field. If this is an output field, the code field should follow the markdown code block format, e.g. \n```"
        + language.ToLowerInvariant() + "\n{code}\n```\nProgramming language: " + language;

    /// <summary>DSPy's <c>format()</c>: the code itself.</summary>
    public object Format() => CodeText;

    /// <summary>Parses a string (fence stripped), <c>{"code": "..."}</c> or a <see cref="Code"/>.</summary>
    public static Code Validate(object? value, string language = "python") => value switch
    {
        Code c => c,
        string s => new Code(s, language),
        IDictionary<string, object?> d when d.TryGetValue("code", out var code) => code is string cs
            ? new Code(cs, language)
            : throw new ArgumentException($"`code` field must be a string, but received type: {PythonTypeName(code)}"),
        IDictionary<string, object?> => throw new ArgumentException("`code` field is required for `dspy.Code`"),
        _ => throw new ArgumentException($"Received invalid value for `dspy.Code`: {PythonRepr.Str(value)}"),
    };

    private static string PythonTypeName(object? v) => v switch
    {
        null => "<class 'NoneType'>",
        long => "<class 'int'>",
        double => "<class 'float'>",
        bool => "<class 'bool'>",
        IList<object?> => "<class 'list'>",
        IDictionary<string, object?> => "<class 'dict'>",
        _ => $"<class '{v.GetType().Name}'>",
    };

    [GeneratedRegex("```(?:[^\\n]*)\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex("```(.*?)```", RegexOptions.Singleline)]
    private static partial Regex InlineFence();

    /// <summary>Extracts the code from a markdown fence (with or without a language line); otherwise returns the text.</summary>
    public static string FilterCode(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var m = FencedBlock().Match(code);
        if (m.Success) return PythonText.Strip(m.Groups[1].Value);
        m = InlineFence().Match(code);
        if (m.Success) return PythonText.Strip(m.Groups[1].Value);
        return code;
    }

    /// <summary>pydantic's repr: <c>Code(code='...')</c>.</summary>
    public string ToPythonRepr() => $"Code(code={PythonRepr.Repr(CodeText)})";

    /// <inheritdoc/>
    public override string ToString() => CodeText;

    /// <inheritdoc/>
    public bool Equals(Code? other) => other is not null && other.CodeText == CodeText;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Code);

    /// <inheritdoc/>
    public override int GetHashCode() => CodeText.GetHashCode(StringComparison.Ordinal);
}
