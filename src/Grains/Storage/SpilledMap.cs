namespace Dspy.Grains;

/// <summary>
/// A map in a grain's state that grows with the data (a shard's cells, a candidate's per-example scores, a Pareto front's
/// per-example bests), for one activation. Its newest entries stay in the state (the inline part) while their JSON is at
/// most the inline limit; beyond it they move to an append-only, content-named blob segment and the state lists the
/// segments. Later entries win over earlier ones (the segments in order, then the inline part). Segments merge like the
/// digits of a base-16 counter (16 of one level become one of the next), so a map written in n segments keeps O(log n) of
/// them in the state and rewrites each entry O(log n) times. Without blob storage (memory mode) everything stays inline.
/// </summary>
/// <remarks>
/// Safety: new segments are uploaded before the state that names them is written, and segments merged away are deleted
/// only after it, so a crash leaves at most orphaned blobs. A segment that is missing or does not match its name is handled
/// by the owner's <see cref="LostSegments"/> policy and never served. Load once (<see cref="LoadAsync"/>), change with
/// <see cref="Set"/>, persist with <see cref="SaveAsync"/> (one at a time).
/// </remarks>
internal sealed class SpilledMap<TValue>
{
    private const int FanOut = 16;

    private readonly StateBlobs _blobs;
    private readonly string _prefix;
    private readonly LostSegments _onLost;
    private readonly Func<string, TValue, bool>? _isValid;
    private readonly Dictionary<string, TValue> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TValue> _pending = new(StringComparer.Ordinal);
    private Dictionary<string, TValue> _inline = new(StringComparer.Ordinal);
    private List<Segment> _segments = [];
    private Task? _load;
    private bool _layoutChanged, _saving;

    /// <summary>Creates the map of one grain's state.</summary>
    /// <param name="blobs">The grain's blobs.</param>
    /// <param name="prefix">The prefix of its segments' blob names (unique to the grain and the map).</param>
    /// <param name="onLost">What a missing or damaged segment means for this map.</param>
    /// <param name="isValid">Checks an entry read from a segment against its key (e.g. a cell's example id).</param>
    public SpilledMap(StateBlobs blobs, string prefix, LostSegments onLost, Func<string, TValue, bool>? isValid = null)
    {
        _blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        _prefix = prefix;
        _onLost = onLost;
        _isValid = isValid;
    }

    /// <summary>Every entry (after <see cref="LoadAsync"/>).</summary>
    public IReadOnlyDictionary<string, TValue> Entries => _entries;

    /// <summary>True once the stored entries are loaded.</summary>
    public bool IsLoaded => _load is { IsCompletedSuccessfully: true };

    /// <summary>True when the state must be written: entries changed, or lost segments were dropped.</summary>
    public bool HasChanges => _pending.Count > 0 || _layoutChanged;

    /// <summary>
    /// Reads the stored map: the state's inline part and its segments (downloaded in parallel). Callers share one load; a
    /// failed load is tried again by the next call.
    /// </summary>
    /// <exception cref="InvalidDataException">A segment cannot be read and the policy is <see cref="LostSegments.Fail"/>.</exception>
    public Task LoadAsync(Dictionary<string, TValue>? inline, IReadOnlyList<StateSegment>? segments)
    {
        if (_load is null || _load.IsFaulted || _load.IsCanceled) _load = LoadCoreAsync(inline ?? [], segments ?? []);
        return _load;
    }

    /// <summary>Sets an entry (stored by the next <see cref="SaveAsync"/>). Values must not be changed once set.</summary>
    public void Set(string key, TValue value)
    {
        if (!IsLoaded) throw new InvalidOperationException("Load the map before changing it.");
        _entries[key] = value;
        _pending[key] = value;
    }

    /// <summary>
    /// Stores the changes: they join the inline part, which moves to a new segment when it outgrows the limit (merging
    /// segments as needed). New segments are uploaded first, then <paramref name="write"/> writes the state with the inline
    /// part and the segment list it is given, then segments no longer listed are deleted. Returns the keys stored. On a
    /// failure the changes stay pending for the next call.
    /// </summary>
    public async Task<IReadOnlyCollection<string>> SaveAsync(Func<Dictionary<string, TValue>, List<StateSegment>, Task> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (!IsLoaded) throw new InvalidOperationException("Load the map before saving it.");
        if (_saving) throw new InvalidOperationException("One save at a time.");
        _saving = true;
        // Taken before the first await: changes made while this save is under way go out with the next one.
        var batch = new Dictionary<string, TValue>(_pending, StringComparer.Ordinal);
        _pending.Clear();
        try
        {
            var inline = new Dictionary<string, TValue>(_inline, StringComparer.Ordinal);
            foreach (var (key, value) in batch) inline[key] = value;
            var segments = _segments;
            if (_blobs.Enabled && inline.Count > 0 && StateBlobs.Json(inline).Length > _blobs.InlineLimitBytes)
            {
                segments = Spill(_segments, inline);
                inline = new(StringComparer.Ordinal);
                await Task.WhenAll(segments.Where(s => s.Ref is null).Select(UploadAsync));
            }
            await write(inline, segments.Select(s => s.Ref!).ToList());
            var kept = segments.Select(s => s.Ref!.Blob).ToHashSet(StringComparer.Ordinal);
            var replaced = _segments.Select(s => s.Ref!.Blob).Where(b => !kept.Contains(b)).ToList();
            _inline = inline;
            _segments = segments;
            _layoutChanged = false;
            await _blobs.DeleteAsync(replaced);
            return batch.Keys;
        }
        catch
        {
            // Not stored: pending again, unless changed since. Segments uploaded for it are orphans (the write may have
            // reached storage even though it failed here, so they are not deleted).
            foreach (var (key, value) in batch) _pending.TryAdd(key, value);
            throw;
        }
        finally
        {
            _saving = false;
        }
    }

