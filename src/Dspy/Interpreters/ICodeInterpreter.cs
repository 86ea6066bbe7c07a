namespace Dspy;

/// <summary>
/// DSPy's <c>CodeInterpreter</c> protocol: runs a program the LM wrote, in a sandbox, and reports what it printed, the
/// value it ended with, or the outputs it handed in through <c>SUBMIT(...)</c>.
/// </summary>
/// <remarks>
/// Implementations throw <see cref="CodeExecutionError"/> when the program itself fails (a thrown error, a syntax error)
/// and <see cref="CodeInterpreterError"/> when the sandbox stopped it (time, memory, statement or recursion limit). A
/// cancelled <see cref="CancellationToken"/> surfaces as <see cref="OperationCanceledException"/>.
/// </remarks>
public interface ICodeInterpreter
{
    /// <summary>Runs <paramref name="code"/> with <paramref name="variables"/> bound as globals.</summary>
    /// <param name="code">The program text.</param>
    /// <param name="variables">Value-model values (see <see cref="Example"/>) made available to the program by name.</param>
    /// <param name="cancellationToken">Stops the program.</param>
    Task<CodeExecutionResult> ExecuteAsync(string code, IReadOnlyDictionary<string, object?>? variables = null,
        CancellationToken cancellationToken = default);
}
