namespace Dspy.Tests.Optimizers.Runs;

/// <summary>Hard LM budgets: reservations before each provider call, never exceeded, cache hits free.</summary>
public sealed class LMBudgetTests
{
    private static LM SimLm(CountingChatClient client, string model = "sim", bool cache = false, long? maxTokens = 64) =>
        new(model, client, maxTokens: maxTokens, cache: cache, numRetries: 0);

    private static async Task<(int Ok, int Refused)> CallManyAsync(LM lm, int count)
    {
        var ok = 0;
        var refused = 0;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            try
            {
                await lm.CallAsync($"Question {i}: what is {i} plus {i}?");
                Interlocked.Increment(ref ok);
            }
            catch (BudgetExceededException)
            {
                Interlocked.Increment(ref refused);
            }
        })));
        return (ok, refused);
    }

    [Fact]
    public async Task A_call_limit_holds_under_concurrent_calls()
    {
        var client = new CountingChatClient();
        var budget = new LMBudget(new BudgetLimits { MaxCalls = 7 });
        using (budget.Install())
        {
            var (ok, refused) = await CallManyAsync(SimLm(client), 40);
            Assert.Equal(7, ok);
            Assert.Equal(33, refused);
        }
        Assert.Equal(7, client.Requests);
        Assert.Equal(7, budget.Used.LmCalls);
        Assert.True(budget.IsExhausted);
        Assert.Equal(33, budget.Refusals);
    }

    [Fact]
    public async Task A_token_limit_is_never_crossed_and_counts_the_provider_reported_tokens()
    {
        var client = new CountingChatClient();
        var budget = new LMBudget(new BudgetLimits { MaxTokens = 1500 });
        using (budget.Install())
        {
            var (ok, refused) = await CallManyAsync(SimLm(client), 40);
            Assert.True(ok > 0 && refused > 0, $"{ok} ok, {refused} refused");
        }
        var used = budget.Used;
        Assert.InRange(used.PromptTokens + used.CompletionTokens, 1, 1500);
        Assert.Equal(client.Tokens, used.PromptTokens + used.CompletionTokens);
        Assert.Equal(client.Requests, used.LmCalls);
    }

    [Fact]
    public async Task A_cost_limit_uses_the_model_price_and_is_never_crossed()
    {
        var client = new CountingChatClient();
        // The simulated LM's nominal price is $1 per 1M input and $2 per 1M output tokens.
        var budget = new LMBudget(new BudgetLimits { MaxCost = 0.001 });
        using (budget.Install())
        {
            var (ok, refused) = await CallManyAsync(SimLm(client), 30);
            Assert.True(ok > 0 && refused > 0, $"{ok} ok, {refused} refused");
        }
        Assert.NotNull(budget.Used.Cost);
        Assert.InRange(budget.Used.Cost!.Value, 1e-9, 0.001);
        Assert.Equal(client.Requests, budget.Used.LmCalls);
    }

    [Fact]
    public async Task Cache_hits_are_free()
    {
        var client = new CountingChatClient();
        var lm = new LM("sim", client, maxTokens: 64, numRetries: 0) { CacheStore = new Cache(enableDiskCache: false, enableMemoryCache: true) };
        var budget = new LMBudget(new BudgetLimits { MaxCalls = 1 });
        using (budget.Install())
        {
            await lm.CallAsync("What is 2 plus 2?");
            await lm.CallAsync("What is 2 plus 2?");
            await Assert.ThrowsAsync<BudgetExceededException>(() => lm.CallAsync("What is 3 plus 3?"));
        }
        Assert.Equal(1, client.Requests);
        Assert.Equal(1, budget.Used.LmCalls);
    }

    [Fact]
    public async Task Every_LM_in_the_flow_is_counted_including_one_held_by_an_optimizer()
    {
        var task = new CountingChatClient();
        var proposer = new CountingChatClient();
        var taskLm = SimLm(task);
        var promptModel = SimLm(proposer, "sim/proposer");
        var budget = new LMBudget(new BudgetLimits { MaxCalls = 3 });
        using (budget.Install())
        using (Settings.Context(taskLm))
        {
            await new Predict("question -> answer").CallAsync(new Dictionary<string, object?> { ["question"] = "What is 1 plus 1?" });
            await promptModel.CallAsync("Propose an instruction.");
            await Task.Run(() => promptModel.CallAsync("Propose another instruction."));
            var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => promptModel.CallAsync("And one more."));
            Assert.Equal("calls", refused.Limit);
            Assert.Equal(3, refused.Used.LmCalls);
            Assert.Contains("calls limit", refused.Message, StringComparison.Ordinal);
        }
        Assert.Equal(1, task.Requests);
        Assert.Equal(2, proposer.Requests);
    }

    [Fact]
    public async Task The_refusal_is_not_answered_by_an_adapter_fallback()
    {
        var client = new CountingChatClient();
        var budget = new LMBudget(new BudgetLimits { MaxCalls = 0 });
        using (budget.Install())
        using (Settings.Context(SimLm(client)))
        {
            await Assert.ThrowsAsync<BudgetExceededException>(() =>
                new Predict("question -> answer").CallAsync(new Dictionary<string, object?> { ["question"] = "What is 1 plus 1?" }));
        }
        Assert.Equal(0, client.Requests);
        Assert.Equal(1, budget.Refusals);
    }

    [Fact]
    public async Task A_cost_limit_on_a_model_without_a_price_is_a_clear_error()
    {
        var lm = new LM("custom/unknown-model", new CountingChatClient(), maxTokens: 64, cache: false);
        using var _ = new LMBudget(new BudgetLimits { MaxCost = 1 }).Install();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => lm.CallAsync("hello"));
        Assert.Contains("price of 'custom/unknown-model' is unknown", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_evaluation_stops_with_the_refusal_instead_of_scoring_refused_examples_as_failures()
    {
        var client = new CountingChatClient();
        var examples = Enumerable.Range(0, 30)
            .Select(i => new Example { ["question"] = $"What is {i} plus 1?", ["answer"] = $"{i + 1}" }.WithInputs("question")).ToList();
        var budget = new LMBudget(new BudgetLimits { MaxCalls = 10 });
        using var _ = Settings.Context(s => s with { Lm = SimLm(client), NumThreads = 4 });
        using var __ = budget.Install();

        await Assert.ThrowsAsync<BudgetExceededException>(() => LocalProgramEvaluator.Instance.EvaluateAsync(new ProgramEvaluationRequest
        {
            Program = new Predict("question -> answer"),
            Examples = examples,
            Metric = Metrics.Get("exact_match"),
            MaxErrors = 100,
        }));
        await Assert.ThrowsAsync<BudgetExceededException>(() => new Evaluate(examples, Metrics.Get("exact_match"), maxErrors: 100)
            .RunAsync(new Predict("question -> answer")));
        Assert.Equal(10, client.Requests);
    }

    [Fact]
    public void Negative_limits_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LMBudget(new BudgetLimits { MaxCalls = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LMBudget(new BudgetLimits { MaxCost = double.NaN }));
    }
}
