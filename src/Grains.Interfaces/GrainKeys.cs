namespace Dspy.Grains;

/// <summary>
/// Builds the string keys of the grains. Parts are joined with ':' (Azure Table storage turns '/' into '_', so keys
/// with '/' could collide); run ids are checked so a key always splits back into its parts.
/// </summary>
public static class GrainKeys
{
    /// <summary>A program candidate: run id + candidate hash.</summary>
    public static string Candidate(string runId, string candidateHash) => Join(runId, candidateHash);

    /// <summary>An evaluation shard: run id + candidate hash + shard id (the hash of its slice and settings).</summary>
    public static string Shard(string runId, string candidateHash, string shardId) => Join(runId, candidateHash, shardId);

    /// <summary>Checks a run id: 1-100 characters of letters, digits, '-', '_' and '.'.</summary>
    /// <exception cref="ArgumentException">The id is empty, too long or has another character.</exception>
    public static string CheckRunId(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        if (runId.Length is 0 or > 100 || !runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"Run id '{runId}' must be 1-100 characters of letters, digits, '-', '_' or '.'.", nameof(runId));
        }
        return runId;
    }

    private static string Join(params string[] parts) => string.Join(':', parts);
}
