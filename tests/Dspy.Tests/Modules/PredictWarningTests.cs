using Dspy.Tests.TestDoubles;
using Microsoft.Extensions.Logging;

namespace Dspy.Tests.Modules;

[CollectionDefinition(nameof(GlobalLoggingCollection), DisableParallelization = true)]
public sealed class GlobalLoggingCollection
{
}

/// <summary>Swaps the library's global logger factory, so it runs alone.</summary>
[Collection(nameof(GlobalLoggingCollection))]
public sealed class PredictWarningTests : IDisposable
{
    private readonly ILoggerFactory _previous = DspyLogging.LoggerFactory;
    private readonly CapturingLoggerFactory _logs = new();

    public PredictWarningTests() => DspyLogging.LoggerFactory = _logs;

    public void Dispose() => DspyLogging.LoggerFactory = _previous;

    [Fact]
    public async Task Predict_warns_like_dspy_about_extra_missing_and_mistyped_inputs()
    {
        var sig = new Signature([Field.Input("question"), Field.Input("k", TypeSpec.Int), Field.Output("answer")]);
        using var _ = TestSignatures.Use(new ScriptedLM());

        await new Predict(sig).CallAsync(("question", 5L), ("extra", "x"));

        var warnings = _logs.Messages.Where(m => m.Level == LogLevel.Warning).Select(m => m.Message).ToList();
        Assert.Contains("Input contains fields not in signature. These fields will be ignored: ['extra']. Expected fields: ['question', 'k'].", warnings);
        Assert.Contains("Type mismatch for field 'question': expected str based on given Signature, but the provided value is incompatible: 5.", warnings);
        Assert.Contains("Not all input fields were provided to module. Present: ['question']. Missing: ['k'].", warnings);
    }

    [Fact]
    public async Task Type_mismatch_warnings_can_be_turned_off_and_skip_untyped_fields()
    {
        var sig = new Signature([Field.Input("question") with { IsTypeUndefined = true }, Field.Input("k", TypeSpec.Float), Field.Output("answer")]);
        using (TestSignatures.Use(new ScriptedLM()))
        {
            await new Predict(sig).CallAsync(("question", 5L), ("k", 1.5));
        }
        using (TestSignatures.Use(new ScriptedLM(), more: s => s with { WarnOnTypeMismatch = false }))
        {
            await new Predict(sig).CallAsync(("question", "q"), ("k", 1L));
        }
        Assert.DoesNotContain(_logs.Messages, m => m.Message.StartsWith("Type mismatch", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Evaluate_logs_failures_and_the_average()
    {
        var devset = new List<Example> { new Example(new Dictionary<string, object?> { ["question"] = "q", ["answer"] = "x" }).WithInputs("question") };
        using var _ = TestSignatures.Use(new ScriptedLM([new Dictionary<string, object?> { ["answer"] = "x" }]));
        await new Evaluate(devset, Metrics.ExactMatch, numThreads: 1) { Output = TextWriter.Null }.RunAsync(new Predict(TestSignatures.QA()));
        await new Evaluate(devset, Metric.Create("half", (e, p) => 0.5), numThreads: 1) { Output = TextWriter.Null }.RunAsync(new Predict(TestSignatures.QA()));
        Assert.Contains(_logs.Messages, m => m.Level == LogLevel.Information && m.Message == "Average Metric: 0.5 / 1 (50.0%)");
        Assert.Contains(_logs.Messages, m => m.Level == LogLevel.Information && m.Message == "Average Metric: 1 / 1 (100.0%)");
    }
}
