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
        ChatClient = chatClient ?? new SimChatClient();
    }

    /// <summary>Answers every request of the projected run.</summary>
    public IChatClient ChatClient { get; }

    /// <summary>The projection's own memory cache, so repeated requests are free as they would be in the real run.</summary>
    public Cache Cache { get; } = new(enableDiskCache: false, enableMemoryCache: true);

    /// <summary>Installs this projection in the settings of the current async flow until the scope is disposed.</summary>
    public IDisposable Install() => Settings.Context(s => s with { Projection = this });
}
