namespace Dspy;

/// <summary>What an <see cref="OptimizerEvent"/> reports.</summary>
public enum OptimizerEventKind
{
    /// <summary>The optimizer started; <see cref="OptimizerEvent.TotalTrials"/> is the planned number of trials, if known.</summary>
    Started,

    /// <summary>A trial (a bootstrapped example, a candidate program ...) is about to run.</summary>
    TrialStarted,

    /// <summary>A trial finished; <see cref="OptimizerEvent.Score"/> is its result.</summary>
    TrialFinished,

    /// <summary>A trial set a new best; <see cref="OptimizerEvent.BestScore"/> is the new best.</summary>
    NewBest,

    /// <summary>The optimizer finished and returns its program.</summary>
    Finished,

    /// <summary>
    /// A Pareto front changed (GEPA: after the seed evaluation and after each round that added a candidate to some
    /// example's front); <see cref="OptimizerEvent.ParetoCoverage"/> holds the front, <see cref="OptimizerEvent.Score"/>
    /// the mean of the per-example best scores and <see cref="OptimizerEvent.BestScore"/> the best candidate's score.
    /// </summary>
    ParetoUpdated,
}
