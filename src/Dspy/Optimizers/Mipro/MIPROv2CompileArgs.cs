namespace Dspy;

/// <summary>
/// The keyword arguments of DSPy's <c>MIPROv2.compile</c> beyond <see cref="CompileOptions"/> (<c>num_trials=None,
/// max_bootstrapped_demos=None, max_labeled_demos=None, seed=None, minibatch=True, minibatch_size=35,
/// minibatch_full_eval_steps=5, program_aware_proposer=True, data_aware_proposer=True, view_data_batch_size=10,
/// tip_aware_proposer=True, fewshot_aware_proposer=True, requires_permission_to_run=None, provide_traceback=None</c>).
/// </summary>
public sealed record MIPROv2CompileArgs
{
    /// <summary>Search trials; required when <see cref="MIPROv2Options.Auto"/> is null, forbidden otherwise.</summary>
    public int? NumTrials { get; init; }

    /// <summary>Overrides <see cref="MIPROv2Options.MaxBootstrappedDemos"/>.</summary>
    public int? MaxBootstrappedDemos { get; init; }

    /// <summary>Overrides <see cref="MIPROv2Options.MaxLabeledDemos"/>.</summary>
    public int? MaxLabeledDemos { get; init; }

    /// <summary>Overrides <see cref="MIPROv2Options.Seed"/>; as in DSPy (<c>seed or self.seed</c>), 0 also means the optimizer's seed.</summary>
    public int? Seed { get; init; }

    /// <summary>Score trials on minibatches (auto mode turns it on only when the valset has more than 50 examples).</summary>
    public bool Minibatch { get; init; } = true;

    /// <summary>Examples per minibatch.</summary>
    public int MinibatchSize { get; init; } = 35;

    /// <summary>A full evaluation of the best-averaged candidate runs after every this many minibatch trials (and at the end).</summary>
    public int MinibatchFullEvalSteps { get; init; } = 5;

    /// <summary>Show the proposer the program code, a program description and a module description.</summary>
    public bool ProgramAwareProposer { get; init; } = true;

    /// <summary>Show the proposer a summary of the trainset.</summary>
    public bool DataAwareProposer { get; init; } = true;

    /// <summary>Examples per batch shown to the dataset summariser.</summary>
    public int ViewDataBatchSize { get; init; } = 10;

    /// <summary>Give each proposal a random prompting tip.</summary>
    public bool TipAwareProposer { get; init; } = true;

    /// <summary>Show the proposer bootstrapped demos.</summary>
    public bool FewshotAwareProposer { get; init; } = true;

    /// <summary>Deprecated in DSPy: true raises (user confirmation was removed), false logs a warning.</summary>
    public bool? RequiresPermissionToRun { get; init; }

    /// <summary>Accepted for DSPy compatibility; errors are always logged with their exception.</summary>
    public bool? ProvideTraceback { get; init; }
}
