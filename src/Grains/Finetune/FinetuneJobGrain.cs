namespace Dspy.Grains;

/// <summary>
/// The fine-tuning job grain (see <see cref="IFinetuneJobGrain"/>): one small persisted record per training request,
/// written only by the run that is fine-tuning (a few writes per job: before its creation, right after, at its end).
/// Not reentrant, so a read never sees a write half done.
/// </summary>
[GrainType("dspy-finetune-job")]
public sealed class FinetuneJobGrain(
    [PersistentState("finetune-job", GrainStorageNames.Runs)] IPersistentState<FinetuneJobGrainState> state) : Grain, IFinetuneJobGrain
{
    /// <inheritdoc/>
    public Task<FinetuneJobEntry?> GetAsync() => Task.FromResult(state.State.Entry);

    /// <inheritdoc/>
    public async Task PutAsync(FinetuneJobEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = this.GetPrimaryKeyString();
        if (entry.Key != key) throw new ArgumentException($"The record of request {entry.Key} cannot be stored as request {key}'s.", nameof(entry));
        entry.ToRecord(); // a state that does not parse is refused here, not when a resumed run reads it
        state.State.Entry = entry;
        await state.WriteStateAsync();
    }
}

/// <summary>The persisted state of a fine-tuning job grain.</summary>
public sealed class FinetuneJobGrainState
{
    /// <summary>The record, once the request was first fine-tuned.</summary>
    public FinetuneJobEntry? Entry { get; set; }
}
