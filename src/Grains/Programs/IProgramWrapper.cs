namespace Dspy.Grains;

/// <summary>
/// A kind of module an optimizer returns around the program it was given (KNNFewShot's per-call program), made
/// rebuildable on the silos: it describes such a module by value and rebuilds it around the module a
/// <see cref="ProgramSpec"/> built. Registered with <see cref="ProgramWrappers.Register"/> on every silo and on every client
/// that evaluates through a <see cref="ClusterProgramEvaluator"/>; <c>knn-fewshot</c> is built in.
/// </summary>
public interface IProgramWrapper
{
    /// <summary>The kind's name (<see cref="ProgramWrapperSpec.Kind"/>).</summary>
    string Kind { get; }

    /// <summary>
    /// Describes <paramref name="program"/> when it is this kind's module: the module it wraps, its settings as a JSON
    /// object, and the examples it carries; null when it is not this kind's module.
    /// </summary>
    /// <exception cref="ArgumentException">It is, but it holds something that cannot travel by value (named in the message).</exception>
    WrappedProgram? Describe(Module program);

    /// <summary>
    /// Rebuilds the module around <paramref name="inner"/> from what <see cref="Describe"/> returned (the examples read back,
    /// in order). <paramref name="numThreads"/> is the silo's parallelism for work the module does itself; it never changes a result.
    /// </summary>
    /// <exception cref="ArgumentException">The settings are not this kind's.</exception>
    Module Rebuild(Module inner, string argumentsJson, IReadOnlyList<Example> examples, int numThreads);
}

/// <summary>A wrapped program described by value (<see cref="IProgramWrapper.Describe"/>).</summary>
/// <param name="Inner">The module inside the wrapper, built as the <see cref="ProgramSpec"/> says; its state is the candidate's.</param>
/// <param name="ArgumentsJson">The wrapper's settings, a JSON object in a stable key order.</param>
/// <param name="Examples">The examples the wrapper carries, in order; they travel as ids in the run's dataset grain.</param>
public sealed record WrappedProgram(Module Inner, string ArgumentsJson, IReadOnlyList<Example> Examples);
