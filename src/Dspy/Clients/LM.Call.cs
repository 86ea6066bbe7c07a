using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Dspy;

public sealed partial class LM
{
    /// <summary>Completes a plain prompt (DSPy's <c>lm(prompt)</c>): one user message.</summary>
    public Task<LMResponse> CallAsync(string prompt, IReadOnlyDictionary<string, object?>? kwargs = null, CancellationToken cancellationToken = default)
        => CallWithCallbacksAsync(prompt, [new ChatMessage(ChatRole.User, prompt)], kwargs, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// <c>n</c> &gt; 1: <see cref="IChatClient"/> has no <c>n</c> option, so the LM issues <c>n</c> concurrent requests, each
    /// with <c>AdditionalProperties["choice_index"] = i</c> (so a deterministic client such as the simulated LM can vary the
    /// i-th generation), and combines them into one response with <c>n</c> outputs, cached as one entry.
    /// </remarks>
    public override Task<LMResponse> CallAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, object?>? kwargs = null,
        CancellationToken cancellationToken = default)
        => CallWithCallbacksAsync(null, messages, kwargs, cancellationToken);

    // Callbacks see DSPy's lm inputs: the prompt or messages, and the per-call kwargs.
    private Task<LMResponse> CallWithCallbacksAsync(string? prompt, IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, object?>? kwargs,
        CancellationToken cancellationToken)
    {
        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["prompt"] = prompt,
            ["messages"] = messages,
            ["kwargs"] = kwargs,
        };
        return DspyCallbacks.RunAsync(CallbackKind.Lm, this, null, inputs, () => CallCoreAsync(prompt, messages, kwargs, cancellationToken));
    }

    private async Task<LMResponse> CallCoreAsync(string? prompt, IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, object?>? kwargs,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var merged = new Dictionary<string, object?>(Kwargs, StringComparer.Ordinal);
        if (kwargs is not null)
        {
            foreach (var (k, v) in kwargs) merged[k] = v;
        }
        var useCache = merged.Remove("cache", out var perCall) ? perCall is not false && (perCall is true || Cache) : Cache;
        if (ShouldWarnZeroTempRollout(merged.GetValueOrDefault("temperature"), merged.GetValueOrDefault("rollout_id")))
            Logger.LogWarning("rollout_id has no effect when temperature=0; set temperature>0 to bypass the cache.");
        if (merged.TryGetValue("rollout_id", out var rid) && rid is null) merged.Remove("rollout_id");

        var sent = ModelType == "text" ? [TextPrompt(messages)] : messages;
        // Key and history use the messages as given (as DSPy does); a text model receives them joined into one prompt.
        var rendered = MessageRendering.Render(messages);
        string? key = null;
        try
        {
            var request = new Dictionary<string, object?>(merged, StringComparer.Ordinal)
            {
                ["model"] = Model,
                ["messages"] = rendered,
                ["_fn_identifier"] = FunctionIdentifier,
            };
            if (Capabilities.CacheVersion is { } version) request["_cache_version"] = version;
            key = Dspy.Cache.ComputeKey(request);
        }
        catch (NotSupportedException)
        {
            // DSPy: a request whose key cannot be computed is simply not cached.
        }

        using var activity = LMTelemetry.StartCall(Model, Provider, ModelName, merged);
        try
        {
            var settings = Settings.Current;
            // A dry run must neither read nor fill the real cache: its answers are simulated.
            var store = useCache && key is not null ? settings.Projection?.Cache ?? CacheStore ?? Dspy.Cache.Current : null;
            var response = store is null ? null : await store.GetAsync(key!, cancellationToken);
            if (response is null)
            {
                // The hard budget (invariant 3): reserve an upper bound before the provider is called, settle with the usage.
                var reservation = settings.Budget is { } budget ? await budget.ReserveAsync(Model, sent, merged, cancellationToken) : null;
                try
                {
                    response = await ForwardAsync(sent, merged, key, cancellationToken);
                }
                catch
                {
                    if (reservation is not null) await reservation.FailAsync();
                    throw;
                }
                if (reservation is not null) await reservation.CompleteAsync(response.Usage);
                // Not cancellable: the response is paid for, and a shared store keeps it for every other process too.
                if (store is not null) await store.PutAsync(key!, response, CancellationToken.None);
                if (Settings.Current.UsageTracker is { } tracker) tracker.Add(Model, response.Usage);
            }
            LMTelemetry.Complete(activity, response);
            WarnIfTruncated(response, merged);
            UpdateHistory(new LMHistoryEntry
            {
                Prompt = prompt,
                Messages = rendered,
                Kwargs = merged.Where(kv => !kv.Key.StartsWith("api_", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
                Response = response,
                Outputs = [.. response.Outputs.Select(LMHistoryEntry.OutputValue)],
                Timestamp = TimeProvider.GetUtcNow(),
                Uuid = Guid.NewGuid().ToString(),
                Model = Model,
                ModelType = ModelType,
            });
            return response;
        }
        catch (Exception e)
        {
            LMTelemetry.Fail(activity, e);
            throw;
        }
    }

    private string FunctionIdentifier => ModelType switch
    {
        "text" => "dspy.clients.lm.litellm_text_completion",
        "responses" => "dspy.clients.lm.litellm_responses_completion",
        _ => "dspy.clients.lm.litellm_completion",
    };

    // DSPy's text completion: the message contents joined by blank lines, then "BEGIN RESPONSE:".
    private static ChatMessage TextPrompt(IReadOnlyList<ChatMessage> messages)
        => new(ChatRole.User, string.Join("\n\n", messages.Select(m => m.Text).Append("BEGIN RESPONSE:")));

    private async Task<LMResponse> ForwardAsync(IReadOnlyList<ChatMessage> messages, Dictionary<string, object?> merged, string? key,
        CancellationToken cancellationToken)
    {
        var n = merged.GetValueOrDefault("n") switch
        {
            null => 1,
            long l => (int)l,
            int i => i,
            double d => (int)d,
            var other => throw new LMConfigurationError($"n must be an integer, got {PythonRepr.Repr(other)}.") { Model = Model, Provider = Provider },
        };
        if (n < 1) throw new LMConfigurationError($"n must be at least 1, got {n}.") { Model = Model, Provider = Provider };
        IChatClient client;
        var projection = Settings.Current.Projection;
        try
        {
            client = projection?.ChatClient ?? ChatClient;
        }
        catch (Exception e) when (e is not LMError)
        {
            throw new LMConfigurationError($"Could not create the client for '{Model}': {e.Message}", e) { Model = Model, Provider = Provider };
        }
        var options = ChatOptionsMapper.ToChatOptions(merged, ModelName, Capabilities.ReceivesRolloutId || Provider == "sim" || projection is not null);
        var forwardChoiceIndex = false;
        if (projection is null && _customClient is null && Provider is "openai" or "azure" && ModelType == "chat")
        {
            // Microsoft.Extensions.AI.OpenAI does not put AdditionalProperties on the wire; DSPy sends every extra kwarg to the
            // provider, so they go into the request body through the SDK's JSON patch. choice_index is only forwarded to a
            // custom OpenAI-compatible server (api_base), which may use it like the simulated LM; OpenAI itself rejects it.
            forwardChoiceIndex = (merged.GetValueOrDefault("api_base") ?? merged.GetValueOrDefault("base_url")) is string;
            OpenAIExtraBody.Attach(options, forwardChoiceIndex);
        }
        ChatResponse[] responses;
        if (n == 1)
        {
            // Inside Streaming.Streamify the single generation is streamed (see LM.Stream.cs); n > 1 is not.
            var stream = StreamSession.Current?.BeginResponse(merged);
            responses = [await SendWithRetriesAsync(client, messages, options, key, 0, cancellationToken, stream)];
        }
        else
        {
            var tasks = Enumerable.Range(0, n).Select(i =>
            {
                var o = options.Clone();
                o.AdditionalProperties = o.AdditionalProperties is null ? [] : new AdditionalPropertiesDictionary(o.AdditionalProperties);
                o.AdditionalProperties[ChatOptionsMapper.ChoiceIndexKey] = (long)i;
                if (forwardChoiceIndex) OpenAIExtraBody.Attach(o, true);
                return SendWithRetriesAsync(client, messages, o, key, i, cancellationToken);
            });
            responses = await Task.WhenAll(tasks);
        }
        return Combine(responses);
    }

    private async Task<ChatResponse> SendWithRetriesAsync(IChatClient client, IReadOnlyList<ChatMessage> messages, ChatOptions options,
        string? key, int choice, CancellationToken cancellationToken, LMStreamWriter? stream = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return stream is null
                    ? await client.GetResponseAsync(messages, options, cancellationToken)
                    : await StreamOnceAsync(client, messages, options, stream, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                var error = LMErrorMapper.FromException(e, Model, Provider, cancellationToken);
                // A retry after streamed text would repeat that text to the stream's reader.
                if (attempt > NumRetries || !LMErrorMapper.IsRetryable(error) || stream is { HasPublished: true })
                {
                    if (ReferenceEquals(error, e)) throw; // already an LMError: keep its stack trace
                    throw error;
                }
                var delay = RetryDelay(attempt, error.RetryAfter, key, choice);
                OnRetry?.Invoke(new LMRetryEvent(Model, attempt, error, delay));
                await WaitAtLeastAsync(delay, cancellationToken);
            }
        }
    }

    // Timers run on a coarse tick and can fire a millisecond or so early; a Retry-After is a promise not to come back
    // sooner, so the wait is checked against the precise clock and topped up.
    private async Task WaitAtLeastAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var start = TimeProvider.GetTimestamp();
        var remaining = delay;
        while (remaining > TimeSpan.Zero)
        {
            var step = remaining < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : remaining;
            await Task.Delay(step, TimeProvider, cancellationToken);
            remaining = delay - TimeProvider.GetElapsedTime(start);
        }
    }

    /// <summary>
    /// Exponential backoff with jitter: base * 2^(attempt-1), capped, scaled by a factor in [0.5, 1) drawn from a generator
    /// seeded by the request key, generation and attempt (so retries are reproducible, not tied to call order); never
    /// shorter than the server's Retry-After.
    /// </summary>
    internal TimeSpan RetryDelay(int attempt, TimeSpan? retryAfter, string? key, int choice)
    {
        var exp = RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exp, MaxRetryDelay.TotalMilliseconds);
        var seed = HashCode.Combine(StableHash(key ?? Model), choice, attempt);
        var jittered = capped * (0.5 + 0.5 * new Random(seed).NextDouble());
        var delay = TimeSpan.FromMilliseconds(jittered);
        return retryAfter is { } ra && ra > delay ? ra : delay;
    }

    private static int StableHash(string s)
    {
        // string.GetHashCode is randomised per process; FNV-1a keeps the jitter reproducible across runs.
        unchecked
        {
            var h = (int)2166136261;
            foreach (var c in s) h = (h ^ c) * 16777619;
            return h;
        }
    }

    private LMResponse Combine(ChatResponse[] responses)
    {
        var outputs = new List<LMOutput>(responses.Length);
        var usage = LMUsage.Empty;
        string? responseModel = null;
        foreach (var r in responses)
        {
            outputs.Add(ToOutput(r));
            usage += ToUsage(r.Usage);
            responseModel ??= r.ModelId;
        }
        usage = usage with { Calls = 1, Cost = LMPricing.CostOf(Model, usage.PromptTokens, usage.CompletionTokens) };
        return new LMResponse { Outputs = outputs, Usage = usage, ResponseModel = responseModel ?? ModelName };
    }

    private static LMOutput ToOutput(ChatResponse r)
    {
        var contents = r.Messages.SelectMany(m => m.Contents).ToList();
        var calls = contents.OfType<FunctionCallContent>()
            .Select(c => new LMToolCall(c.CallId, c.Name,
                (c.Arguments ?? new Dictionary<string, object?>()).ToDictionary(kv => kv.Key, kv => ValueModel.FromClr(kv.Value), StringComparer.Ordinal)))
            .ToList();
        var reasoning = contents.OfType<TextReasoningContent>().Select(t => t.Text).ToList();
        var text = string.Concat(contents.OfType<TextContent>().Select(t => t.Text));
        return new LMOutput
        {
            Text = text.Length == 0 && calls.Count > 0 ? null : text,
            ToolCalls = calls.Count > 0 ? calls : null,
            ReasoningContent = reasoning.Count > 0 ? string.Concat(reasoning) : null,
            FinishReason = r.FinishReason?.Value,
        };
    }

    private static LMUsage ToUsage(UsageDetails? u)
    {
        if (u is null) return LMUsage.Empty;
        var details = new Dictionary<string, long>(StringComparer.Ordinal);
        if (u.CachedInputTokenCount is { } cached) details["prompt_tokens_details.cached_tokens"] = cached;
        if (u.ReasoningTokenCount is { } reasoning) details["completion_tokens_details.reasoning_tokens"] = reasoning;
        var prompt = u.InputTokenCount ?? 0;
        var completion = u.OutputTokenCount ?? 0;
        return new LMUsage
        {
            PromptTokens = prompt,
            CompletionTokens = completion,
            TotalTokens = u.TotalTokenCount ?? prompt + completion,
            Details = details,
        };
    }

    private void WarnIfTruncated(LMResponse response, Dictionary<string, object?> merged)
    {
        if (response.CacheHit || !response.Outputs.Any(o => o.FinishReason == "length")) return;
        var max = merged.GetValueOrDefault("max_tokens") ?? merged.GetValueOrDefault("max_completion_tokens");
        Logger.LogWarning("LM response was truncated due to exceeding max_tokens={MaxTokens}. You can inspect the latest LM interactions with "
            + "`dspy.inspect_history()`. To avoid truncation, consider passing a larger max_tokens when setting up dspy.LM.",
            Convert.ToString(max, CultureInfo.InvariantCulture) ?? "None");
    }

}
