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
public sealed record FinetuneJob(string BaseModel, string FinetunedModel, BaseLM FinetunedLm, string JobId, string TrainingFileId, int TrainExamples, int StatusPolls);
