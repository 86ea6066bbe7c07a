namespace Dspy;

/// <summary>
/// DSPy's <c>StatusMessage</c>: a progress message in a streamed call (e.g. <c>Calling tool search...</c>), written by a
/// <see cref="StatusMessageProvider"/> when a module, LM or tool call starts or ends.
/// </summary>
/// <param name="Message">The text.</param>
public sealed record StatusMessage(string Message);
