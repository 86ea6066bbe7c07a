namespace Dspy.Grains;

/// <summary>The dataset grain: examples by id in persisted state (see <see cref="IDatasetGrain"/>).</summary>
[GrainType("dspy-dataset")]
public sealed class DatasetGrain([PersistentState("examples", GrainStorageNames.Runs)] IPersistentState<DatasetState> state)
    : Grain, IDatasetGrain
{
    /// <inheritdoc/>
    public async Task<int> AddAsync(IReadOnlyList<DatasetExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var added = false;
        foreach (var e in examples)
        {
            if (DatasetExample.Hash(e.Json) != e.Id) throw new ArgumentException($"Example id {e.Id} is not the hash of its JSON.", nameof(examples));
            added |= state.State.Examples.TryAdd(e.Id, e.Json);
        }
        if (added) await state.WriteStateAsync();
        return state.State.Examples.Count;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<DatasetExample>> GetAsync(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var found = new List<DatasetExample>(ids.Count);
        foreach (var id in ids)
        {
            if (!state.State.Examples.TryGetValue(id, out var json))
            {
                throw new KeyNotFoundException($"Dataset '{this.GetPrimaryKeyString()}' has no example {id}; register examples before evaluating them.");
            }
            found.Add(new DatasetExample(id, json));
        }
        return Task.FromResult<IReadOnlyList<DatasetExample>>(found);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> MissingAsync(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return Task.FromResult<IReadOnlyList<string>>(ids.Where(id => !state.State.Examples.ContainsKey(id)).Distinct().ToList());
    }

    /// <inheritdoc/>
    public Task<int> CountAsync() => Task.FromResult(state.State.Examples.Count);
}

/// <summary>The persisted state of a dataset: example JSON by id.</summary>
public sealed class DatasetState
{
    /// <summary>Example JSON by id.</summary>
    public Dictionary<string, string> Examples { get; set; } = new(StringComparer.Ordinal);
}
