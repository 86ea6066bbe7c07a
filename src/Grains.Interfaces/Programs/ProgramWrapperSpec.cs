namespace Dspy.Grains;

/// <summary>
/// A module an optimizer returned around the program a <see cref="ProgramSpec"/> builds, by value, so every silo can
/// rebuild it: KNNFewShot's per-call program (<c>knn-fewshot</c>: k, the BootstrapFewShot options, the vectorizer, and the
/// trainset it searches). The kind names the code that rebuilds it (registered on every silo, like program kinds and
/// metrics); the examples it carries travel as ids in a dataset grain, never as examples.
/// </summary>
[GenerateSerializer, Immutable, Alias("dspy.ProgramWrapperSpec")]
public sealed record ProgramWrapperSpec
{
    /// <summary>The registered wrapper kind (<c>knn-fewshot</c>).</summary>
    [Id(0)] public required string Kind { get; init; }

    /// <summary>The wrapper's own settings as a JSON object (small: numbers and names), in a stable key order.</summary>
    [Id(1)] public required string ArgumentsJson { get; init; }

    /// <summary>The dataset grain holding <see cref="ExampleIds"/>.</summary>
    [Id(2)] public required string DatasetId { get; init; }

    /// <summary>The examples the wrapper carries (KNNFewShot's trainset), by id, in order (repeats kept).</summary>
    [Id(3)] public required IReadOnlyList<string> ExampleIds { get; init; }

    /// <summary>A stable text of everything the rebuilt wrapper depends on (part of the candidate hash).</summary>
    public string Key() => $"{Kind}\n{ArgumentsJson}\n{DatasetId}\n{string.Join(",", ExampleIds)}";
}
