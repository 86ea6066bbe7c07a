using System.Diagnostics;
using Dspy.Tests.Clients;
using Dspy.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Dspy.Tests.Configuration;

public class DspyTelemetryTests
{
    private static ChatResponse Reply(params (string Field, string Value)[] fields)
    {
        var text = string.Concat(fields.Select(f => $"[[ ## {f.Field} ## ]]\n{f.Value}\n\n")) + "[[ ## completed ## ]]";
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 2, TotalTokenCount = 5 },
        };
    }

    // Each test has its own provider and exporter; the "Dspy" source is shared with tests running in parallel, so spans
    // are kept only when they belong to this test's trace (a recorded root activity started by the test).
    private static (TracerProvider Provider, List<Activity> Exported) Tracing()
    {
        var exported = new List<Activity>();
        var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(DspyTelemetry.SourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(exported)
            .Build();
        return (provider, exported);
    }

    private static Activity StartRoot()
    {
        var root = new Activity("test-root");
        root.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        return root.Start();
    }

    private static List<Activity> InTrace(List<Activity> exported, ActivityTraceId traceId)
    {
        lock (exported) return exported.Where(a => a.TraceId == traceId).ToList();
    }

    [Fact]
    public async Task React_run_exports_module_lm_and_tool_spans_nested()
    {
        var (provider, exported) = Tracing();
        using var _p = provider;
        var client = new ScriptedChatClient()
            .Then(Reply(("next_thought", "Add them."), ("next_tool_name", "add"), ("next_tool_args", "{\"a\": 2, \"b\": 3}")))
            .Then(Reply(("next_thought", "Done."), ("next_tool_name", "finish"), ("next_tool_args", "{}")))
            .Then(Reply(("reasoning", "The tool said 5."), ("answer", "5")));
        var lm = new LM("custom/otel-react", client, cache: false);
        var react = new ReAct(TestSignatures.QA(), [new Tool((Func<long, long, long>)((a, b) => a + b), name: "add", desc: "adds")]);

        ActivityTraceId traceId;
        Prediction result;
        using (TestSignatures.Use(lm, new ChatAdapter()))
        using (var root = StartRoot())
        {
            traceId = root.TraceId;
            result = await react.CallAsync(("question", "2+3?"));
        }
        provider.ForceFlush();

        Assert.Equal("5", result["answer"]);
        var spans = InTrace(exported, traceId);
        var byId = spans.ToDictionary(s => s.SpanId);
        Activity? Parent(Activity a) => byId.GetValueOrDefault(a.ParentSpanId);

        var reactSpan = Assert.Single(spans, s => s.DisplayName == "module ReAct");
        Assert.Equal("ReAct", reactSpan.GetTagItem(DspyTelemetry.ModuleTypeAttribute));
        Assert.Equal("self", reactSpan.GetTagItem(DspyTelemetry.ModuleNameAttribute));
        Assert.Null(Parent(reactSpan)); // its parent is the test's root, which is not a Dspy span

        // Two turns by the react predictor and one by extract.predict, each with one LM call under it.
        var predictSpans = spans.Where(s => s.DisplayName == "module Predict").ToList();
        Assert.Equal(3, predictSpans.Count);
        Assert.All(predictSpans, p => Assert.Equal("Predict", p.GetTagItem(DspyTelemetry.ModuleTypeAttribute)));
        Assert.Equal(2, predictSpans.Count(p => Equals(p.GetTagItem(DspyTelemetry.ModuleNameAttribute), "self.react")));
        var extractPredict = Assert.Single(predictSpans, p => Equals(p.GetTagItem(DspyTelemetry.ModuleNameAttribute), "self.extract.predict"));
        var cot = Assert.Single(spans, s => s.DisplayName == "module ChainOfThought");
        Assert.Equal("self.extract", cot.GetTagItem(DspyTelemetry.ModuleNameAttribute));
        Assert.Same(reactSpan, Parent(cot));
        Assert.Same(cot, Parent(extractPredict));
        Assert.All(predictSpans.Where(p => p != extractPredict), p => Assert.Same(reactSpan, Parent(p)));

        var lmSpans = spans.Where(s => s.DisplayName == "chat custom/otel-react").ToList();
        Assert.Equal(3, lmSpans.Count);
        Assert.All(lmSpans, l =>
        {
            Assert.Equal(ActivityKind.Client, l.Kind);
            Assert.Contains(Parent(l), predictSpans);
            Assert.Equal("otel-react", l.GetTagItem("gen_ai.request.model"));
        });
        Assert.Equal(predictSpans.Count, lmSpans.Select(Parent).Distinct().Count());

        var toolSpans = spans.Where(s => s.DisplayName.StartsWith("tool ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["tool add", "tool finish"], toolSpans.OrderBy(s => s.StartTimeUtc).Select(s => s.DisplayName));
        Assert.All(toolSpans, t => Assert.Same(reactSpan, Parent(t)));
        var add = toolSpans.Single(t => t.DisplayName == "tool add");
        Assert.Equal("add", add.GetTagItem(DspyTelemetry.ToolNameAttribute));
        Assert.Equal("execute_tool", add.GetTagItem("gen_ai.operation.name"));
        Assert.NotEqual(ActivityStatusCode.Error, add.Status);

        // Every Dspy span of the run is one of those above.
        Assert.Equal(1 + 1 + 3 + 3 + 2, spans.Count);
    }

    [Fact]
    public async Task Failing_tool_span_has_error_status_and_tool_callbacks_run()
    {
        var (provider, exported) = Tracing();
        using var _p = provider;
        var callback = new ToolRecorder();
        var tool = new Tool((Func<string, string>)(city => throw new InvalidOperationException($"no such city: {city}")), name: "weather");

        ActivityTraceId traceId;
        using (Settings.Context(s => s with { Callbacks = [callback] }))
        using (var root = StartRoot())
        {
            traceId = root.TraceId;
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => tool.CallAsync(new Dictionary<string, object?> { ["city"] = "Atlantis" }));
            Assert.Equal("no such city: Atlantis", ex.Message);
        }
        provider.ForceFlush();

        var span = Assert.Single(InTrace(exported, traceId));
        Assert.Equal("tool weather", span.DisplayName);
        Assert.Equal("weather", span.GetTagItem(DspyTelemetry.ToolNameAttribute));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("no such city: Atlantis", span.StatusDescription);
        Assert.Equal("InvalidOperationException", span.GetTagItem("error.type"));

        Assert.Equal(2, callback.Events.Count);
        var (startId, startInputs) = (callback.Events[0].CallId, callback.Events[0].Payload);
        Assert.Equal("start:weather", callback.Events[0].Kind);
        Assert.Equal("Atlantis", Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(startInputs)["city"]);
        Assert.Equal("end", callback.Events[1].Kind);
        Assert.Equal(startId, callback.Events[1].CallId);
        Assert.IsType<InvalidOperationException>(callback.Events[1].Error);
    }

    [Fact]
    public async Task Failing_module_span_has_error_status()
    {
        var (provider, exported) = Tracing();
        using var _p = provider;
        ActivityTraceId traceId;
        using (TestSignatures.Use(new ScriptedLM { Responder = _ => "unparseable" }))
        using (var root = StartRoot())
        {
            traceId = root.TraceId;
            await Assert.ThrowsAsync<AdapterParseError>(() => new Predict(TestSignatures.QA()).CallAsync(("question", "q")));
        }
        provider.ForceFlush();

        var span = Assert.Single(InTrace(exported, traceId));
        Assert.Equal("module Predict", span.DisplayName);
        Assert.Equal("self", span.GetTagItem(DspyTelemetry.ModuleNameAttribute));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(nameof(AdapterParseError), span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task Tool_end_callback_sees_the_result()
    {
        var callback = new ToolRecorder();
        var tool = new Tool((Func<long, long>)(x => x * 2), name: "double");
        using (Settings.Context(s => s with { Callbacks = [callback] }))
        {
            Assert.Equal(8L, await tool.CallAsync(new Dictionary<string, object?> { ["x"] = 4L }));
        }
        Assert.Equal(["start:double", "end"], callback.Events.Select(e => e.Kind));
        Assert.Equal(8L, callback.Events[1].Payload);
        Assert.Null(callback.Events[1].Error);
    }

    [Fact]
    public async Task Spans_are_not_created_without_a_listener_for_an_unrelated_source()
    {
        // A provider listening to another source records none of the Dspy spans.
        var exported = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder().AddSource("Not.Dspy").SetSampler(new AlwaysOnSampler()).AddInMemoryExporter(exported).Build();
        var tool = new Tool((Func<long, long>)(x => x), name: "id");
        using var root = StartRoot();
        await tool.CallAsync(new Dictionary<string, object?> { ["x"] = 1L });
        provider.ForceFlush();
        Assert.Empty(InTrace(exported, root.TraceId));
    }

    private sealed class ToolRecorder : IDspyCallback
    {
        public List<(string Kind, string CallId, object? Payload, Exception? Error)> Events { get; } = [];

        public void OnToolStart(string callId, object instance, IReadOnlyDictionary<string, object?> inputs)
        {
            lock (Events) Events.Add(($"start:{((Tool)instance).Name}", callId, inputs, null));
        }

        public void OnToolEnd(string callId, object? outputs, Exception? exception)
        {
            lock (Events) Events.Add(("end", callId, outputs, exception));
        }
    }
}
