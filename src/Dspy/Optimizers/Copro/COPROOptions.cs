namespace Dspy;

/// <summary>
/// The settings of <see cref="COPRO"/>, with DSPy's names and defaults (<c>COPRO(prompt_model=None, metric=None,
/// breadth=10, depth=3, init_temperature=1.4, track_stats=False)</c>), DSPy's <c>eval_kwargs</c> as
/// <see cref="NumThreads"/> / <see cref="MaxErrors"/>, plus <see cref="CandidateParallelism"/> and the opt-in
/// <see cref="ProposerExamples"/> (with its <see cref="Seed"/>), which are not DSPy 3.3's COPRO.
/// </summary>
public sealed record COPROOptions
{
    /// <summary>The LM that proposes instructions; null means the configured LM.</summary>
    public BaseLM? PromptModel { get; init; }

    /// <summary>Scores each candidate on the trainset (required to compile).</summary>
    public Metric? Metric { get; init; }

    /// <summary>New prompts per predictor and round; must be greater than 1.</summary>
    public int Breadth { get; init; } = 10;

    /// <summary>Rounds of evaluation and re-proposal.</summary>
    public int Depth { get; init; } = 3;

    /// <summary>Temperature of the proposals.</summary>
    public double InitTemperature { get; init; } = 1.4;

    /// <summary>Keeps per-depth score statistics (<c>results_best</c>, <c>results_latest</c>).</summary>
    public bool TrackStats { get; init; }

    /// <summary>Threads of each evaluation (DSPy's <c>eval_kwargs["num_threads"]</c>); null means <see cref="DspySettings.NumThreads"/>.</summary>
    public int? NumThreads { get; init; }

    /// <summary>Errors tolerated by each evaluation; null means no limit. An evaluation that reaches it fails the compile, as in DSPy.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>
    /// Candidates of one predictor evaluated at once (not a DSPy parameter; DESIGN invariant 4's K). Candidates of the same
    /// predictor and depth are independent (each differs from the current program in that predictor only), so their results
    /// are applied in candidate order and the outcome does not depend on K. 1 is DSPy's loop.
    /// </summary>
    public int CandidateParallelism { get; init; } = 1;

    /// <summary>
    /// Training examples shown to the prompt model with the first proposals (not a DSPy 3.3 parameter; 0, the default, is
    /// DSPy's COPRO). DSPy's <c>BasicGenerateInstruction</c> shows the prompt model the current instruction only, so the
    /// proposals can only draw on what the prompt model already knows about the task; with a prompt model that knows
    /// nothing (the simulated LM, docs/sim.md) every proposal repeats the instruction. With N &gt; 0 the first proposals
    /// use DSPy's earlier <c>BasicGenerateInstructionWithExamples</c> (MIPRO v1's signature: the instruction plus
    /// <c>examples</c>, N training examples drawn with <see cref="Seed"/>, one <c>Prefix: value</c> line per field as in
    /// MIPROv2's task demos). The attempt-history rounds stay DSPy's.
    /// </summary>
    public int ProposerExamples { get; init; }

    /// <summary>Seeds the draw of <see cref="ProposerExamples"/> (Python's <c>random.Random(seed).sample</c>); unused when that is 0.</summary>
    public int Seed { get; init; }
}
