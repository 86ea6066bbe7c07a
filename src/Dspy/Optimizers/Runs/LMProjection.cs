using Microsoft.Extensions.AI;

namespace Dspy;

/// <summary>
/// The LM side of a dry run (<see cref="DspySettings.Projection"/>): while installed, every <see cref="LM"/> sends its
/// requests to <see cref="ChatClient"/> (the simulated LM by default) and caches them in the private
/// <see cref="Cache"/>, never in the real one. Usage is still counted, and priced at each LM's own model, so a projection
/// reports the calls, tokens and cost the real run would make on a cold cache.
/// </summary>
public sealed class LMProjection
{
    /// <summary>Creates a projection answering with <paramref name="chatClient"/> (null: a default <see cref="SimChatClient"/>).</summary>
    public LMProjection(IChatClient? chatClient = null)
    {
        ChatClient = new CountingClient(chatClient ?? new SimChatClient());
    }

    /// <summary>Answers every request of the projected run (and counts them, <see cref="ProviderRequests"/>).</summary>
    public IChatClient ChatClient { get; }

    /// <summary>
    /// The requests that reached <see cref="ChatClient"/>: what the provider would receive. A request for <c>n</c> &gt; 1
    /// generations is <c>n</c> requests here (the LM sends one per generation), though one call to <see cref="LMBudget"/>.
    /// </summary>
    public long ProviderRequests => ((CountingClient)ChatClient).Requests;

    /// <summary>The projection's own memory cache, so repeated requests are free as they would be in the real run.</summary>
    public Cache Cache { get; } = new(enableDiskCache: false, enableMemoryCache: true);

    /// <summary>Installs this projection in the settings of the current async flow until the scope is disposed.</summary>
    public IDisposable Install() => Settings.Context(s => s with { Projection = this });

    // Counts what reaches the projected provider; streaming is not used by optimizers but is counted the same way.
    private sealed class CountingClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        private long _requests;

        public long Requests => Interlocked.Read(ref _requests);

        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _requests);
            return base.GetResponseAsync(messages, options, cancellationToken);
        }

        public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _requests);
            return base.GetStreamingResponseAsync(messages, options, cancellationToken);
        }
    }
}
