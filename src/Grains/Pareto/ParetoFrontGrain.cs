using Orleans.Concurrency;

namespace Dspy.Grains;

/// <summary>
/// The Pareto-front grain (see <see cref="IParetoFrontGrain"/>). Reentrant so updates arriving while a write is in
/// flight are merged at once and ride on the next write: one <c>WriteStateAsync</c> in flight, each caller answered
/// when a write that includes its update has finished. The front depends only on the set of updates, not their order.
/// It also holds a GEPA run's checkpoint (<see cref="SaveGepaAsync"/>, through <see cref="ParetoFrontGrainStore"/>).
/// </summary>
/// <remarks>
/// In Azure mode the per-example bests beyond <see cref="DspyGrainsOptions.StateInlineLimitBytes"/> go to blob segments
/// (<see cref="SpilledMap{TValue}"/>) and a larger checkpoint to a content-named blob; the state names them. A lost
/// segment of bests is an error naming the blob (the updates cannot be replayed, and a front missing some would be
/// wrong). A lost checkpoint blob reads as no checkpoint and the state stops naming it: GEPA then starts again from its
/// seed, its evaluations served by the shards' stored cells.
/// </remarks>
[GrainType("dspy-pareto-front")]
[Reentrant]
public sealed class ParetoFrontGrain(
    [PersistentState("front", GrainStorageNames.Runs)] IPersistentState<ParetoState> state,
    IServiceProvider services) : Grain, IParetoFrontGrain
{
    private Task _writing = Task.CompletedTask;
    private int _version, _written;
    private StateBlobs? _blobs;
    private SpilledMap<ParetoStateCell>? _best;
    private (string Blob, GepaFrontRecord Record)? _gepa;

    private StateBlobs Blobs => _blobs ??= StateBlobs.For(services, $"Pareto front '{this.GetPrimaryKeyString()}'");

    private SpilledMap<ParetoStateCell> Best => _best ??= new SpilledMap<ParetoStateCell>(Blobs, Prefix("best"), LostSegments.Fail,
        (_, cell) => cell.Candidates is { Count: > 0 } && !double.IsNaN(cell.Best));

    private string Prefix(string part) => $"pareto/{Uri.EscapeDataString(this.GetPrimaryKeyString())}/{part}";

    /// <inheritdoc/>
    public async Task<ParetoFront> UpdateAsync(string candidateHash, IReadOnlyList<ExampleScore> scores)
    {
        ArgumentException.ThrowIfNullOrEmpty(candidateHash);
        ArgumentNullException.ThrowIfNull(scores);
        // Checked before anything changes, so a bad update leaves the front as it was.
        if (scores.FirstOrDefault(s => double.IsNaN(s.Score)) is { } nan) throw new ArgumentException($"Score of example {nan.ExampleId} is NaN.", nameof(scores));
        await Best.LoadAsync(state.State.Best, state.State.BestSegments);
        foreach (var s in scores)
        {
            // New cells, never changed in place: stored segments and the inline part share them.
            if (!Best.Entries.TryGetValue(s.ExampleId, out var cell) || s.Score > cell.Best)
            {
                Best.Set(s.ExampleId, new ParetoStateCell { Best = s.Score, Candidates = [candidateHash] });
            }
            else if (s.Score.Equals(cell.Best) && !cell.Candidates.Contains(candidateHash))
            {
                Best.Set(s.ExampleId, new ParetoStateCell { Best = cell.Best, Candidates = [.. cell.Candidates.Append(candidateHash).Order(StringComparer.Ordinal)] });
            }
        }
        await PersistAsync();
        return Front();
    }

    /// <inheritdoc/>
    public async Task<ParetoFront> GetAsync()
    {
        await Best.LoadAsync(state.State.Best, state.State.BestSegments);
        return Front();
    }

    /// <inheritdoc/>
    public async Task SaveGepaAsync(GepaFrontRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        GepaFrontRecords.Check(record);
        if (IsStale(record)) return;
        var blob = await Blobs.OffloadAsync(Prefix("gepa"), record);
        // Checked again: other saves may have run while the blob was written (the grain is reentrant).
        if (IsStale(record))
        {
            if (blob is not null && blob != state.State.GepaBlob) await Blobs.DeleteAsync([blob]);
            return;
        }
        var replaced = state.State.GepaBlob;
        state.State.Gepa = blob is null ? record : null;
        state.State.GepaBlob = blob;
        state.State.GepaRunKey = record.RunKey;
        state.State.GepaRound = record.Round;
        _gepa = blob is null ? null : (blob, record);
        await PersistAsync();
        // Stored without it: the replaced checkpoint's blob can go.
        if (replaced is not null && replaced != state.State.GepaBlob) await Blobs.DeleteAsync([replaced]);
    }

    /// <inheritdoc/>
    public async Task<GepaFrontRecord?> GetGepaAsync()
    {
        if (state.State.GepaBlob is not { } blob) return state.State.Gepa;
        if (_gepa is { } cached && cached.Blob == blob) return cached.Record;
        var record = await Blobs.LoadAsync<GepaFrontRecord>(blob);
        if (record is not null && IsConsistent(record))
        {
            if (state.State.GepaBlob == blob) _gepa = (blob, record);
            return record;
        }
        // Lost (see the remarks): no checkpoint, and the state stops naming the blob, so the restarted run's saves are taken.
        if (state.State.GepaBlob == blob)
        {
            state.State.GepaBlob = null;
            state.State.GepaRunKey = null;
            state.State.GepaRound = null;
            await PersistAsync();
        }
        return null;
    }

    // Another configuration's checkpoint is refused; an older round arriving late (a retried call) never replaces a newer one.
    private bool IsStale(GepaFrontRecord record)
    {
        var (runKey, round) = state.State.Gepa is { } inline ? (inline.RunKey, inline.Round) : (state.State.GepaRunKey, state.State.GepaRound);
        if (runKey is not null && runKey != record.RunKey)
        {
            throw new InvalidOperationException($"Pareto front '{this.GetPrimaryKeyString()}' holds the GEPA checkpoint of another configuration.");
        }
        return round > record.Round;
    }

    private bool IsConsistent(GepaFrontRecord record)
    {
        try
        {
            GepaFrontRecords.Check(record);
            return record.RunKey == state.State.GepaRunKey && record.Round == state.State.GepaRound;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

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
        if (!Best.IsLoaded)
        {
            await state.WriteStateAsync();
        }
        else
        {
            await Best.SaveAsync(async (inline, segments) =>
            {
                state.State.Best = inline;
                state.State.BestSegments = segments.Count == 0 ? null : segments;
                await state.WriteStateAsync();
            });
        }
        _written = Math.Max(_written, version);
    }

    private ParetoFront Front()
    {
        var cells = Best.Entries.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new ParetoCell(kv.Key, kv.Value.Best, kv.Value.Candidates.ToList())).ToList();
        var candidates = cells.SelectMany(c => c.Candidates).Distinct().Order(StringComparer.Ordinal).ToList();
        return new ParetoFront(candidates, cells);
    }
}
