using System.Text;
using System.Text.RegularExpressions;

namespace Dspy;

/// <summary>
/// GEPA's default instruction proposer (<c>InstructionProposalSignature</c> of the gepa engine): the reflection prompt with
/// the current instruction and the reflective dataset rendered as markdown, and the extraction of the new instruction
/// from the reply (the text between the first and the last <c>```</c> fence, a language tag dropped).
/// </summary>
public static partial class GepaInstructionProposal
{
    /// <summary>The prompt template; <c>&lt;curr_instructions&gt;</c> and <c>&lt;inputs_outputs_feedback&gt;</c> are filled in.</summary>
    public const string PromptTemplate =
        "I provided an assistant with the following instructions to perform a task for me:\n"
        + "```\n<curr_instructions>\n```\n\n"
        + "The following are examples of different task inputs provided to the assistant along with the assistant's response for each of them, "
        + "and some feedback on how the assistant's response could be better:\n"
        + "```\n<inputs_outputs_feedback>\n```\n\n"
        + "Your task is to write a new instruction for the assistant.\n\n"
        + "Read the inputs carefully and identify the input format and infer detailed task description about the task I wish to solve with the assistant.\n\n"
        + "Read all the assistant responses and the corresponding feedback. Identify all niche and domain specific factual information about the task "
        + "and include it in the instruction, as a lot of it may not be available to the assistant in the future. The assistant may have utilized a "
        + "generalizable strategy to solve the task, if so, include that in the instruction as well.\n\n"
        + "Provide the new instructions within ``` blocks.";

    [GeneratedRegex(@"^\S*\n")]
    private static partial Regex LanguageTagRegex();

    [GeneratedRegex(@"^```\S*\n?")]
    private static partial Regex OpeningFenceRegex();

    /// <summary>The reflection prompt for one predictor.</summary>
    public static string Render(string currentInstruction, IReadOnlyList<GepaReflectiveRecord> records)
    {
        ArgumentNullException.ThrowIfNull(currentInstruction);
        ArgumentNullException.ThrowIfNull(records);
        return PromptTemplate.Replace("<curr_instructions>", currentInstruction, StringComparison.Ordinal)
            .Replace("<inputs_outputs_feedback>", FormatSamples(records), StringComparison.Ordinal);
    }

    /// <summary>The records as GEPA's markdown: <c># Example N</c>, then <c>## Inputs</c>, <c>## Generated Outputs</c>, <c>## Feedback</c> with <c>###</c> per field.</summary>
    public static string FormatSamples(IReadOnlyList<GepaReflectiveRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return string.Join("\n\n", records.Select((r, i) =>
        {
            var sb = new StringBuilder();
            sb.Append("# Example ").Append(i + 1).Append('\n');
            sb.Append("## Inputs\n").Append(RenderFields(r.Inputs));
            sb.Append("## Generated Outputs\n").Append(r.GeneratedOutputs is { } outputs ? RenderFields(outputs) : RenderText(r.ParseFailure ?? ""));
            sb.Append("## Feedback\n").Append(RenderText(r.Feedback));
            return sb.ToString();
        }));
    }

    /// <summary>The new instruction in an LM reply: between the first and last <c>```</c>, a language tag dropped; an unclosed fence is tolerated.</summary>
    public static string ExtractInstruction(string lmOutput)
    {
        ArgumentNullException.ThrowIfNull(lmOutput);
        var first = lmOutput.IndexOf("```", StringComparison.Ordinal);
        var start = first + 3;
        var end = lmOutput.LastIndexOf("```", StringComparison.Ordinal);
        if (first < 0 || start >= end)
        {
            var stripped = lmOutput.Trim();
            if (stripped.StartsWith("```", StringComparison.Ordinal))
            {
                var m = OpeningFenceRegex().Match(lmOutput);
                if (m.Success) return lmOutput[m.Length..].Trim();
            }
            else if (stripped.EndsWith("```", StringComparison.Ordinal))
            {
                return stripped[..^3].Trim();
            }
            return stripped;
        }
        var content = lmOutput[start..end];
        var tag = LanguageTagRegex().Match(content);
        if (tag.Success) content = content[tag.Length..];
        return content.Trim();
    }

    private static string RenderFields(IReadOnlyDictionary<string, string> fields)
    {
        if (fields.Count == 0) return "\n";
        var sb = new StringBuilder();
        foreach (var (key, value) in fields) sb.Append("### ").Append(key).Append('\n').Append(RenderText(value));
        return sb.ToString();
    }

    private static string RenderText(string value) => value.Trim() + "\n\n";
}
