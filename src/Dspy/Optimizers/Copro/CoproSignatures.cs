namespace Dspy;

/// <summary>
/// The signatures COPRO sends to its prompt model, with DSPy 3.3.1's instructions and field descriptions character for
/// character (dspy/teleprompt/copro_optimizer.py).
/// </summary>
internal static class CoproSignatures
{
    private const string ProposedInstructionDescription = "The improved instructions for the language model";
    private const string ProposedPrefixDescription = "The string at the end of the prompt, which will help the model start solving the task";

    /// <summary>DSPy's <c>BasicGenerateInstruction</c>.</summary>
    public static Signature BasicGenerateInstruction { get; } = new(
    [
        Field.Input("basic_instruction", description: "The initial instructions before optimization"),
        Field.Output("proposed_instruction", description: ProposedInstructionDescription),
        Field.Output("proposed_prefix_for_output_field", description: ProposedPrefixDescription),
    ], "You are an instruction optimizer for large language models. I will give you a ``signature`` of fields (inputs and outputs) in English. Your task is to propose an instruction that will lead a good language model to perform the task well. Don't be afraid to be creative.",
        "BasicGenerateInstruction");

    /// <summary>DSPy's <c>GenerateInstructionGivenAttempts</c> (its docstring after <c>inspect.cleandoc</c>).</summary>
    public static Signature GenerateInstructionGivenAttempts { get; } = new(
    [
        Field.Input("attempted_instructions"),
        Field.Output("proposed_instruction", description: ProposedInstructionDescription),
        Field.Output("proposed_prefix_for_output_field", description: ProposedPrefixDescription),
    ], "You are an instruction optimizer for large language models. I will give some task instructions I've tried, along with their corresponding validation scores. The instructions are arranged in increasing order based on their scores, where higher scores indicate better quality.\n\n"
        + "Your task is to propose a new instruction that will lead a good language model to perform the task even better. Don't be afraid to be creative.",
        "GenerateInstructionGivenAttempts");

    /// <summary>
    /// DSPy's <c>BasicGenerateInstructionWithExamples</c> (MIPRO v1, dspy/teleprompt/mipro_optimizer.py before its removal
    /// in 2025): the basic generator with training examples, used only with <see cref="COPROOptions.ProposerExamples"/>.
    /// </summary>
    public static Signature BasicGenerateInstructionWithExamples { get; } = new(
    [
        Field.Input("basic_instruction", description: "The initial instructions before optimization"),
        Field.Input("examples", description: "Example(s) of the task"),
        Field.Output("proposed_instruction", description: ProposedInstructionDescription),
        Field.Output("proposed_prefix_for_output_field", description: ProposedPrefixDescription),
    ], "You are an instruction optimizer for large language models. I will give you a ``signature`` of fields (inputs and outputs) in English. Specifically, I will also provide you with the current ``basic instruction`` that is being used for this task. I will also provide you with some ``examples`` of the expected inputs and outputs.\n\n"
        + "Your task is to propose an instruction that will lead a good language model to perform the task well. Don't be afraid to be creative.",
        "BasicGenerateInstructionWithExamples");
}
