using System.Globalization;

namespace Dspy;

public sealed partial class Gepa
{
    private const int MergeSubsampleSize = 5;
    private const int MergeMaxAttempts = 10;

    // The merge step of an iteration; returns true when a merge was evaluated (which ends the iteration, accepted or not).
    private async Task<bool> TryMergeAsync(GepaRun run, CancellationToken cancellationToken)
    {
        if (!Options.UseMerge) return false;
        if (!(run.MergesDue > 0 && run.LastIterFoundNewProgram))
        {
            run.LastIterFoundNewProgram = false;
            return false;
        }
        run.LastIterFoundNewProgram = false;
        var front = run.Front!;
        var rng = GepaRandom.Stream(Options.Seed, run.Round, 0, "merge");
        var merge = FindMerge(run, front, rng);
        if (merge is null) return false;
        var (child, i, j, ancestor) = merge.Value;
        run.Iteration++;

        var ids = MergeSubsample(front.Candidates[i].ValScores, front.Candidates[j].ValScores, rng);
        if (!run.Fits(ids.Count))
        {
            run.Stop("the merge subsample evaluation does not fit in the remaining budget");
            return true;
        }
        run.Report(OptimizerEventKind.TrialStarted, $"round {run.Round}: merging candidates #{i} and #{j} (common ancestor #{ancestor})", trial: i);
        var program = run.Build(child);
        var trial = await BudgetStop.RunTrialAsync(ct => EvaluateAsync(run, program, ids.Select(k => run.Valset[k]).ToList(), traces: false, "merge", ct), cancellationToken);
        if (!trial.Completed)
        {
            run.Stop("the LM budget ran out during a merge evaluation");
            return true;
        }
        var evaluation = trial.Result!;
        run.Count(ids.Count);
        var sumI = ids.Sum(k => front.Candidates[i].ValScores[k]);
        var sumJ = ids.Sum(k => front.Candidates[j].ValScores[k]);
        var childSum = evaluation.Sum;
        var accepted = childSum >= Math.Max(sumI, sumJ);
        run.Report(OptimizerEventKind.TrialFinished,
            $"round {run.Round}: merge of #{i} and #{j} scored {PythonFloat.Repr(childSum)} vs {PythonFloat.Repr(sumI)} / {PythonFloat.Repr(sumJ)} on {ids.Count} validation examples: {(accepted ? "accepted" : "rejected")}",
            score: childSum, trial: i);
        if (accepted && await AddToFrontAsync(run, [(child, [i, j])], "merge", cancellationToken) == 1)
        {
            run.MergesDue--;
            run.TotalMergesTested++;
        }
        return true;
    }

    // GEPA's sample_and_attempt_merge_programs_by_common_predictors.
    private static (IReadOnlyDictionary<string, string> Child, int I, int J, int Ancestor)? FindMerge(GepaRun run, GepaParetoFront front, PythonRandom rng)
    {
        var candidates = front.Dominators();
        if (candidates.Count < 2 || front.Candidates.Count < 3) return null;
        for (var attempt = 0; attempt < MergeMaxAttempts; attempt++)
        {
            var pair = FindCommonAncestorPair(run, front, candidates, rng);
            if (pair is null) continue;
            var (i, j, ancestor) = pair.Value;
            if (run.MergedTriples.Contains((i, j, ancestor))) continue;
            var a = front.Candidates[ancestor].Instructions;
            var x = front.Candidates[i].Instructions;
            var y = front.Candidates[j].Instructions;
            var child = new Dictionary<string, string>(a, StringComparer.Ordinal);
            var description = new List<int>();
            foreach (var name in front.ComponentNames)
            {
                if ((a[name] == x[name] || a[name] == y[name]) && x[name] != y[name])
                {
                    // One parent kept the ancestor's text: take the other's change.
                    var from = a[name] == x[name] ? j : i;
                    child[name] = front.Candidates[from].Instructions[name];
                    description.Add(from);
                }
                else if (a[name] != x[name] && a[name] != y[name])
                {
                    var si = front.Candidates[i].AggregateScore;
                    var sj = front.Candidates[j].AggregateScore;
                    var from = si > sj ? i : sj > si ? j : rng.Choice([i, j]);
                    child[name] = front.Candidates[from].Instructions[name];
                    description.Add(from);
                }
                else
                {
                    child[name] = x[name];
                    description.Add(i);
                }
            }
            run.MergedTriples.Add((i, j, ancestor));
            var key = string.Create(CultureInfo.InvariantCulture, $"{i}/{j}/{string.Join(",", description)}");
            if (!run.MergedDescriptions.Add(key)) continue;
            return (child, i, j, ancestor);
        }
        return null;
    }

