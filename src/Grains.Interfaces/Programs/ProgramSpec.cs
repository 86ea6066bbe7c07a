using System.Collections.Concurrent;

namespace Dspy.Grains;

/// <summary>
/// A program the silos can rebuild by value: a module kind and the signature it is built over, in DSPy's string form
/// with types (<c>"question -> answer: float"</c>). The learned parameters travel separately as the program's
/// <c>Module.DumpState</c> JSON, which is loaded into the rebuilt module. Built-in kinds are <c>predict</c> and
/// <c>cot</c> (<c>chain-of-thought</c>), as <c>dspy --module</c> names them; self-hosted clusters add their own with
/// <see cref="RegisterKind"/> on every silo and client.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.ProgramSpec")]
public sealed record ProgramSpec([property: Id(0)] string Kind, [property: Id(1)] string Signature)
{
    private static readonly ConcurrentDictionary<string, Func<Signature, Module>> s_kinds = new(StringComparer.Ordinal)
    {
        ["predict"] = s => new Predict(s),
        ["cot"] = s => new ChainOfThought(s),
        ["chain-of-thought"] = s => new ChainOfThought(s),
    };

    /// <summary>Registers a module kind (a factory over the parsed signature); a later registration of the same name replaces it.</summary>
    public static void RegisterKind(string kind, Func<Signature, Module> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(factory);
        s_kinds[kind] = factory;
    }

    /// <summary>The registered module kinds.</summary>
    public static IReadOnlyList<string> Kinds => s_kinds.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Builds a fresh module of this kind over the parsed signature (no demos, default instructions).</summary>
    /// <exception cref="ArgumentException">The kind is unknown or the signature does not parse.</exception>
    public Module Build()
    {
        if (!s_kinds.TryGetValue(Kind, out var factory))
        {
            throw new ArgumentException($"Unknown program kind '{Kind}'; registered kinds: {string.Join(", ", Kinds)}.");
        }
        Signature parsed;
        try
        {
            parsed = Dspy.Signature.Parse(Signature);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ArgumentException($"Program signature '{Signature}' does not parse: {ex.Message}", ex);
        }
        return factory(parsed);
    }

    /// <summary>
    /// Builds the module and loads <paramref name="stateJson"/> (<c>Module.DumpState</c> as JSON) into it. The predictors'
    /// LM endpoints (<c>api_base</c>, ...) are dropped unless <paramref name="allowUnsafeLmState"/> (DSPy's rule for files
    /// that are not trusted); a client that loads the result of its own run keeps them, so it saves what an in-process
    /// compile saves.
    /// </summary>
    public Module Build(string stateJson, bool allowUnsafeLmState = false)
    {
        ArgumentNullException.ThrowIfNull(stateJson);
        var program = Build();
        if (ValueModel.ParseJson(stateJson) is not Dictionary<string, object?> state)
        {
            throw new ArgumentException("A program state must be a JSON object (Module.DumpState).");
        }
        program.LoadState(state, allowUnsafeLmState);
        return program;
    }

    /// <summary>
    /// Checks that <paramref name="program"/> has the structure this spec builds (same predictor paths and signature
    /// fields), so its state can be shipped and loaded on another machine.
    /// </summary>
    /// <exception cref="ArgumentException">The program was built differently.</exception>
    public void EnsureMatches(Module program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var expected = Build().NamedPredictors().Select(p => (p.Name, Fields: string.Join(",", p.Predictor.Signature.Fields.Select(f => f.Name)))).ToList();
        var actual = program.NamedPredictors().Select(p => (p.Name, Fields: string.Join(",", p.Predictor.Signature.Fields.Select(f => f.Name)))).ToList();
        if (!expected.SequenceEqual(actual))
        {
            throw new ArgumentException(
                $"The program does not match its spec ({Kind} over '{Signature}'): expected predictors [{Describe(expected)}], got [{Describe(actual)}].");
        }
    }

    private static string Describe(List<(string Name, string Fields)> predictors) =>
        string.Join("; ", predictors.Select(p => $"{p.Name}({p.Fields})"));
}
