namespace Dspy;

/// <summary>
/// Scores a candidate program on a dataset through the program-evaluator seam (<see cref="CompileOptions.Evaluator"/>,
/// default <see cref="LocalProgramEvaluator.Instance"/>), with <see cref="Evaluate"/>'s score: the mean as a percentage.
/// </summary>
internal static class ProgramScoring
{
    public static IProgramEvaluator EvaluatorOf(CompileOptions? options) => options?.Evaluator ?? LocalProgramEvaluator.Instance;

    public static async Task<ProgramEvaluation> EvaluateAsync(IProgramEvaluator evaluator, Module program, IReadOnlyList<Example> examples, Metric metric,
        int? numThreads, int? maxErrors, string phase, CancellationToken cancellationToken)
    {
        var request = new ProgramEvaluationRequest
        {
            Program = program,
            Examples = examples,
            Metric = metric,
            NumThreads = numThreads,
            MaxErrors = maxErrors ?? Settings.Current.MaxErrors,
            Phase = phase,
        };
        return await evaluator.EvaluateAsync(request, cancellationToken);
    }
}
