using System.CommandLine;

namespace Dspy.Cli;

/// <summary>Options shared by several commands, created fresh for each (System.CommandLine options belong to one command).</summary>
internal static class CliOptions
{
    public static Option<string> Signature() => new("--signature", "-s")
    {
        Description = "A DSPy signature, e.g. \"question -> answer: float\".",
        Required = true,
    };

    public static Option<string> Inputs() => new("--inputs", "-i")
    {
        Description = "The input values as a JSON object, e.g. {\"question\": \"...\"}.",
        Required = true,
    };

    public static Option<string?> Lm() => new("--lm")
    {
        Description = "The LM, provider/model (openai/gpt-4o-mini, anthropic/..., ollama_chat/..., sim). Defaults to sim without a provider key.",
    };

    public static Option<string?> ApiBase() => new("--api-base")
    {
        Description = "Base URL of an OpenAI-compatible server for openai/ models, e.g. the one 'dspy sim serve' prints.",
    };

    public static Option<string?> Program() => new("--program")
    {
        Description = "A saved program (e.g. from 'dspy compile --out'), loaded into the program built from --signature and --module.",
    };

    public static Option<string> Module() => new("--module", "-m")
    {
        Description = "predict or cot (ChainOfThought).",
        DefaultValueFactory = _ => "predict",
    };
}
