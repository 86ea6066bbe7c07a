namespace Dspy;

/// <summary>
/// An <see cref="IProgramEvaluator"/> that memoises every evaluation cell in an <see cref="EvaluationStore"/> (DESIGN
/// invariant 2): cells already in the store are answered from it without running anything, the others are evaluated by
/// the inner evaluator in one request and stored as they come back. Results are in example order, as the inner
/// evaluator returns them, so an optimizer cannot tell a replayed cell from a fresh one (and a resumed run builds the
/// same programs as an uninterrupted one).
/// </summary>
/// <remarks>
/// A request whose program state or examples cannot be hashed (values canonical JSON cannot render) is passed through
/// unmemoised. During a dry run (<see cref="DspySettings.Projection"/>) the store is neither read nor written.
/// </remarks>
public sealed class MemoizingProgramEvaluator : IProgramEvaluator
{
    /// <summary>Creates the decorator over <paramref name="inner"/> with <paramref name="store"/>.</summary>
    public MemoizingProgramEvaluator(IProgramEvaluator inner, EvaluationStore store)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(store);
        Inner = inner;
        Store = store;
    }

    /// <summary>The evaluator that runs the cells not in the store.</summary>
    public IProgramEvaluator Inner { get; }

    /// <summary>The store.</summary>
    public EvaluationStore Store { get; }

    /// <summary>Cells answered from the store so far.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Cells evaluated by the inner evaluator so far.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    private long _hits, _misses;

    /// <inheritdoc/>
    public async Task<ProgramEvaluation> EvaluateAsync(ProgramEvaluationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Program, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Examples, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Metric, nameof(request));
        if (Settings.Current.Projection is not null) return await Inner.EvaluateAsync(request, cancellationToken);

        string[] keys;
        try
        {
            var program = EvaluationCellKey.ProgramHash(request.Program);
            var lm = EvaluationCellKey.LmHash(request.LmOverrides);
            keys = request.Examples.Select(e => EvaluationCellKey.Compute(program, EvaluationCellKey.ExampleHash(e), lm, request.Metric.Name,
                request.CaptureTraces, request.ExcludeExampleFromDemos)).ToArray();
        }
        catch (NotSupportedException)
        {
            return await Inner.EvaluateAsync(request, cancellationToken);
        }

        var results = new ExampleEvaluation?[keys.Length];
        var missing = new List<int>();
        for (var i = 0; i < keys.Length; i++)
        {
            if (Store.TryGet(keys[i], out var cell))
            {
                results[i] = new ExampleEvaluation(i, request.Examples[i], new Prediction(cell.Prediction), cell.Score)
                {
                    MetricValue = cell.MetricValue,
                    Trace = cell.Trace,
                };
            }
            else
            {
                missing.Add(i);
            }
        }
        Interlocked.Add(ref _hits, keys.Length - missing.Count);
        Interlocked.Add(ref _misses, missing.Count);
        if (missing.Count > 0)
        {
            var evaluation = await Inner.EvaluateAsync(request with { Examples = missing.Select(i => request.Examples[i]).ToList() }, cancellationToken);
            for (var k = 0; k < missing.Count; k++)
            {
                var i = missing[k];
                var result = evaluation.Results[k] with { Index = i };
                results[i] = result;
                Store.Put(keys[i], result);
            }
        }
        return new ProgramEvaluation(results.Select(r => r!).ToList());
    }
}
