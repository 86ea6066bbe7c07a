namespace Dspy;

/// <summary>GEPA's (and MIPROv2's) <c>auto</c> levels: how many candidates the budget is sized for (6, 12 or 18).</summary>
public enum GepaAuto
{
    /// <summary><c>auto="light"</c>: 6 candidates.</summary>
    Light,

    /// <summary><c>auto="medium"</c>: 12 candidates.</summary>
    Medium,

    /// <summary><c>auto="heavy"</c>: 18 candidates.</summary>
    Heavy,
}

/// <summary>How GEPA picks the parent of the next reflective mutation (DSPy's <c>candidate_selection_strategy</c>).</summary>
public enum GepaCandidateSelection
{
    /// <summary><c>"pareto"</c>: sample among non-dominated programs, weighted by how many validation examples they are best on.</summary>
    Pareto,

    /// <summary><c>"current_best"</c>: the program with the highest average validation score.</summary>
    CurrentBest,
}

/// <summary>Which predictors a reflective mutation rewrites (DSPy's <c>component_selector</c>).</summary>
public enum GepaComponentSelection
{
    /// <summary><c>"round_robin"</c>: one predictor per mutation, cycling through them per candidate.</summary>
    RoundRobin,

    /// <summary><c>"all"</c>: every predictor at once.</summary>
    All,
}