    // The segment list after adding the inline entries as a level-0 segment and merging full levels.
    private static List<Segment> Spill(List<Segment> current, Dictionary<string, TValue> inline)
    {
        var next = new List<Segment>(current) { new(null, 0, inline) };
        while (next.Count >= FanOut && next.Skip(next.Count - FanOut).All(s => s.Level == next[^1].Level))
        {
            var group = next.GetRange(next.Count - FanOut, FanOut);
            var merged = new Dictionary<string, TValue>(StringComparer.Ordinal);
            foreach (var s in group)
            {
                foreach (var (key, value) in s.Entries) merged[key] = value;
            }
            next.RemoveRange(next.Count - FanOut, FanOut);
            next.Add(new Segment(null, group[0].Level + 1, merged));
        }
        return next;
    }

    private async Task UploadAsync(Segment segment)
    {
        var sorted = new SortedDictionary<string, TValue>(segment.Entries, StringComparer.Ordinal);
        var blob = await _blobs.UploadAsync(_prefix, sorted);
        segment.Ref = new StateSegment { Blob = blob, Count = sorted.Count, Level = segment.Level };
    }

    private async Task LoadCoreAsync(Dictionary<string, TValue> inline, IReadOnlyList<StateSegment> stored)
    {
        var loaded = await Task.WhenAll(stored.Select(ReadAsync));
        var lost = Enumerable.Range(0, stored.Count).Where(i => loaded[i] is null).ToList();
        var keepFrom = 0;
        if (lost.Count > 0)
        {
            switch (_onLost)
            {
                case LostSegments.Fail:
                    throw new InvalidDataException(
                        $"{_blobs.Owner}: its stored state names blob '{stored[lost[0]].Blob}', which is missing or damaged; the state cannot be read without it.");
                case LostSegments.DropOlder:
                    // Entries of a lost segment may have replaced ones in earlier segments: those must not come back.
                    keepFrom = lost[^1] + 1;
                    break;
            }
        }
        _segments = Enumerable.Range(keepFrom, stored.Count - keepFrom).Where(i => loaded[i] is not null)
            .Select(i => new Segment(stored[i], stored[i].Level, loaded[i]!)).ToList();
        _layoutChanged = _segments.Count != stored.Count;
        _inline = new Dictionary<string, TValue>(inline, StringComparer.Ordinal);
        _entries.Clear();
        foreach (var s in _segments)
        {
            foreach (var (key, value) in s.Entries) _entries[key] = value;
        }
        foreach (var (key, value) in _inline) _entries[key] = value;
    }

    // A segment's entries, or null when it is missing, altered or inconsistent with its reference.
    private async Task<Dictionary<string, TValue>?> ReadAsync(StateSegment segment)
    {
        var entries = await _blobs.LoadAsync<Dictionary<string, TValue>>(segment.Blob);
        if (entries is null) return null;
        if (entries.Count != segment.Count || (_isValid is { } check && entries.Any(kv => kv.Value is null || !check(kv.Key, kv.Value))))
        {
            return null;
        }
        return new Dictionary<string, TValue>(entries, StringComparer.Ordinal);
    }

    private sealed class Segment(StateSegment? stored, int level, Dictionary<string, TValue> entries)
    {
        public StateSegment? Ref { get; set; } = stored;

        public int Level { get; } = level;

        public Dictionary<string, TValue> Entries { get; } = entries;
    }
}

/// <summary>What a segment of a <see cref="SpilledMap{TValue}"/> that is missing or damaged means.</summary>
internal enum LostSegments
{
    /// <summary>Its entries are gone; the others stand (entries are never replaced, e.g. evaluated cells: evaluated again).</summary>
    Skip,

    /// <summary>Its entries and those of every earlier segment are gone (entries can be replaced, and an older value must not come back).</summary>
    DropOlder,

    /// <summary>The map cannot be read (an error naming the blob).</summary>
    Fail,
}
