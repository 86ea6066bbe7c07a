namespace Dspy.Grains;

/// <summary>
/// The program-candidate grain: the candidate's parameters and per-example scores, persisted. In Azure mode a program
/// larger than <see cref="DspyGrainsOptions.StateInlineLimitBytes"/> (many long demos) is kept in a content-named blob, as
/// is a large program wrapper (KNNFewShot's trainset ids), and the scores beyond that size in blob segments
/// (<see cref="SpilledMap{TValue}"/>); the state names them.
/// </summary>
/// <remarks>
/// A program or wrapper blob that is missing or damaged makes the candidate read as not stored: the shard asking for it
/// reports a missing input, and the evaluator stores the candidate again, which writes the blob again (same content, same name).
/// A lost score segment drops it and the segments before it (a later score may have replaced an earlier one); the scores
/// are recorded again by the candidate's next evaluations, which the shards serve from their stored cells.
/// </remarks>
[GrainType("dspy-candidate")]
public sealed class ProgramCandidateGrain(
    [PersistentState("candidate", GrainStorageNames.Runs)] IPersistentState<CandidateState> state,
    IServiceProvider services) : Grain, IProgramCandidateGrain
{
    private StateBlobs? _blobs;
    private SpilledMap<double>? _scores;
    private CandidateProgram? _program;

    private StateBlobs Blobs => _blobs ??= StateBlobs.For(services, $"Candidate '{this.GetPrimaryKeyString()}'");

    private SpilledMap<double> Scores => _scores ??= new SpilledMap<double>(Blobs, Prefix("scores"), LostSegments.DropOlder, (_, score) => !double.IsNaN(score));

    private string Prefix(string part) => $"candidates/{Uri.EscapeDataString(this.GetPrimaryKeyString())}/{part}";

    /// <inheritdoc/>
    public async Task SetAsync(CandidateProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var key = this.GetPrimaryKeyString();
        if (!key.EndsWith(":" + program.Hash, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Candidate grain '{key}' cannot hold a program whose hash is {program.Hash}.", nameof(program));
        }
        var wrapper = program.Wrapper is { } w
            ? new StoredProgramWrapper { Kind = w.Kind, ArgumentsJson = w.ArgumentsJson, DatasetId = w.DatasetId, ExampleIds = [.. w.ExampleIds] }
            : null;
        if (state.State.Program is { } stored)
        {
            // The hash names the content, so this is the stored program: write its blobs again if one was lost.
            if ((stored.StateBlob is not null || stored.WrapperBlob is not null) && await GetAsync() is null)
            {
                if (stored.StateBlob is { } blob) await RewriteAsync(blob, Prefix("program"), program.StateJson);
                if (stored.WrapperBlob is { } wrapperBlob) await RewriteAsync(wrapperBlob, Prefix("wrapper"), wrapper);
                _program = program;
            }
            return;
        }
        var offloaded = await Blobs.OffloadAsync(Prefix("program"), program.StateJson);
        // A wrapper's example ids (KNNFewShot's trainset) grow with the data like the program does.
        var wrapperOffloaded = wrapper is null ? null : await Blobs.OffloadAsync(Prefix("wrapper"), wrapper);
        state.State.Program = new StoredProgram
        {
            Kind = program.Spec.Kind, Signature = program.Spec.Signature, StateJson = offloaded is null ? program.StateJson : null,
            StateBlob = offloaded, ParentHash = program.ParentHash,
            Wrapper = wrapperOffloaded is null ? wrapper : null, WrapperBlob = wrapperOffloaded,
        };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Program = null;
            throw;
        }
        _program = program;
    }

    /// <inheritdoc/>
    public async Task<CandidateProgram?> GetAsync()
    {
        if (_program is not null || state.State.Program is not { } p) return _program;
        var json = p.StateBlob is { } blob ? await Blobs.LoadAsync<string>(blob) : p.StateJson;
        var wrapper = p.WrapperBlob is { } wrapperBlob ? await Blobs.LoadAsync<StoredProgramWrapper>(wrapperBlob) : p.Wrapper;
        // A lost blob reads as not stored (see the remarks); the evaluator stores the candidate again.
        if (json is null || (p.WrapperBlob is not null && wrapper is null)) return null;
        return _program = new CandidateProgram(new ProgramSpec(p.Kind, p.Signature), json, p.ParentHash)
        {
            Wrapper = wrapper is null
                ? null
                : new ProgramWrapperSpec { Kind = wrapper.Kind, ArgumentsJson = wrapper.ArgumentsJson, DatasetId = wrapper.DatasetId, ExampleIds = wrapper.ExampleIds },
        };
    }

    private async Task RewriteAsync<T>(string blob, string prefix, T value)
    {
        var written = await Blobs.UploadAsync(prefix, value);
        if (written != blob) throw new InvalidOperationException($"{Blobs.Owner}: the part stored as '{blob}' was written again as '{written}'.");
    }

    /// <inheritdoc/>
    public async Task RecordScoresAsync(IReadOnlyList<ExampleScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        await LoadScoresAsync();
        foreach (var s in scores)
        {
            if (Scores.Entries.TryGetValue(s.ExampleId, out var old) && old.Equals(s.Score)) continue;
            Scores.Set(s.ExampleId, s.Score);
        }
        if (Scores.HasChanges) await SaveScoresAsync();
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ExampleScore>> GetScoresAsync()
    {
        await LoadScoresAsync();
        return Scores.Entries.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new ExampleScore(kv.Key, kv.Value)).ToList();
    }

    private async Task LoadScoresAsync()
    {
        if (Scores.IsLoaded) return;
        await Scores.LoadAsync(state.State.Scores, state.State.ScoreSegments);
        if (Scores.HasChanges) await SaveScoresAsync(); // segments were dropped: the state stops naming them
    }

    private Task<IReadOnlyCollection<string>> SaveScoresAsync() => Scores.SaveAsync(async (inline, segments) =>
    {
        var (oldInline, oldSegments) = (state.State.Scores, state.State.ScoreSegments);
        state.State.Scores = inline;
        state.State.ScoreSegments = segments.Count == 0 ? null : segments;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            (state.State.Scores, state.State.ScoreSegments) = (oldInline, oldSegments);
            throw;
        }
    });
}

