namespace Dspy;

/// <summary>A retry the LM is about to make: which attempt failed, why, and how long it waits.</summary>
/// <param name="Model">The LM's model.</param>
/// <param name="Attempt">The attempt that failed (1 = the first try).</param>
/// <param name="Error">The retryable error.</param>
/// <param name="Delay">The wait before the next attempt (never shorter than the error's Retry-After).</param>
public sealed record LMRetryEvent(string Model, int Attempt, LMError Error, TimeSpan Delay);
