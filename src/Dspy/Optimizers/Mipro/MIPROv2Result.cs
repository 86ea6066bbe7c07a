namespace Dspy;

/// <summary>
/// What <see cref="MIPROv2.OptimizeAsync"/> returns: the best program and the attributes DSPy attaches to it
/// (<c>score</c>, <c>trial_logs</c>, <c>candidate_programs</c>, <c>mb_candidate_programs</c>, call counts) plus the run's settings.
/// </summary>
public sealed record MIPROv2Result
{
    /// <summary>The program with the best full-validation score (the unmodified program if nothing beat it).</summary>
    public required Module Program { get; init; }

    /// <summary>Its full-validation score (Evaluate's percentage).</summary>
    public required double Score { get; init; }

    /// <summary>The unmodified program's full-validation score (DSPy's <c>default_score</c>).</summary>
    public required double DefaultScore { get; init; }

    /// <summary>The number of search trials (objective calls).</summary>
    public required int NumTrials { get; init; }

    /// <summary>Whether trials were scored on minibatches.</summary>
    public required bool Minibatch { get; init; }

    /// <summary>The examples of the trainset used for demos and proposals after the split.</summary>
    public required int TrainsetSize { get; init; }

    /// <summary>The examples of the valset after the split and the auto subsample.</summary>
    public required int ValsetSize { get; init; }

    /// <summary>Instruction candidates per predictor (index 0 is the original instruction).</summary>
    public required IReadOnlyList<IReadOnlyList<string>> InstructionCandidates { get; init; }

    /// <summary>Demo sets per predictor (null in a zero-shot run, where they only grounded the proposals).</summary>
    public IReadOnlyList<IReadOnlyList<IReadOnlyList<Example>>>? DemoCandidates { get; init; }

    /// <summary>DSPy's <c>trial_logs</c>, in trial-number order (1 is the baseline).</summary>
    public IReadOnlyList<MIPROv2TrialLog> TrialLogs { get; init; } = [];

    /// <summary>Fully evaluated programs, highest score first (DSPy's <c>candidate_programs</c>).</summary>
    public IReadOnlyList<MIPROv2Candidate> CandidatePrograms { get; init; } = [];

    /// <summary>Minibatch-evaluated programs, highest score first (DSPy's <c>mb_candidate_programs</c>).</summary>
    public IReadOnlyList<MIPROv2Candidate> MinibatchCandidatePrograms { get; init; } = [];

    /// <summary>Metric calls made by evaluations (DSPy's <c>total_eval_calls</c>; bootstrapping not included).</summary>
    public required long TotalEvalCalls { get; init; }

    /// <summary>LM requests of the prompt model (dataset summary and proposals) that reached the provider.</summary>
    public required long PromptModelTotalCalls { get; init; }

    /// <summary>True when an LM budget (<see cref="LMBudget"/>) stopped the search early; the best completed program is returned.</summary>
    public bool StoppedByBudget { get; init; }

    /// <summary>The LM budget of the whole run (task, teacher and prompt model).</summary>
    public required OptimizerBudget Budget { get; init; }
}

/// <summary>One entry of DSPy's <c>trial_logs</c>.</summary>
/// <param name="TrialNumber">DSPy's trial number (1 = the baseline; a full evaluation after trial t is t + 1).</param>
/// <param name="FullEval">Whether this is a full-valset evaluation (else a minibatch).</param>
/// <param name="Params">The chosen instruction and demo-set indices by Optuna parameter name (<c>0_predictor_instruction</c> ...).</param>
/// <param name="Score">The score on the minibatch or the full valset.</param>
/// <param name="TotalEvalCallsSoFar">Evaluation metric calls up to and including this one.</param>
/// <param name="Program">The evaluated program.</param>
public sealed record MIPROv2TrialLog(int TrialNumber, bool FullEval, IReadOnlyDictionary<string, int> Params, double Score, long TotalEvalCallsSoFar, Module Program);

/// <summary>An evaluated program (an entry of DSPy's <c>candidate_programs</c> or <c>mb_candidate_programs</c>).</summary>
/// <param name="Score">Its score.</param>
/// <param name="Program">The program.</param>
/// <param name="FullEval">Whether the score is on the full valset.</param>
/// <param name="Params">The parameter indices that built it.</param>
public sealed record MIPROv2Candidate(double Score, Module Program, bool FullEval, IReadOnlyDictionary<string, int> Params);
