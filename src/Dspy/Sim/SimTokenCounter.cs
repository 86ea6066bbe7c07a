using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Dspy;

/// <summary>
/// Token counts for the simulator from a real tokenizer: tiktoken's <c>o200k_base</c> (the GPT-4o encoding). A
/// chat request costs the tokens of each message's text plus 3 per message and 3 to prime the reply, the same
/// accounting OpenAI documents for its chat models.
/// </summary>
public static class SimTokenCounter
{
    private static readonly Lazy<Tokenizer> Encoding = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    /// <summary>The o200k_base tokenizer.</summary>
    public static Tokenizer Tokenizer => Encoding.Value;

    /// <summary>Tokens in <paramref name="text"/>.</summary>
    public static int Count(string text) => string.IsNullOrEmpty(text) ? 0 : Encoding.Value.CountTokens(text);

    /// <summary>Prompt tokens of a message list.</summary>
    public static int CountPrompt(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages.Sum(m => 3 + Count(m.Text)) + 3;
    }
}
