namespace Dspy.Grains;

/// <summary>The program-candidate grain: the candidate's parameters and per-example scores, persisted.</summary>
[GrainType("dspy-candidate")]
public sealed class ProgramCandidateGrain([PersistentState("candidate", GrainStorageNames.Runs)] IPersistentState<CandidateState> state)
    : Grain, IProgramCandidateGrain
{
    /// <inheritdoc/>
    public async Task SetAsync(CandidateProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var key = this.GetPrimaryKeyString();
        if (!key.EndsWith(":" + program.Hash, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Candidate grain '{key}' cannot hold a program whose hash is {program.Hash}.", nameof(program));
        }
        if (state.State.Program is not null) return;
        state.State.Program = new StoredProgram
        {
            Kind = program.Spec.Kind, Signature = program.Spec.Signature, StateJson = program.StateJson, ParentHash = program.ParentHash,
            Wrapper = program.Wrapper is { } w
                ? new StoredProgramWrapper { Kind = w.Kind, ArgumentsJson = w.ArgumentsJson, DatasetId = w.DatasetId, ExampleIds = [.. w.ExampleIds] }
                : null,
        };
        await state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public Task<CandidateProgram?> GetAsync() => Task.FromResult(state.State.Program is { } p
        ? new CandidateProgram(new ProgramSpec(p.Kind, p.Signature), p.StateJson, p.ParentHash)
        {
            Wrapper = p.Wrapper is { } w
                ? new ProgramWrapperSpec { Kind = w.Kind, ArgumentsJson = w.ArgumentsJson, DatasetId = w.DatasetId, ExampleIds = w.ExampleIds }
                : null,
        }
        : null);

    /// <inheritdoc/>
    public async Task RecordScoresAsync(IReadOnlyList<ExampleScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var changed = false;
        foreach (var s in scores)
        {
            if (state.State.Scores.TryGetValue(s.ExampleId, out var old) && old.Equals(s.Score)) continue;
            state.State.Scores[s.ExampleId] = s.Score;
            changed = true;
        }
        if (changed) await state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ExampleScore>> GetScoresAsync() => Task.FromResult<IReadOnlyList<ExampleScore>>(
        state.State.Scores.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new ExampleScore(kv.Key, kv.Value)).ToList());
}

/// <summary>The persisted state of a candidate.</summary>
public sealed class CandidateState
{
    /// <summary>The program, once stored.</summary>
    public StoredProgram? Program { get; set; }

    /// <summary>Scores by example id.</summary>
    public Dictionary<string, double> Scores { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A stored program (kept apart from the wire record so the storage format is plain JSON).</summary>
public sealed class StoredProgram
{
    /// <summary>The module kind.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The signature text.</summary>
    public string Signature { get; set; } = "";

    /// <summary><c>Module.DumpState</c> as JSON.</summary>
    public string StateJson { get; set; } = "{}";

    /// <summary>The parent candidate's hash.</summary>
    public string? ParentHash { get; set; }

    /// <summary>The module around the program (<see cref="CandidateProgram.Wrapper"/>), or null.</summary>
    public StoredProgramWrapper? Wrapper { get; set; }
}

/// <summary>A stored <see cref="ProgramWrapperSpec"/>.</summary>
public sealed class StoredProgramWrapper
{
    /// <summary>The wrapper kind.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Its settings (a JSON object).</summary>
    public string ArgumentsJson { get; set; } = "{}";

    /// <summary>The dataset grain holding its examples.</summary>
    public string DatasetId { get; set; } = "";

    /// <summary>Its examples' ids, in order.</summary>
    public List<string> ExampleIds { get; set; } = [];
}
