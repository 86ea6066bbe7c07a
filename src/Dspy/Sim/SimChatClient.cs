using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// A deterministic <b>simulated</b> language model (model <c>sim</c>), not a real one. It reads DSPy-formatted
/// prompts (ChatAdapter, JSONAdapter, XMLAdapter, TwoStepAdapter) and answers in the same format: it applies rules
/// stated in the instructions, learns in context from the most similar demo, and otherwise falls back to a weak
/// guess. As a proposal or reflection LM (GEPA, MIPROv2) it writes such rules from examples. Everything random is
/// seeded from the request (messages, temperature, seed, <c>rollout_id</c>, <c>choice_index</c>), never from call
/// order or time; at temperature 0 the answer depends on the messages alone. See docs/sim.md.
/// </summary>
public sealed class SimChatClient : IChatClient
{
    private readonly SimSolver _solver;

    /// <summary>Creates the simulator with the given knobs (defaults: no noise, no malformed output, no latency).</summary>
    public SimChatClient(SimOptions? options = null)
    {
        Options = options ?? new SimOptions();
        Options.Validate();
        _solver = new SimSolver(Options);
        Metadata = new ChatClientMetadata("sim", null, Options.ModelId);
    }

    /// <summary>The simulator's knobs.</summary>
    public SimOptions Options { get; }

    /// <summary>Provider <c>sim</c> and the configured model id.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToList();
        var (text, usage, id, finish) = Generate(list, options);
        await DelayAsync(cancellationToken).ConfigureAwait(false);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = options?.ModelId ?? Options.ModelId,
            Usage = usage,
            FinishReason = finish,
            ResponseId = id,
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToList();
        var (text, usage, id, finish) = Generate(list, options);
        await DelayAsync(cancellationToken).ConfigureAwait(false);
        var modelId = options?.ModelId ?? Options.ModelId;
        for (var i = 0; i < text.Length; i += Options.StreamChunkChars)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = text.Substring(i, Math.Min(Options.StreamChunkChars, text.Length - i));
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { ModelId = modelId, ResponseId = id, MessageId = id };
        }
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(usage)])
        {
            ModelId = modelId,
            ResponseId = id,
            MessageId = id,
            FinishReason = finish,
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return Metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing to release: the simulator holds no connections.
    }

    /// <summary>Produces the response text for a request; pure function of the request and <see cref="Options"/>.</summary>
    public string Complete(IReadOnlyList<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Generate(messages, options).Text;
    }

    private (string Text, UsageDetails Usage, string Id, ChatFinishReason Finish) Generate(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var key = RequestKey(messages, options);
        var temperature = options?.Temperature is { } t ? Math.Max(0, (double)t) : 0.0;
        var malformed = Options.MalformedRate > 0 && SimRandom.FromText(key + "|malformed").Chance(Options.MalformedRate);
        // Greedy decoding (temperature 0) does not depend on rollout_id, choice_index or seed: only the messages count.
        var rng = SimRandom.FromText((temperature > 0 ? key : RequestKey(messages, null)) + "|solve");

        var prompt = SimPromptParser.Parse(messages, options?.ResponseFormat);
        var format = prompt.Format;
        if (options?.ResponseFormat is ChatResponseFormatJson && format is SimFormat.Chat or SimFormat.Xml or SimFormat.Plain && prompt.OutputFields.Count > 0)
        {
            format = SimFormat.Json;
        }

        string text;
        if (format == SimFormat.Reflection)
        {
            text = SimProposer.Reflect(prompt.RawLastUser, rng, temperature);
        }
        else if (prompt.OutputFields.Count == 0)
        {
            text = "This is the simulated LM (sim). It answers DSPy-formatted prompts; this request names no output fields.";
        }
        else
        {
            var solution = SimProposer.TryPropose(prompt, rng, temperature) ?? SimProposer.TryInduceRules(prompt, rng, temperature) ?? SimAdvisor.TryAdvise(prompt, rng, temperature) ?? _solver.Solve(prompt, rng, temperature);
            text = SimResponseWriter.Render(prompt, format, solution, malformed);
        }

        var finish = ChatFinishReason.Stop;
        // Like a hosted model: output ends before the first stop sequence, and at max_tokens with finish reason "length".
        foreach (var stop in options?.StopSequences ?? [])
        {
            var at = string.IsNullOrEmpty(stop) ? -1 : text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0) text = text[..at];
        }
        if (options?.MaxOutputTokens is { } max && max >= 0 && SimTokenCounter.Count(text) > max)
        {
            text = text[..SimTokenCounter.Tokenizer.GetIndexByTokenCount(text, max, out _, out _)];
            finish = ChatFinishReason.Length;
        }

        var input = SimTokenCounter.CountPrompt(messages);
        var output = SimTokenCounter.Count(text);
        var usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
        var id = "sim-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
        return (text, usage, id, finish);
    }

    /// <summary>The canonical text of everything that may change the answer; hashed to seed all randomness.</summary>
    internal static string RequestKey(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var sb = new StringBuilder();
        foreach (var m in messages)
        {
            sb.Append(m.Role.Value).Append('\u001f');
            foreach (var c in m.Contents)
            {
                switch (c)
                {
                    case TextContent tc: sb.Append(tc.Text); break;
                    case UriContent uc: sb.Append("[uri:").Append(uc.Uri).Append(']'); break;
                    case DataContent dc: sb.Append("[data:").Append(dc.MediaType).Append(':').Append(Convert.ToHexStringLower(SHA256.HashData(dc.Data.Span))).Append(']'); break;
                    default: sb.Append('[').Append(c.GetType().Name).Append(']'); break;
                }
            }
            sb.Append('\u001e');
        }
        var props = options?.AdditionalProperties;
        sb.Append("temperature=").Append(options?.Temperature?.ToString("R", CultureInfo.InvariantCulture) ?? "default")
          .Append("|seed=").Append(options?.Seed?.ToString(CultureInfo.InvariantCulture) ?? "none")
          .Append("|rollout_id=").Append(Prop(props, "rollout_id"))
          .Append("|choice_index=").Append(Prop(props, "choice_index"));
        return sb.ToString();
    }

    private static string Prop(AdditionalPropertiesDictionary? props, string name) =>
        props is not null && props.TryGetValue(name, out var v) && v is not null ? Convert.ToString(v, CultureInfo.InvariantCulture) ?? "" : "none";

    private Task DelayAsync(CancellationToken cancellationToken) =>
        Options.Latency is { } l && l > TimeSpan.Zero ? Task.Delay(l, cancellationToken) : Task.CompletedTask;
}
