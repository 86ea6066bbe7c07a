using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// The program <see cref="Ensemble.Compile"/> returns (DSPy's <c>EnsembledProgram</c>). Its <c>programs</c> attribute holds
/// the member programs, so their predictors are its parameters (<c>programs[0].predict</c>, ...). Each call samples the
/// programs to run, runs them one after another in sampled order, skips (and logs) a program that throws, and returns
/// <c>reduce_fn(outputs)</c>, or <c>Prediction(label="none")</c> when a reduce function is set but every program failed.
/// Without a reduce function DSPy returns the list of outputs; a C# module returns one <see cref="Prediction"/>, so the
/// call returns <see cref="Prediction.FromCompletions"/> of the outputs (the first output's fields, all outputs in
/// <see cref="Prediction.Completions"/>); <see cref="RunAllAsync"/> returns the list itself.
/// </summary>
public sealed class EnsembledProgram : Module
{
    private static ILogger Log => DspyLogging.CreateLogger(typeof(EnsembledProgram));

    private readonly List<Module> _programs;

    [DspyIgnore]
    private readonly Func<IReadOnlyList<Prediction>, Prediction>? _reduceFn;

    [DspyIgnore]
    private readonly int? _size;

    [DspyIgnore]
    private readonly PythonRandom _rng;

    [DspyIgnore]
    private readonly Lock _rngLock = new();

    internal EnsembledProgram(IReadOnlyList<Module> programs, Func<IReadOnlyList<Prediction>, Prediction>? reduceFn, int? size, long seed)
    {
        _programs = [.. programs];
        _reduceFn = reduceFn;
        _size = size;
        _rng = new PythonRandom(seed);
    }

    /// <summary>The member programs.</summary>
    public IReadOnlyList<Module> Programs => _programs;

    /// <summary>
    /// Runs the sampled programs and returns their outputs in sampled order (DSPy's return value without a reduce
    /// function); programs that throw are left out.
    /// </summary>
    public async Task<IReadOnlyList<Prediction>> RunAllAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        List<Module> chosen;
        // One sampler per program, shared by concurrent calls: the lock keeps its state consistent.
        lock (_rngLock) chosen = _size is int k and > 0 ? _rng.Sample(_programs, k) : [.. _programs];
        var outputs = new List<Prediction>();
        foreach (var program in chosen)
        {
            try
            {
                outputs.Add(await program.CallAsync(inputs, cancellationToken));
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                if (Log.IsEnabled(LogLevel.Warning)) Log.LogWarning(ex, "Error for example in dev set: {Error}", ex.Message);
            }
        }
        return outputs;
    }

    /// <inheritdoc/>
    protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        var outputs = await RunAllAsync(inputs, cancellationToken);
        if (_reduceFn is not null)
        {
            return outputs.Count == 0 ? new Prediction { ["label"] = "none" } : _reduceFn(outputs);
        }
        return Prediction.FromCompletions(outputs.Select(o => (IReadOnlyDictionary<string, object?>)o.ToDictionary()));
    }
}
