namespace Dspy.Tests.Adapters;

/// <summary>Small helpers to build signatures and demos in tests.</summary>
internal static class Sigs
{
    public static Signature Make(string? instructions, params Field[] fields) => new(fields, instructions);

    public static Example Demo(params (string Key, object? Value)[] values) =>
        new(values.Select(v => new KeyValuePair<string, object?>(v.Key, v.Value)));

    public static Dictionary<string, object?> Inputs(params (string Key, object? Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value);

    public static string Text(Microsoft.Extensions.AI.ChatMessage m) => string.Concat(m.Contents.OfType<Microsoft.Extensions.AI.TextContent>().Select(t => t.Text));
}
