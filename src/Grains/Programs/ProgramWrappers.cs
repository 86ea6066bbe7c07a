using System.Collections.Concurrent;

namespace Dspy.Grains;

/// <summary>
/// The registry of <see cref="IProgramWrapper"/> kinds, and the two ends of a wrapped candidate's trip: the evaluator
/// describes the program it is given (<see cref="Describe"/>), a shard on any silo rebuilds it (<see cref="BuildAsync"/>).
/// A program that is no registered wrapper's module is the spec's module itself, as before.
/// </summary>
public static class ProgramWrappers
{
    private static readonly ConcurrentDictionary<string, IProgramWrapper> s_wrappers = new(StringComparer.Ordinal)
    {
        [KnnFewShotWrapper.KindName] = new KnnFewShotWrapper(),
    };

    /// <summary>Registers a wrapper kind; a later registration of the same kind replaces it.</summary>
    public static void Register(IProgramWrapper wrapper)
    {
        ArgumentNullException.ThrowIfNull(wrapper);
        ArgumentException.ThrowIfNullOrEmpty(wrapper.Kind);
        s_wrappers[wrapper.Kind] = wrapper;
    }

    /// <summary>The registered wrapper kinds.</summary>
    public static IReadOnlyList<string> Kinds => s_wrappers.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The candidate of <paramref name="program"/>: the module <paramref name="spec"/> builds, either itself or inside a
    /// registered wrapper, whose examples (returned, to register) are named as ids in dataset <paramref name="datasetId"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The (wrapped) module does not match the spec, or the wrapper cannot travel by value.</exception>
    public static (CandidateProgram Candidate, IReadOnlyList<DatasetExample> Examples) Describe(ProgramSpec spec, Module program, string datasetId)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(program);
        foreach (var kind in Kinds)
        {
            if (!s_wrappers.TryGetValue(kind, out var wrapper) || wrapper.Describe(program) is not { } wrapped) continue;
            spec.EnsureMatches(wrapped.Inner);
            var examples = wrapped.Examples.Select(DatasetExample.From).ToList();
            var candidate = CandidateProgram.From(spec, wrapped.Inner) with
            {
                Wrapper = new ProgramWrapperSpec
                {
                    Kind = kind, ArgumentsJson = wrapped.ArgumentsJson, DatasetId = datasetId, ExampleIds = examples.Select(e => e.Id).ToList(),
                },
            };
            return (candidate, examples);
        }
        spec.EnsureMatches(program);
        return (CandidateProgram.From(spec, program), []);
    }

    /// <summary>
    /// Rebuilds <paramref name="candidate"/>'s program: the spec's module with the state loaded, inside its wrapper when it
    /// has one (whose examples <paramref name="readExamples"/> reads by dataset id and ids, in order).
    /// </summary>
    /// <exception cref="ArgumentException">The kind, signature or wrapper kind is unknown here, or the state does not load.</exception>
    public static async Task<Module> BuildAsync(CandidateProgram candidate,
        Func<string, IReadOnlyList<string>, Task<IReadOnlyList<DatasetExample>>> readExamples, int numThreads)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(readExamples);
        var program = candidate.Spec.Build(candidate.StateJson);
        if (candidate.Wrapper is not { } spec) return program;
        if (!s_wrappers.TryGetValue(spec.Kind, out var wrapper))
        {
            throw new ArgumentException($"Unknown program wrapper '{spec.Kind}'; registered: {string.Join(", ", Kinds)}. Register it with ProgramWrappers.Register on every silo.");
        }
        var examples = await readExamples(spec.DatasetId, spec.ExampleIds);
        return wrapper.Rebuild(program, spec.ArgumentsJson, examples.Select(e => e.ToExample()).ToList(), numThreads);
    }
}
