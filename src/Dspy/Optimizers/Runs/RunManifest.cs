namespace Dspy;

/// <summary>
/// What a run folder was created for: the run's configuration (program, data, metric, optimizer and its parameters, LM
/// settings; JSON values) and its seed. A re-run into the same folder must present an equal manifest, because only then
/// are the memoised cells and LM responses the ones it would produce (invariant 2).
/// </summary>
/// <param name="Config">The configuration, by name; values are JSON values (strings, numbers, booleans, null, lists, dictionaries).</param>
/// <param name="Seed">The run's seed.</param>
public sealed record RunManifest(IReadOnlyDictionary<string, object?> Config, long Seed)
{
    /// <summary>The manifest as a JSON object: <c>{"seed": ..., "config": {...}}</c>.</summary>
    public Dictionary<string, object?> ToJsonObject() => new(StringComparer.Ordinal)
    {
        ["seed"] = Seed,
        ["config"] = Config.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
    };

    /// <summary>Reads a manifest from the JSON object <see cref="ToJsonObject"/> writes.</summary>
    /// <exception cref="InvalidDataException">The object is not a manifest.</exception>
    public static RunManifest FromJsonObject(object? json)
    {
        if (json is not Dictionary<string, object?> o || o.GetValueOrDefault("seed") is not long seed
            || o.GetValueOrDefault("config") is not Dictionary<string, object?> config)
            throw new InvalidDataException("A run manifest is a JSON object with an integer 'seed' and a 'config' object.");
        return new RunManifest(config, seed);
    }

    /// <summary>The differences from <paramref name="other"/>, one line per key (empty when the manifests are equal).</summary>
    public IReadOnlyList<string> Differences(RunManifest other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var lines = new List<string>();
        if (Seed != other.Seed) lines.Add($"seed: {Seed} here, {other.Seed} in the folder");
        foreach (var key in Config.Keys.Union(other.Config.Keys).Order(StringComparer.Ordinal))
        {
            var mine = Config.TryGetValue(key, out var a) ? CanonicalJson.Serialize(a) : "(absent)";
            var theirs = other.Config.TryGetValue(key, out var b) ? CanonicalJson.Serialize(b) : "(absent)";
            if (mine != theirs) lines.Add($"{key}: {mine} here, {theirs} in the folder");
        }
        return lines;
    }
}
