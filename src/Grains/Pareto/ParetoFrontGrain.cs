using Orleans.Concurrency;

namespace Dspy.Grains;

/// <summary>
/// The Pareto-front grain (see <see cref="IParetoFrontGrain"/>). Reentrant so updates arriving while a write is in
/// flight are merged at once and ride on the next write: one <c>WriteStateAsync</c> in flight, each caller answered
/// when a write that includes its update has finished. The front depends only on the set of updates, not their order.
/// It also holds a GEPA run's checkpoint (<see cref="SaveGepaAsync"/>, through <see cref="ParetoFrontGrainStore"/>).
/// </summary>
[GrainType("dspy-pareto-front")]
[Reentrant]
public sealed class ParetoFrontGrain([PersistentState("front", GrainStorageNames.Runs)] IPersistentState<ParetoState> state)
    : Grain, IParetoFrontGrain
{
    private Task _writing = Task.CompletedTask;
    private int _version, _written;

    /// <inheritdoc/>
    public async Task<ParetoFront> UpdateAsync(string candidateHash, IReadOnlyList<ExampleScore> scores)
    {
        ArgumentException.ThrowIfNullOrEmpty(candidateHash);
        ArgumentNullException.ThrowIfNull(scores);
        // Checked before anything changes, so a bad update leaves the front as it was.
        if (scores.FirstOrDefault(s => double.IsNaN(s.Score)) is { } nan) throw new ArgumentException($"Score of example {nan.ExampleId} is NaN.", nameof(scores));
        foreach (var s in scores)
        {
            if (!state.State.Best.TryGetValue(s.ExampleId, out var cell) || s.Score > cell.Best)
            {
                state.State.Best[s.ExampleId] = new ParetoStateCell { Best = s.Score, Candidates = [candidateHash] };
            }
            else if (s.Score.Equals(cell.Best) && !cell.Candidates.Contains(candidateHash))
            {
                cell.Candidates.Add(candidateHash);
                cell.Candidates.Sort(StringComparer.Ordinal);
            }
        }
        await PersistAsync();
        return Front();
    }

    /// <inheritdoc/>
    public Task<ParetoFront> GetAsync() => Task.FromResult(Front());

    /// <inheritdoc/>
    public async Task SaveGepaAsync(GepaFrontRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        GepaFrontRecords.Check(record);
        if (state.State.Gepa is { } saved && saved.RunKey != record.RunKey)
        {
            throw new InvalidOperationException($"Pareto front '{this.GetPrimaryKeyString()}' holds the GEPA checkpoint of another configuration.");
        }
        // A save of an older round arriving late (a retried call) never replaces a newer one.
        if (state.State.Gepa is { } current && current.Round > record.Round) return;
        state.State.Gepa = record;
        await PersistAsync();
    }

    /// <inheritdoc/>
    public Task<GepaFrontRecord?> GetGepaAsync() => Task.FromResult(state.State.Gepa);

    // Answers once a write that includes the caller's change has finished; one write in flight at a time.
    private async Task PersistAsync()
    {
        var mine = ++_version;
        while (_written < mine)
        {
            if (_writing.IsCompleted) _writing = WriteAsync();
            await _writing;
        }
    }

    private async Task WriteAsync()
    {
        var version = _version;
        await state.WriteStateAsync();
        _written = Math.Max(_written, version);
    }

    private ParetoFront Front()
    {
        var cells = state.State.Best.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ParetoCell(kv.Key, kv.Value.Best, kv.Value.Candidates.ToList())).ToList();
        var candidates = cells.SelectMany(c => c.Candidates).Distinct().Order(StringComparer.Ordinal).ToList();
        return new ParetoFront(candidates, cells);
    }
}

/// <summary>The persisted front.</summary>
public sealed class ParetoState
{
    /// <summary>Per example id: the best score and the candidates reaching it.</summary>
    public Dictionary<string, ParetoStateCell> Best { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The GEPA run's checkpoint, once it saved one.</summary>
    public GepaFrontRecord? Gepa { get; set; }
}

/// <summary>One example's best score and candidates.</summary>
public sealed class ParetoStateCell
{
    /// <summary>The best score.</summary>
    public double Best { get; set; }

    /// <summary>The candidates reaching it, ordered by hash.</summary>
    public List<string> Candidates { get; set; } = [];
}
