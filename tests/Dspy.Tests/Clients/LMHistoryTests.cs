using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace Dspy.Tests.Clients;

public sealed class LMHistoryTests
{
    private static LM Lm() => new("custom/model", new ScriptedChatClient(), cache: false);

    [Fact]
    public async Task Entries_have_dspys_keys_and_reach_the_global_history()
    {
        var lm = Lm();
        await lm.CallAsync("what is 2+2?", new Dictionary<string, object?> { ["temperature"] = 0.5 });
        var entry = Assert.Single(lm.History.Entries);
        Assert.Equal(
            ["prompt", "messages", "kwargs", "response", "outputs", "usage", "cost", "timestamp", "uuid", "model", "response_model", "model_type"],
            entry.ToDictionary().Keys);
        Assert.Equal("what is 2+2?", entry.Prompt);
        Assert.Equal(["answer to: what is 2+2?"], entry.Outputs);
        Assert.Equal(0.5, entry.Kwargs["temperature"]);
        Assert.Equal("scripted-1", entry.ResponseModel);
        Assert.Equal("chat", entry.ModelType);
        var usage = Assert.IsType<Dictionary<string, object?>>(entry.ToDictionary()["usage"]);
        Assert.Equal(15L, usage["total_tokens"]);
        Assert.Equal(2L, Assert.IsType<Dictionary<string, object?>>(usage["prompt_tokens_details"])["cached_tokens"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", entry.TimestampText);
        Assert.Contains(LMHistory.Global.Entries, e => e.Uuid == entry.Uuid);
    }

    [Fact]
    public async Task Per_lm_history_is_capped_by_max_history_size()
    {
        using var scope = Settings.Context(s => s with { MaxHistorySize = 2 });
        var lm = Lm();
        for (var i = 0; i < 3; i++) await lm.CallAsync($"q{i}");
        Assert.Equal(["q1", "q2"], lm.History.Entries.Select(e => e.Prompt));
    }

    [Fact]
    public async Task Max_history_size_zero_keeps_no_per_lm_history_but_the_global_one()
    {
        using var scope = Settings.Context(s => s with { MaxHistorySize = 0 });
        var lm = Lm();
        var marker = "zero-cap-" + Guid.NewGuid();
        await lm.CallAsync(marker);
        Assert.Empty(lm.History.Entries);
        Assert.Contains(LMHistory.Global.Entries, e => e.Prompt == marker);
    }

    [Fact]
    public async Task Disable_history_records_nothing()
    {
        using var scope = Settings.Context(s => s with { DisableHistory = true });
        var lm = Lm();
        var marker = "disabled-" + Guid.NewGuid();
        await lm.CallAsync(marker);
        Assert.Empty(lm.History.Entries);
        Assert.DoesNotContain(LMHistory.Global.Entries, e => e.Prompt == marker);
    }

    [Fact]
    public async Task Inspect_history_prints_dspys_layout_without_colours_to_a_writer()
    {
        var lm = new LM("custom/model", new ScriptedChatClient(), cache: false, kwargs: new Dictionary<string, object?> { ["n"] = 2L });
        await lm.CallAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, " hello ")]);
        using var writer = new StringWriter();
        lm.InspectHistory(1, writer);
        var text = writer.ToString();
        var ts = lm.History.Entries[0].TimestampText;
        var expected = "\n\n\n\n" + $"[{ts}]\n\n"
            + "System message:\n\nBe brief.\n\n\n"
            + "User message:\n\nhello\n\n\n"
            + "Response:\n\nanswer to:  hello  #0\n\n"
            + " \t (and 1 other completions)\n"
            + "\n\n\n\n";
        Assert.Equal(expected, text);
        Assert.DoesNotContain('\u001b', text);
    }

    [Fact]
    public async Task Each_call_emits_a_gen_ai_span()
    {
        var model = "custom/otel-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == LMTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (Equals(a.GetTagItem("gen_ai.request.model"), "otel-" + model[^8..]))
                {
                    lock (spans) spans.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await new LM(model, new ScriptedChatClient(), cache: false).CallAsync("hi");
        var span = Assert.Single(spans);
        Assert.Equal("custom", span.GetTagItem("gen_ai.system"));
        Assert.Equal(10L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(5L, span.GetTagItem("gen_ai.usage.output_tokens"));
    }
}
