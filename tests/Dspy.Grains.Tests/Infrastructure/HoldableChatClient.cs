using Microsoft.Extensions.AI;

namespace Dspy.Grains.Tests;

/// <summary>
/// A chat client that a test can hold: once held, every call waits before reaching the inner client, so a compile run stops
/// making progress at a point the test chooses (for instance before its cluster is killed, so it cannot finish while the
/// silos stop). <see cref="Abandon"/> fails the waiting calls, whose cluster is gone.
/// </summary>
internal sealed class HoldableChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    private readonly TaskCompletionSource _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _held;

    /// <summary>From now on calls wait.</summary>
    public void Hold() => _held = true;

    /// <summary>Fails the calls waiting and any later one.</summary>
    public void Abandon() => _abandoned.TrySetException(new InvalidOperationException("The test stopped the cluster this call belonged to."));

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (_held) await _abandoned.Task.WaitAsync(cancellationToken);
        return await base.GetResponseAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_held) await _abandoned.Task.WaitAsync(cancellationToken);
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken)) yield return update;
    }
}
