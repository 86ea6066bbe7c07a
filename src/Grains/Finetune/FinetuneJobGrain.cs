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
    public Task<string?> GetAsync() => Task.FromResult(state.State.RecordJson);

    /// <inheritdoc/>
    public async Task PutAsync(string recordJson)
    {
        ArgumentNullException.ThrowIfNull(recordJson);
        // A record that does not parse is refused here, not when a resumed run reads it.
        FinetuneJobRecord record;
        try
        {
            record = FinetuneJobRecord.Parse(recordJson);
        }
        catch (InvalidDataException ex)
        {
            throw new ArgumentException(ex.Message, nameof(recordJson), ex);
        }
        var key = this.GetPrimaryKeyString();
        if (record.Key != key) throw new ArgumentException($"The record of request {record.Key} cannot be stored as request {key}'s.", nameof(recordJson));
        state.State.RecordJson = recordJson;
        await state.WriteStateAsync();
    }
}

/// <summary>The persisted state of a fine-tuning job grain.</summary>
public sealed class FinetuneJobGrainState
{
    /// <summary>The record's JSON (<see cref="FinetuneJobRecord.ToJson"/>), once the request was first fine-tuned.</summary>
    public string? RecordJson { get; set; }
}
