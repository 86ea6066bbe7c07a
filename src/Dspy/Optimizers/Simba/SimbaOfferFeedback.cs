namespace Dspy;

/// <summary>
/// SIMBA's <c>OfferFeedback</c> signature (<c>simba_utils.py</c>, not Refine's <see cref="OfferFeedback"/>): given a better
/// and a worse trajectory of the same input, the LM writes per-module advice that <c>append_a_rule</c> appends to each
/// predictor's instructions. Field names, types, descriptions and instructions are DSPy's.
/// </summary>
public static class SimbaOfferFeedback
{
    /// <summary>The signature's instructions (the docstring after <c>inspect.cleandoc</c>).</summary>
    public const string Instructions =
        "You will be given two trajectories of an LLM-driven program's execution. Your goal is to help the program's modules\n"
        + "build up experience on how to maximize the reward value assigned to the program's outputs if it were to receive\n"
        + "similar inputs in the future.\n\n"
        + "The module won't see its own history. It will rely on your advice balancing being concrete and being generalizable.\n\n"
        + "In your advice:\n"
        + "- Avoid boilerplate. Offer advice that would change the module's behavior for the better in the future.\n"
        + "- Ensure that advice offered to a module M is specific to that M's specific sub-task, not the overall program.\n"
        + "- Rely on contrasting the behavior of the worse trajectory against the better trajectory in making recommendations.\n"
        + "- Ensure each unique module name appears exactly once as a key in the advice dictionary.";

    private const string TrajectoryDescription = "The trajectory of the program's execution, showing each module's I/O";
    private const string OutputsDescription = "The outputs of the program that we are analyzing";
    private const string RewardDescription = "The reward value assigned to the program's outputs";
    private const string RewardInfoDescription = "Additional information that might be helpful to understanding the assigned reward value.";

    /// <summary>The signature.</summary>
    public static Signature Signature { get; } = new(
        [
            Field.Input("program_code", TypeSpec.Str, "The code of the program that we are analyzing"),
            Field.Input("modules_defn", TypeSpec.Str, "The definition of each module in the program, including its I/O"),
            Field.Input("program_inputs", TypeSpec.Str, "The inputs to the program that we are analyzing"),
            Field.Input("oracle_metadata", TypeSpec.Str, "Any (hidden) metadata about the training set instance we're analyzing"),
            Field.Input("worse_program_trajectory", TypeSpec.Str, TrajectoryDescription),
            Field.Input("worse_program_outputs", TypeSpec.Str, OutputsDescription),
            Field.Input("worse_reward_value", TypeSpec.Float, RewardDescription),
            Field.Input("worse_reward_info", TypeSpec.Str, RewardInfoDescription),
            Field.Input("better_program_trajectory", TypeSpec.Str, TrajectoryDescription),
            Field.Input("better_program_outputs", TypeSpec.Str, OutputsDescription),
            Field.Input("better_reward_value", TypeSpec.Float, RewardDescription),
            Field.Input("better_reward_info", TypeSpec.Str, RewardInfoDescription),
            Field.Input("module_names", TypeSpec.ListOf(TypeSpec.Str), "The names of the modules in the program, for which we seek advice"),
            Field.Output("discussion", TypeSpec.Str, "Discussing blame of where each module went wrong, if it did"),
            Field.Output("module_advice", TypeSpec.DictOf(TypeSpec.Str, TypeSpec.Str),
                "For each module, describe very concretely: If the module receives ${description of input or patterns therein}, then it should "
                + "${description of content, behavior, or strategies to adopt and/or others to avoid}. Basically, your advice be such that if the "
                + "module has access to your tip, it would be much more likely to act like the successful trajectory rather than the lower-scoring trajectory."),
        ],
        Instructions,
        name: "OfferFeedback");
}
