using System.Text.Json;

namespace Dspy.Cli;

/// <summary>A wire protocol the simulated LM server speaks: how requests are parsed and responses and errors written.</summary>
internal abstract class SimWire
{
    /// <summary>OpenAI chat completions (also Azure OpenAI).</summary>
    public static SimWire OpenAI { get; } = new OpenAIWire();

    /// <summary>Anthropic messages.</summary>
    public static SimWire Anthropic { get; } = new AnthropicWire();

    /// <summary>Ollama chat.</summary>
    public static SimWire Ollama { get; } = new OllamaWire();

    public abstract OpenAIChatRequest Parse(JsonElement root);

    public abstract void WriteResponse(Utf8JsonWriter w, string idSuffix, DateTimeOffset created, string model, IReadOnlyList<OpenAIChatWire.Choice> choices,
        long promptTokens, long completionTokens);

    public abstract string ErrorBody(int status, string message, string type, string? code);

    private sealed class OpenAIWire : SimWire
    {
        public override OpenAIChatRequest Parse(JsonElement root) => OpenAIChatWire.ParseRequest(root);

        public override void WriteResponse(Utf8JsonWriter w, string idSuffix, DateTimeOffset created, string model,
            IReadOnlyList<OpenAIChatWire.Choice> choices, long promptTokens, long completionTokens)
            => OpenAIChatWire.WriteResponse(w, "chatcmpl-sim-" + idSuffix, created, model, choices, promptTokens, completionTokens);

        public override string ErrorBody(int status, string message, string type, string? code) => OpenAIChatWire.ErrorBody(message, type, code);
    }

    private sealed class AnthropicWire : SimWire
    {
        public override OpenAIChatRequest Parse(JsonElement root) => AnthropicMessagesWire.ParseRequest(root);

        public override void WriteResponse(Utf8JsonWriter w, string idSuffix, DateTimeOffset created, string model,
            IReadOnlyList<OpenAIChatWire.Choice> choices, long promptTokens, long completionTokens)
            => AnthropicMessagesWire.WriteResponse(w, "msg_sim_" + idSuffix, model, choices[0], promptTokens, completionTokens);

        public override string ErrorBody(int status, string message, string type, string? code) => AnthropicMessagesWire.ErrorBody(status, message);
    }

    private sealed class OllamaWire : SimWire
    {
        public override OpenAIChatRequest Parse(JsonElement root) => OllamaChatWire.ParseRequest(root);

        public override void WriteResponse(Utf8JsonWriter w, string idSuffix, DateTimeOffset created, string model,
            IReadOnlyList<OpenAIChatWire.Choice> choices, long promptTokens, long completionTokens)
            => OllamaChatWire.WriteResponse(w, created, model, choices[0], promptTokens, completionTokens);

        public override string ErrorBody(int status, string message, string type, string? code) => OllamaChatWire.ErrorBody(message);
    }
}