    // GEPA's find_common_ancestor_pair: two non-dominated programs, neither descending from the other, with a common ancestor
    // that scores no better than either and whose predictors they changed differently; the ancestor is drawn by score.
    private static (int I, int J, int Ancestor)? FindCommonAncestorPair(GepaRun run, GepaParetoFront front, IReadOnlyList<int> candidates, PythonRandom rng)
    {
        for (var attempt = 0; attempt < MergeMaxAttempts; attempt++)
        {
            var pick = rng.Sample(candidates, 2);
            var (i, j) = pick[0] < pick[1] ? (pick[0], pick[1]) : (pick[1], pick[0]);
            var ancestorsI = Ancestors(front, i);
            var ancestorsJ = Ancestors(front, j);
            if (ancestorsI.Contains(j) || ancestorsJ.Contains(i)) continue;
            var common = ancestorsI.Intersect(ancestorsJ).Order()
                .Where(a => !run.MergedTriples.Contains((i, j, a)))
                .Where(a => front.Candidates[a].AggregateScore <= front.Candidates[i].AggregateScore && front.Candidates[a].AggregateScore <= front.Candidates[j].AggregateScore)
                .Where(a => HasDesirablePredictors(front, a, i, j))
                .ToList();
            if (common.Count == 0) continue;
            var weights = common.Select(a => front.Candidates[a].AggregateScore).ToList();
            // Python's choices rejects all-zero weights; an all-zero ancestor set is drawn uniformly instead.
            var ancestor = weights.Sum() > 0 ? GepaRandom.WeightedChoice(rng, common, weights) : rng.Choice(common);
            return (i, j, ancestor);
        }
        return null;
    }

    private static HashSet<int> Ancestors(GepaParetoFront front, int node)
    {
        var found = new HashSet<int>();
        var stack = new Stack<int>(front.Candidates[node].Parents);
        while (stack.Count > 0)
        {
            var p = stack.Pop();
            if (!found.Add(p)) continue;
            foreach (var q in front.Candidates[p].Parents) stack.Push(q);
        }
        return found;
    }

    private static bool HasDesirablePredictors(GepaParetoFront front, int ancestor, int i, int j)
    {
        var a = front.Candidates[ancestor].Instructions;
        var x = front.Candidates[i].Instructions;
        var y = front.Candidates[j].Instructions;
        return front.ComponentNames.Any(n => (a[n] == x[n] || a[n] == y[n]) && x[n] != y[n]);
    }

    // GEPA's select_eval_subsample_for_merged_program: up to 5 validation ids, balanced across where i is better, where j
    // is better, and ties.
    private static List<int> MergeSubsample(IReadOnlyList<double> scoresI, IReadOnlyList<double> scoresJ, PythonRandom rng)
    {
        var all = Enumerable.Range(0, scoresI.Count).ToList();
        var iBetter = all.Where(k => scoresI[k] > scoresJ[k]).ToList();
        var jBetter = all.Where(k => scoresJ[k] > scoresI[k]).ToList();
        var ties = all.Where(k => !iBetter.Contains(k) && !jBetter.Contains(k)).ToList();
        var perBucket = (MergeSubsampleSize + 2) / 3;
        var selected = new List<int>();
        foreach (var bucket in new[] { iBetter, jBetter, ties })
        {
            if (selected.Count >= MergeSubsampleSize) break;
            var available = bucket.Where(k => !selected.Contains(k)).ToList();
            var take = Math.Min(Math.Min(available.Count, perBucket), MergeSubsampleSize - selected.Count);
            selected.AddRange(rng.Sample(available, take));
        }
        var remaining = MergeSubsampleSize - selected.Count;
        if (remaining > 0)
        {
            var unused = all.Where(k => !selected.Contains(k)).ToList();
            if (unused.Count >= remaining) selected.AddRange(rng.Sample(unused, remaining));
            else for (var r = 0; r < remaining; r++) selected.Add(all[(int)Math.Floor(rng.NextDouble() * all.Count)]);
        }
        return selected.Take(MergeSubsampleSize).ToList();
    }
}
