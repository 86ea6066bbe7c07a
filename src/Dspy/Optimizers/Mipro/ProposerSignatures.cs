namespace Dspy;

/// <summary>
/// The signatures MIPROv2's grounded proposer sends to the prompt model, with DSPy 3.3.1's instructions and field
/// descriptions character for character (dspy/propose/dataset_summary_generator.py and grounded_proposer.py), DSPy's
/// typos included, so prompts match Python DSPy's.
/// </summary>
internal static class ProposerSignatures
{
    /// <summary>DSPy's <c>ObservationSummarizer</c>.</summary>
    public static Signature ObservationSummarizer { get; } = new(
    [
        Field.Input("observations", description: "Observations I have made about my dataset"),
        Field.Output("summary", description: "Two to Three sentence summary of only the most significant highlights of my observations"),
    ], "Given a series of observations I have made about my dataset, please summarize them into a brief 2-3 sentence summary which highlights only the most important details.",
        "ObservationSummarizer");

    /// <summary>DSPy's <c>DatasetDescriptor</c>.</summary>
    public static Signature DatasetDescriptor { get; } = new(
    [
        Field.Input("examples", description: "Sample data points from the dataset"),
        Field.Output("observations", description: "Somethings that holds true for most or all of the data you observed"),
    ], "Given several examples from a dataset please write observations about trends that hold for most or all of the samples. "
        + "Some areas you may consider in your observations: topics, content, syntax, conciseness, etc. "
        + "It will be useful to make an educated guess as to the nature of the task this dataset will enable. Don't be afraid to be creative",
        "DatasetDescriptor");

    /// <summary>DSPy's <c>DatasetDescriptorWithPriorObservations</c>.</summary>
    public static Signature DatasetDescriptorWithPriorObservations { get; } = new(
    [
        Field.Input("examples", description: "Sample data points from the dataset"),
        Field.Input("prior_observations", description: "Some prior observations I made about the data"),
        Field.Output("observations", description: "Somethings that holds true for most or all of the data you observed or COMPLETE if you have nothing to add"),
    ], "Given several examples from a dataset please write observations about trends that hold for most or all of the samples. "
        + "I will also provide you with a few observations I have already made.  Please add your own observations or if you feel the observations are comprehensive say 'COMPLETE' "
        + "Some areas you may consider in your observations: topics, content, syntax, conciceness, etc. "
        + "It will be useful to make an educated guess as to the nature of the task this dataset will enable. Don't be afraid to be creative",
        "DatasetDescriptorWithPriorObservations");

    private const string ProgramCodeDescription = "Pseudocode for a language model program designed to solve a particular task.";
    private const string ProgramSummaryDescription = "Summary of the task the program is designed to solve, and how it goes about solving it.";

    /// <summary>DSPy's <c>DescribeProgram</c>.</summary>
    public static Signature DescribeProgram { get; } = new(
    [
        Field.Input("program_code", description: ProgramCodeDescription),
        Field.Input("program_example", description: "An example of the program in use."),
        Field.Output("program_description", description: "Describe what task the program is designed to solve, and how it goes about solving this task."),
    ], "Below is some pseudo-code for a pipeline that solves tasks with calls to language models. Please describe what type of task this program appears to be designed to solve, and how it appears to work.",
        "DescribeProgram");

    /// <summary>DSPy's <c>DescribeModule</c>.</summary>
    public static Signature DescribeModule { get; } = new(
    [
        Field.Input("program_code", description: ProgramCodeDescription),
        Field.Input("program_example", description: "An example of the program in use."),
        Field.Input("program_description", description: ProgramSummaryDescription),
        Field.Input("module", description: "The module in the program that we want to describe."),
        Field.Output("module_description", description: "Description of the module's role in the broader program."),
    ], "Below is some pseudo-code for a pipeline that solves tasks with calls to language models. Please describe the purpose of one of the specified module in this pipeline.",
        "DescribeModule");

    /// <summary>
    /// DSPy's <c>generate_instruction_class(...)</c>: <c>GenerateSingleModuleInstruction</c> with the optional fields of the
    /// given flags, in DSPy's field order (<c>task_demos</c> and <c>basic_instruction</c> are always present).
    /// </summary>
    public static Signature GenerateSingleModuleInstruction(bool useDatasetSummary, bool programAware, bool useInstructHistory, bool useTip)
    {
        var fields = new List<Field>();
        if (useDatasetSummary) fields.Add(Field.Input("dataset_description", description: "A description of the dataset that we are using."));
        if (programAware)
        {
            fields.Add(Field.Input("program_code", description: "Language model program designed to solve a particular task."));
            fields.Add(Field.Input("program_description", description: ProgramSummaryDescription));
            fields.Add(Field.Input("module", description: "The module to create an instruction for."));
            fields.Add(Field.Input("module_description", description: "Description of the module to create an instruction for."));
        }
        fields.Add(Field.Input("task_demos", description: "Example inputs/outputs of our module."));
        if (useInstructHistory) fields.Add(Field.Input("previous_instructions", description: "Previous instructions we've attempted, along with their associated scores."));
        fields.Add(Field.Input("basic_instruction", description: "Basic instruction."));
        if (useTip) fields.Add(Field.Input("tip", description: "A suggestion for how to go about generating the new instruction."));
        fields.Add(Field.Output("proposed_instruction", description: "Propose an instruction that will be used to prompt a Language Model to perform this task."));
        return new Signature(fields,
            "Use the information below to learn about a task that we are trying to solve using calls to an LM, then generate a new instruction that will be used to prompt a Language Model to better solve the task.",
            "GenerateSingleModuleInstruction");
    }

    /// <summary>DSPy's prompting tips, in its dictionary order (the order <c>rng.choice(list(TIPS.keys()))</c> draws from).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Tips { get; } =
    [
        new("none", ""),
        new("creative", "Don't be afraid to be creative when creating the new instruction!"),
        new("simple", "Keep the instruction clear and concise."),
        new("description", "Make sure your instruction is very informative and descriptive."),
        new("high_stakes", "The instruction should include a high stakes scenario in which the LM must solve the task!"),
        new("persona", "Include a persona that is relevant to the task in the instruction (ie. \"You are a ...\")"),
    ];
}
