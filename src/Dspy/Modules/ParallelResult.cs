namespace Dspy;

/// <summary>
/// What <see cref="Parallel"/> returns: the results in input order (null for an item that failed) and, when
/// <see cref="Parallel.ReturnFailedExamples"/> is on, the failed inputs with their exceptions (DSPy's
/// <c>(results, failed_examples, exceptions)</c> tuple). Deconstructs as that tuple.
/// </summary>
/// <typeparam name="TResult">The result type of one item.</typeparam>
public sealed class ParallelResult<TResult>
{
    internal ParallelResult(IReadOnlyList<TResult?> results, IReadOnlyList<object?> failedExamples, IReadOnlyList<Exception> exceptions)
    {
        Results = results;
        FailedExamples = failedExamples;
        Exceptions = exceptions;
    }

    /// <summary>One result per input, in input order; null where the item failed.</summary>
    public IReadOnlyList<TResult?> Results { get; }

    /// <summary>The inputs that failed, in input order (empty unless <see cref="Parallel.ReturnFailedExamples"/>).</summary>
    public IReadOnlyList<object?> FailedExamples { get; }

    /// <summary>The exception of each failed input, aligned with <see cref="FailedExamples"/>.</summary>
    public IReadOnlyList<Exception> Exceptions { get; }

    /// <summary>Deconstructs into DSPy's <c>(results, failed_examples, exceptions)</c>.</summary>
    public void Deconstruct(out IReadOnlyList<TResult?> results, out IReadOnlyList<object?> failedExamples, out IReadOnlyList<Exception> exceptions)
    {
        results = Results;
        failedExamples = FailedExamples;
        exceptions = Exceptions;
    }
}
