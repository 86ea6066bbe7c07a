namespace Dspy;

/// <summary>
/// An optimizer that can be built by name (<see cref="OptimizerRegistry"/>): its name, other spellings, a one-line
/// description and a factory that checks the arguments it uses and refuses the others.
/// </summary>
/// <param name="Name">The name (<c>bootstrap-fewshot</c>, <c>mipro</c>, ...).</param>
/// <param name="Aliases">Other accepted spellings.</param>
/// <param name="Description">One line for help texts.</param>
/// <param name="Create">Builds the optimizer; throws <see cref="ArgumentException"/> for a bad or inapplicable argument.</param>
public sealed record OptimizerFactory(string Name, IReadOnlyList<string> Aliases, string Description, Func<OptimizerArguments, Teleprompter> Create);
