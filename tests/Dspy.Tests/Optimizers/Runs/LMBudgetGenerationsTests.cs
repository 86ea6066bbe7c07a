namespace Dspy.Tests.Optimizers.Runs;

/// <summary>LMBudget and requests for n &gt; 1 generations: the LM sends n provider requests, and the budget counts n calls.</summary>
public sealed class LMBudgetGenerationsTests
{
    private static readonly Dictionary<string, object?> FourSamples = new(StringComparer.Ordinal) { ["n"] = 4L, ["temperature"] = 1.0 };

    [Fact]
    public async Task A_request_for_n_generations_is_n_calls_and_never_crosses_the_call_limit()
    {
        var client = new CountingChatClient();
        var budget = new LMBudget(new BudgetLimits { MaxCalls = 6 });
        using var _ = Settings.Context(s => s with { Lm = new LM("sim", client, cache: false, maxTokens: 64) });
        using var __ = budget.Install();
        var predict = new Predict(Signature.Parse("question -> answer"), FourSamples);

        var first = await predict.CallAsync(("question", (object?)"What is 2 + 3?"));
        Assert.Equal(4, first.Completions!.Count);
        Assert.Equal((4L, 4L), (client.Requests, budget.Used.LmCalls));

        // 4 more would make 8 > 6: refused before anything is sent, though a single call would still fit.
        var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => predict.CallAsync(("question", (object?)"What is 7 + 1?")));
        Assert.Equal("calls", refused.Limit);
        Assert.Contains("4 calls (n=4)", refused.Message, StringComparison.Ordinal);
        Assert.Equal((4L, 4L), (client.Requests, budget.Used.LmCalls));
        await new Predict(Signature.Parse("question -> answer")).CallAsync(("question", (object?)"What is 7 + 1?"));
        Assert.Equal((5L, 5L), (client.Requests, budget.Used.LmCalls));
    }
}
