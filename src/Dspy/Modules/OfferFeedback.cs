namespace Dspy;

/// <summary>
/// DSPy's <c>OfferFeedback</c> signature used by <see cref="Refine"/>: given the program, its trajectory and its reward,
/// the LM assigns blame and writes per-module advice. Field names, types, descriptions and instructions are DSPy 3.3.1's.
/// </summary>
public static class OfferFeedback
{
    /// <summary>The signature's instructions (the docstring after <c>inspect.cleandoc</c>).</summary>
    public const string Instructions =
        "In the discussion, assign blame to each module that contributed to the final reward being below the threshold, if\n"
        + "any. Then, prescribe concrete advice of how the module should act on its future input when we retry the process, if\n"
        + "it were to receive the same or similar inputs. If a module is not to blame, the advice should be N/A.\n"
        + "The module will not see its own history, so it needs to rely on entirely concrete and actionable advice from you\n"
        + "to avoid the same mistake on the same or similar inputs.";

    /// <summary>The signature.</summary>
    public static Signature Signature { get; } = new(
        [
            Field.Input("program_code", TypeSpec.Str, "The code of the program that we are analyzing"),
            Field.Input("modules_defn", TypeSpec.Str, "The definition of each module in the program, including its I/O"),
            Field.Input("program_inputs", TypeSpec.Str, "The inputs to the program that we are analyzing"),
            Field.Input("program_trajectory", TypeSpec.Str, "The trajectory of the program's execution, showing each module's I/O"),
            Field.Input("program_outputs", TypeSpec.Str, "The outputs of the program that we are analyzing"),
            Field.Input("reward_code", TypeSpec.Str, "The code of the reward function that we are analyzing"),
            Field.Input("target_threshold", TypeSpec.Float, "The target threshold for the reward function"),
            Field.Input("reward_value", TypeSpec.Float, "The reward value assigned to the program's outputs"),
            Field.Input("module_names", TypeSpec.ListOf(TypeSpec.Str), "The names of the modules in the program, for which we seek advice"),
            Field.Output("discussion", TypeSpec.Str, "Discussing blame of where each module went wrong, if it did"),
            // "kind ofscenario" (no space) is DSPy's text: its string literal concatenation drops the space.
            Field.Output("advice", TypeSpec.DictOf(TypeSpec.Str, TypeSpec.Str),
                "For each module, describe very concretely, in this order: the specific scenarios in which it has made "
                + "mistakes in the past and what each mistake was, followed by what it should do differently in that kind of"
                + "scenario in the future. If the module is not to blame, write N/A."),
        ],
        Instructions,
        name: "OfferFeedback");
}
