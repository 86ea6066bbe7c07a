namespace Dspy;

/// <summary>
/// An evaluation (or other parallel run) stopped because <c>max_errors</c> examples failed. DSPy raises
/// "Execution cancelled due to errors or interruption."; this message adds the counts and the first error.
/// </summary>
public sealed class MaxErrorsExceededException : DspyException
{
    /// <summary>Creates the exception.</summary>
    public MaxErrorsExceededException(int maxErrors, IReadOnlyList<Exception> errors)
        : base(BuildMessage(maxErrors, errors), errors.Count > 0 ? errors[0] : null)
    {
        MaxErrors = maxErrors;
        Errors = errors;
    }

    /// <summary>The limit that was reached.</summary>
    public int MaxErrors { get; }

    /// <summary>The errors seen before the run stopped, in the order they happened.</summary>
    public IReadOnlyList<Exception> Errors { get; }

    private static string BuildMessage(int maxErrors, IReadOnlyList<Exception> errors)
    {
        var first = errors.Count > 0 ? $" First error: {errors[0].GetType().Name}: {errors[0].Message}" : "";
        return $"Execution cancelled due to errors or interruption. {errors.Count} example(s) failed, reaching max_errors={maxErrors}.{first}";
    }
}
