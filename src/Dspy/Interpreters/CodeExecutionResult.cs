namespace Dspy;

/// <summary>
/// The outcome of one <see cref="ICodeInterpreter.ExecuteAsync"/> call. When the program called <c>SUBMIT(...)</c>,
/// <see cref="IsFinal"/> is true and <see cref="FinalOutput"/> holds what it submitted (DSPy's <c>FinalOutput</c>);
/// otherwise <see cref="Value"/> is the program's completion value and <see cref="Output"/> what it printed.
/// </summary>
public sealed record CodeExecutionResult
{
    /// <summary>Everything printed through <c>print</c> / <c>console.log</c>, one line per call.</summary>
    public string Output { get; init; } = "";

    /// <summary>The completion value of the program (the value of its last expression statement), in the value model.</summary>
    public object? Value { get; init; }

    /// <summary>Whether the program ended by calling <c>SUBMIT(...)</c>.</summary>
    public bool IsFinal { get; init; }

    /// <summary>The submitted outputs (a dictionary of field name to value, or a single value), when <see cref="IsFinal"/>.</summary>
    public object? FinalOutput { get; init; }

    /// <summary>
    /// What a caller like <see cref="ProgramOfThought"/> treats as the program's result: the submitted output, else the
    /// completion value when there is one, else the printed output (DSPy's interpreters return stdout when nothing else).
    /// </summary>
    public object? Result => IsFinal ? FinalOutput : Value ?? (Output.Length > 0 ? Output.TrimEnd('\n') : null);
}
