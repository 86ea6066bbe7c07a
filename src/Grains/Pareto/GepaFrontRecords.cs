namespace Dspy.Grains;

/// <summary>Converts GEPA checkpoints to and from the records the Pareto-front grain stores.</summary>
public static class GepaFrontRecords
{
    /// <summary>The record of a checkpoint.</summary>
    /// <exception cref="ArgumentException">A candidate lacks an instruction for one of the components.</exception>
    public static GepaFrontRecord From(GepaCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var names = checkpoint.Front.ComponentNames;
        return new GepaFrontRecord
        {
            RunKey = checkpoint.RunKey,
            ComponentNames = names.ToList(),
            Candidates = checkpoint.Front.Candidates.Select(c => new GepaCandidateRecord
            {
                Instructions = names.Select(n => c.Instructions.TryGetValue(n, out var text)
                    ? text
                    : throw new ArgumentException($"Candidate #{c.Index} has no instruction for predictor '{n}'.", nameof(checkpoint))).ToList(),
                Parents = c.Parents.ToList(),
                ValScores = c.ValScores.ToList(),
                DiscoveryEvalCount = c.DiscoveryEvalCount,
                Origin = c.Origin,
            }).ToList(),
            NextComponent = checkpoint.Front.NextComponent.ToList(),
            Round = checkpoint.Round,
            Iteration = checkpoint.Iteration,
            TotalMetricCalls = checkpoint.TotalMetricCalls,
            NumFullValEvals = checkpoint.NumFullValEvals,
            MergesDue = checkpoint.MergesDue,
            TotalMergesTested = checkpoint.TotalMergesTested,
            LastIterFoundNewProgram = checkpoint.LastIterFoundNewProgram,
            Stopped = checkpoint.Stopped,
            SamplerEpoch = checkpoint.SamplerEpoch,
            SamplerShuffles = checkpoint.SamplerShuffles,
            MergedTriples = checkpoint.MergedTriples.SelectMany(t => new[] { t.I, t.J, t.Ancestor }).ToList(),
            MergedDescriptions = checkpoint.MergedDescriptions.ToList(),
        };
    }

    /// <summary>
    /// The checkpoint a record holds. The per-example fronts are rebuilt by adding the candidates in pool order, as the run
    /// built them, so the restored front is the saved one.
    /// </summary>
    /// <exception cref="ArgumentException">The record is inconsistent.</exception>
    public static GepaCheckpoint ToCheckpoint(GepaFrontRecord record)
    {
        Check(record);
        var names = record.ComponentNames;
        IReadOnlyDictionary<string, string> Instructions(GepaCandidateRecord c)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var k = 0; k < names.Count; k++) map[names[k]] = c.Instructions[k];
            return map;
        }
        var seed = record.Candidates[0];
        var front = GepaParetoFront.Create(names, Instructions(seed), seed.ValScores, seed.DiscoveryEvalCount);
        foreach (var c in record.Candidates.Skip(1)) front.Add(Instructions(c), c.Parents, c.ValScores, c.DiscoveryEvalCount, c.Origin);
        var triples = new List<GepaMergeTriple>();
        for (var k = 0; k < record.MergedTriples.Count; k += 3) triples.Add(new GepaMergeTriple(record.MergedTriples[k], record.MergedTriples[k + 1], record.MergedTriples[k + 2]));
        return new GepaCheckpoint
        {
            RunKey = record.RunKey,
            Front = front.ToState() with { NextComponent = record.NextComponent.ToList() },
            Round = record.Round,
            Iteration = record.Iteration,
            TotalMetricCalls = record.TotalMetricCalls,
            NumFullValEvals = record.NumFullValEvals,
            MergesDue = record.MergesDue,
            TotalMergesTested = record.TotalMergesTested,
            LastIterFoundNewProgram = record.LastIterFoundNewProgram,
            Stopped = record.Stopped,
            SamplerEpoch = record.SamplerEpoch,
            SamplerShuffles = record.SamplerShuffles,
            MergedTriples = triples,
            MergedDescriptions = record.MergedDescriptions.ToList(),
        };
    }

    /// <summary>Checks that a record's lists fit together.</summary>
    /// <exception cref="ArgumentException">They do not (the message says which).</exception>
    public static void Check(GepaFrontRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (string.IsNullOrEmpty(record.RunKey)) throw new ArgumentException("A GEPA checkpoint needs its run key.", nameof(record));
        if (record.ComponentNames.Count == 0) throw new ArgumentException("A GEPA checkpoint needs at least one component.", nameof(record));
        if (record.Candidates.Count == 0) throw new ArgumentException("A GEPA checkpoint needs at least the seed candidate.", nameof(record));
        if (record.NextComponent.Count != record.Candidates.Count)
        {
            throw new ArgumentException($"A GEPA checkpoint has {record.Candidates.Count} candidates but {record.NextComponent.Count} round-robin pointers.", nameof(record));
        }
        if (record.MergedTriples.Count % 3 != 0) throw new ArgumentException("A GEPA checkpoint's merge triples are not a multiple of 3 numbers.", nameof(record));
        var valset = record.Candidates[0].ValScores.Count;
        for (var k = 0; k < record.Candidates.Count; k++)
        {
            var c = record.Candidates[k];
            if (c.Instructions.Count != record.ComponentNames.Count)
            {
                throw new ArgumentException($"Candidate #{k} has {c.Instructions.Count} instructions for {record.ComponentNames.Count} components.", nameof(record));
            }
            if (c.ValScores.Count != valset) throw new ArgumentException($"Candidate #{k} has {c.ValScores.Count} validation scores, the seed {valset}.", nameof(record));
            if (c.ValScores.Any(double.IsNaN)) throw new ArgumentException($"Candidate #{k} has a NaN validation score.", nameof(record));
            if (c.Parents.Any(p => p < 0 || p >= k)) throw new ArgumentException($"Candidate #{k} has a parent that is not an earlier candidate.", nameof(record));
        }
    }
}
