namespace Dspy.Grains;

/// <summary>One blob segment of a map in a grain's state (a shard's cells, a candidate's scores, a front's bests beyond the inline limit).</summary>
public sealed class StateSegment
{
    /// <summary>The content-named blob holding the segment's entries.</summary>
    public string Blob { get; set; } = "";

    /// <summary>The number of entries in it.</summary>
    public int Count { get; set; }

    /// <summary>Its merge level (a level-n segment merged 16 of level n - 1).</summary>
    public int Level { get; set; }
}
