namespace Dspy;

/// <summary>
/// DSPy's <c>Provider</c> fine-tuning hook (<c>lm.finetune(train_data, train_data_format, train_kwargs)</c>): trains a new
/// model from chat-format data and returns an LM for it. <see cref="OpenAIFinetuneProvider"/> is the built-in one.
/// </summary>
public abstract class FinetuneProvider
{
    /// <summary>Whether this provider can fine-tune <paramref name="lm"/>'s model.</summary>
    public abstract bool CanFinetune(BaseLM lm);

    /// <summary>
    /// Trains a model from <paramref name="trainData"/> (one record per training example, e.g. <c>{"messages": [...]}</c>)
    /// and returns the job's outcome, whose <see cref="FinetuneJob.FinetunedLm"/> is a copy of <paramref name="lm"/> for the
    /// new model.
    /// </summary>
    public abstract Task<FinetuneJob> FinetuneAsync(BaseLM lm, IReadOnlyList<IReadOnlyDictionary<string, object?>> trainData, TrainDataFormat trainDataFormat,
        IReadOnlyDictionary<string, object?>? trainKwargs, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="FinetuneAsync(BaseLM, IReadOnlyList{IReadOnlyDictionary{string, object}}, TrainDataFormat, IReadOnlyDictionary{string, object}, CancellationToken)"/>
    /// remembering the job in <paramref name="jobs"/> by request (<see cref="FinetuneRequestKey"/>), so that a call repeated
    /// after a crash re-attaches to the job the first one started instead of starting (and paying for) another. Null
    /// remembers nothing. The default ignores the store (every call trains anew); a provider whose jobs outlive the
    /// process overrides it, as <see cref="OpenAIFinetuneProvider"/> does.
    /// </summary>
    public virtual Task<FinetuneJob> FinetuneAsync(BaseLM lm, IReadOnlyList<IReadOnlyDictionary<string, object?>> trainData, TrainDataFormat trainDataFormat,
        IReadOnlyDictionary<string, object?>? trainKwargs, IFinetuneJobStore? jobs, CancellationToken cancellationToken = default) =>
        FinetuneAsync(lm, trainData, trainDataFormat, trainKwargs, cancellationToken);
}

/// <summary>DSPy's <c>TrainDataFormat</c>: the shape of fine-tuning records.</summary>
public enum TrainDataFormat
{
    /// <summary><c>{"messages": [{"role", "content"}, ...]}</c>, what chat adapters produce.</summary>
    Chat,

    /// <summary><c>{"prompt", "completion"}</c>.</summary>
    Completion,

    /// <summary>Preference pairs (not accepted by OpenAI's supervised fine-tuning).</summary>
    Grpo,
}

/// <summary>The outcome of one fine-tuning job.</summary>
/// <param name="BaseModel">The model that was fine-tuned (as the provider names it).</param>
/// <param name="FinetunedModel">The provider's name of the new model (e.g. <c>ft:gpt-4o-mini:org::abc123</c>).</param>
/// <param name="FinetunedLm">An LM for the new model: a copy of the original LM with the new model name.</param>
/// <param name="JobId">The provider's job id.</param>
/// <param name="TrainingFileId">The provider's id of the uploaded training file.</param>
/// <param name="TrainExamples">The number of training records sent.</param>
/// <param name="StatusPolls">How many times the job's status was read before it finished.</param>
public sealed record FinetuneJob(string BaseModel, string FinetunedModel, BaseLM FinetunedLm, string JobId, string TrainingFileId, int TrainExamples, int StatusPolls)
{
    /// <summary>
    /// True when this call started no job: it re-attached to the job an earlier call started for the same request (found
    /// through an <see cref="IFinetuneJobStore"/>), still running or already finished.
    /// </summary>
    public bool Resumed { get; init; }
}
