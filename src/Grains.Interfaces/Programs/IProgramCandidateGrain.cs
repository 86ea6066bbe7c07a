namespace Dspy.Grains;

/// <summary>
/// A program candidate of a run (key <see cref="GrainKeys.Candidate"/>: run id + candidate hash): its parameters
/// (the spec and <c>Module.DumpState</c> JSON: per-predictor instructions and demos), its parent, and the per-example
/// scores measured so far. Persisted; the shards read the program from here so their messages carry only the hash.
/// </summary>
[Alias("dspy.IProgramCandidateGrain")]
public interface IProgramCandidateGrain : IGrainWithStringKey
{
    /// <summary>Stores the candidate (idempotent: the hash names the content; a different content under the same key is refused).</summary>
    [Alias("Set")]
    Task SetAsync(CandidateProgram program);

    /// <summary>The candidate, or null if it was never stored.</summary>
    [Alias("Get")]
    Task<CandidateProgram?> GetAsync();

    /// <summary>Records per-example scores (by example id); a later score for the same example replaces the earlier one.</summary>
    [Alias("RecordScores")]
    Task RecordScoresAsync(IReadOnlyList<ExampleScore> scores);

    /// <summary>The per-example scores recorded so far, ordered by example id.</summary>
    [Alias("Scores")]
    Task<IReadOnlyList<ExampleScore>> GetScoresAsync();
}

/// <summary>
/// A candidate's parameters: what to build, the state to load, the candidate it came from, and the module an optimizer
/// put around it (<see cref="Wrapper"/>, e.g. KNNFewShot's per-call program), if any.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.CandidateProgram")]
public sealed record CandidateProgram(
    [property: Id(0)] ProgramSpec Spec,
    [property: Id(1)] string StateJson,
    [property: Id(2)] string? ParentHash)
{
    /// <summary>
    /// The module around the built one, by value; null when the candidate is the built module itself. The state
    /// (<see cref="StateJson"/>) is the built module's.
    /// </summary>
    [Id(3)] public ProgramWrapperSpec? Wrapper { get; init; }

    /// <summary>
    /// The candidate hash: the first 32 hex digits of SHA-256 over kind, signature, state and the wrapper (a candidate
    /// without one hashes as before wrappers existed, so stored cells stay valid).
    /// </summary>
    public string Hash => DatasetExample.Hash(Spec.Kind + "\n" + Spec.Signature + "\n" + StateJson + (Wrapper is { } w ? "\n" + w.Key() : ""));

    /// <summary>The candidate of a module built as <paramref name="spec"/> describes.</summary>
    public static CandidateProgram From(ProgramSpec spec, Module program, string? parentHash = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(program);
        return new CandidateProgram(spec, PythonJson.Dumps(program.DumpState()), parentHash);
    }
}

/// <summary>One example's score for a candidate.</summary>
[GenerateSerializer, Immutable, Alias("dspy.ExampleScore")]
public sealed record ExampleScore([property: Id(0)] string ExampleId, [property: Id(1)] double Score);
