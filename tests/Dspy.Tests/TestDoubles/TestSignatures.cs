namespace Dspy.Tests.TestDoubles;

/// <summary>Signatures built from fields (string parsing lives in another part of the library).</summary>
public static class TestSignatures
{
    /// <summary><c>question -> answer</c></summary>
    public static Signature QA() => new([Field.Input("question"), Field.Output("answer")]);

    /// <summary><c>question, context -> answer</c></summary>
    public static Signature ContextQA() => new([Field.Input("question"), Field.Input("context"), Field.Output("answer")]);

    /// <summary>A settings context with an LM and the marker adapter, a fresh trace, and optional extra changes.</summary>
    public static IDisposable Use(BaseLM? lm, Adapter? adapter = null, Func<DspySettings, DspySettings>? more = null) =>
        Settings.Context(s =>
        {
            var next = s with { Lm = lm, Adapter = adapter ?? new MarkerAdapter(), Trace = new TraceLog() };
            return more is null ? next : more(next);
        });
}
