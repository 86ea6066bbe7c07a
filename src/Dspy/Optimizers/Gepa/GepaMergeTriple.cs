namespace Dspy;

/// <summary>A merge GEPA has tried: the two candidates and their common ancestor (pool indices).</summary>
/// <param name="I">The lower-indexed candidate.</param>
/// <param name="J">The other candidate.</param>
/// <param name="Ancestor">Their common ancestor.</param>
public readonly record struct GepaMergeTriple(int I, int J, int Ancestor);
