using Orleans.Runtime;

namespace Dspy.Grains;

/// <summary>
/// A shard grain's evaluated cells, the cluster's evaluation store (DESIGN invariant 2): in the grain's state, and in Azure
/// mode beyond <see cref="DspyGrainsOptions.StateInlineLimitBytes"/> in append-only blob segments the state lists
/// (<see cref="SpilledMap{TValue}"/>), loaded when the activation's first work arrives. Writes are coalesced: one in flight,
/// cells finished meanwhile go out with the next, so a crash loses at most the cells not written yet. A segment that is
/// missing or damaged is dropped (logged) and the state stops naming it: its cells are evaluated again, never served wrong.
/// </summary>
internal sealed class ShardCells(IPersistentState<ShardState> state, StateBlobs blobs, string shardKey, SiloLanguageModel silo)
{
    private readonly SpilledMap<CellResult> _cells = new(blobs, $"cells/{Uri.EscapeDataString(shardKey)}/segment", LostSegments.Skip,
        (id, cell) => cell.ExampleId == id && cell.ErrorType is null);
    private Task _writing = Task.CompletedTask;

    /// <summary>Reads the stored cells (once per activation); a lost segment is dropped from the state before anything else.</summary>
    public async Task LoadAsync()
    {
        if (_cells.IsLoaded) return;
        await _cells.LoadAsync(state.State.Cells, state.State.Segments);
        if (_cells.HasChanges) await FlushAsync();
    }

    /// <summary>The stored (or being stored) cell of an example.</summary>
    public bool TryGet(string exampleId, out CellResult cell) => _cells.Entries.TryGetValue(exampleId, out cell!);

    /// <summary>Adds a completed cell and starts a write unless one is in flight (it then rides on the next).</summary>
    public void Add(CellResult cell)
    {
        _cells.Set(cell.ExampleId, cell);
        if (_writing.IsCompleted) _writing = WriteLoopAsync();
    }

    /// <summary>Returns once every cell added so far is stored.</summary>
    public async Task FlushAsync()
    {
        // A failed write leaves its cells pending, so a new loop (not the failed one's error) decides.
        while (true)
        {
            if (_writing.IsCompleted && _cells.HasChanges) _writing = WriteLoopAsync();
            await _writing;
            if (!_cells.HasChanges) return;
        }
    }

    private async Task WriteLoopAsync()
    {
        while (_cells.HasChanges)
        {
            var written = await _cells.SaveAsync((inline, segments) =>
            {
                // A fresh record per write: cells added while it is serialized belong to the next one.
                state.State = new ShardState { Cells = inline, Segments = segments.Count == 0 ? null : segments };
                return state.WriteStateAsync();
            });
            foreach (var id in written) silo.OnCellStored(shardKey + "|" + id);
        }
    }
}

/// <summary>The persisted cells of a shard.</summary>
public sealed class ShardState
{
    /// <summary>Completed cells by example id (all of them, or in Azure mode the newest, up to the inline limit).</summary>
    public Dictionary<string, CellResult> Cells { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The blob segments holding the other completed cells (Azure mode), oldest first; null when none.</summary>
    public List<StateSegment>? Segments { get; set; }
}