/// <summary>The persisted state of a candidate.</summary>
public sealed class CandidateState
{
    /// <summary>The program, once stored.</summary>
    public StoredProgram? Program { get; set; }

    /// <summary>Scores by example id (all of them, or in Azure mode the newest, up to the inline limit).</summary>
    public Dictionary<string, double> Scores { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The blob segments holding the other scores (Azure mode), oldest first; null when none.</summary>
    public List<StateSegment>? ScoreSegments { get; set; }
}

/// <summary>A stored program (kept apart from the wire record so the storage format is plain JSON).</summary>
public sealed class StoredProgram
{
    /// <summary>The module kind.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The signature text.</summary>
    public string Signature { get; set; } = "";

    /// <summary><c>Module.DumpState</c> as JSON; null when it is in <see cref="StateBlob"/>.</summary>
    public string? StateJson { get; set; } = "{}";

    /// <summary>The blob holding the state JSON when it is larger than the inline limit (Azure mode), else null.</summary>
    public string? StateBlob { get; set; }

    /// <summary>The parent candidate's hash.</summary>
    public string? ParentHash { get; set; }

    /// <summary>The module around the program (<see cref="CandidateProgram.Wrapper"/>), or null (none, or in <see cref="WrapperBlob"/>).</summary>
    public StoredProgramWrapper? Wrapper { get; set; }

    /// <summary>The blob holding <see cref="Wrapper"/> when it is larger than the inline limit (Azure mode), else null.</summary>
    public string? WrapperBlob { get; set; }
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
