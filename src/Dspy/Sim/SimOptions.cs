namespace Dspy;

/// <summary>
/// Knobs of the simulated LM (<see cref="SimChatClient"/>). Every random decision they drive is seeded from the
/// request itself, so a given request always gets the same response.
/// </summary>
public sealed record SimOptions
{
    /// <summary>The model id reported in responses (<c>ChatResponse.ModelId</c>).</summary>
    public string ModelId { get; init; } = "sim";

    /// <summary>Probability in [0, 1] that an answer is replaced by a plausible wrong one.</summary>
    public double NoiseRate { get; init; }

    /// <summary>Probability in [0, 1] that the response breaks the requested format (a missing marker or tag, or
    /// JSON without braces), so that the adapter cannot parse it.</summary>
    public double MalformedRate { get; init; }

    /// <summary>Simulated latency per call; <see langword="null"/> or zero answers at once.</summary>
    public TimeSpan? Latency { get; init; }

    /// <summary>How many characters each streamed update carries.</summary>
    public int StreamChunkChars { get; init; } = 16;

    /// <summary>How many of the most similar demos vote when the sampling temperature is above zero.</summary>
    public int SamplingNeighbours { get; init; } = 3;

    /// <summary>Throws if a knob is out of range.</summary>
    public void Validate()
    {
        if (NoiseRate is < 0 or > 1 || double.IsNaN(NoiseRate)) throw new ArgumentOutOfRangeException(nameof(NoiseRate), NoiseRate, "Must be in [0, 1].");
        if (MalformedRate is < 0 or > 1 || double.IsNaN(MalformedRate)) throw new ArgumentOutOfRangeException(nameof(MalformedRate), MalformedRate, "Must be in [0, 1].");
        if (Latency is { } l && l < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Latency), l, "Must not be negative.");
        if (StreamChunkChars < 1) throw new ArgumentOutOfRangeException(nameof(StreamChunkChars), StreamChunkChars, "Must be at least 1.");
        if (SamplingNeighbours < 1) throw new ArgumentOutOfRangeException(nameof(SamplingNeighbours), SamplingNeighbours, "Must be at least 1.");
        ArgumentException.ThrowIfNullOrEmpty(ModelId);
    }
}
