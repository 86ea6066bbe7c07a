using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Dspy;

public sealed partial class Gepa
{
    private sealed record Slot(int Index, int Parent, IReadOnlyList<string> Components, IReadOnlyList<int> MinibatchIds, PythonRandom Rng,
        bool ChildFits, Module Program);

    private sealed record SlotOutcome(long Calls, IReadOnlyList<double> ParentScores, IReadOnlyDictionary<string, string>? Child,
        IReadOnlyList<double>? ChildScores, string? Note);

    // One round of reflective mutation: K parents from the same front, proposals run concurrently, results applied in slot order.
    private async Task ReflectAsync(GepaRun run, CancellationToken cancellationToken)
    {
        var front = run.Front!;
        var size = Options.ReflectionMinibatchSize;
        var slots = new List<Slot>();
        for (var s = 0; s < Options.ProposalParallelism; s++)
        {
            // Each slot reserves its parent and child minibatch evaluations; a slot whose parent evaluation cannot fit is not started.
            var reserved = (long)s * 2 * size;
            if (!run.Fits(reserved + size)) break;
            var rng = GepaRandom.Stream(Options.Seed, run.Round, s, "reflective");
            var parent = Options.CandidateSelectionStrategy == GepaCandidateSelection.Pareto ? front.SelectPareto(rng) : front.BestIndex;
            var ids = run.Sampler.Next(run.Trainset.Count, run.Iteration++);
            var components = front.NextComponents(parent, Options.ComponentSelector);
            slots.Add(new Slot(s, parent, components, ids, rng, run.Fits(reserved + (2L * size)), run.Build(front.Candidates[parent].Instructions)));
            run.Report(OptimizerEventKind.TrialStarted,
                $"round {run.Round} slot {s}: mutating {string.Join(", ", components)} of candidate #{parent} on train examples {string.Join(", ", ids)}", trial: parent);
        }
        if (slots.Count == 0)
        {
            run.Stop("a minibatch evaluation does not fit in the remaining budget");
            return;
        }

        var outcomes = await Task.WhenAll(slots.Select(slot => BudgetStop.RunTrialAsync(ct => RunSlotAsync(run, slot, ct), cancellationToken)
            .ContinueWith(t => t, TaskScheduler.Default)));
        var accepted = new List<(Slot Slot, IReadOnlyDictionary<string, string> Child)>();
        foreach (var (slot, task) in slots.Zip(outcomes))
        {
            if (task.IsFaulted) ExceptionDispatchInfo.Capture(task.Exception!.InnerException!).Throw();
            if (task.IsCanceled) cancellationToken.ThrowIfCancellationRequested();
            if (!task.Result.Completed)
            {
                // A proposal the LM budget cut short is dropped; the run ends with what it has.
                run.Stop("the LM budget ran out during a proposal");
                break;
            }
            var outcome = task.Result.Result!;
            run.Count(outcome.Calls);
            var parentSum = outcome.ParentScores.Sum();
            if (outcome.Child is null || outcome.ChildScores is null)
            {
                run.Report(OptimizerEventKind.TrialFinished, $"round {run.Round} slot {slot.Index}: {outcome.Note}", score: parentSum, trial: slot.Parent);
                if (!slot.ChildFits && outcome.Note == BudgetNote) run.Stop("the child minibatch evaluation does not fit in the remaining budget");
                continue;
            }
            var childSum = outcome.ChildScores.Sum();
            // acceptance_criterion="strict_improvement"
            var better = childSum > parentSum;
            run.Report(OptimizerEventKind.TrialFinished,
                $"round {run.Round} slot {slot.Index}: child of #{slot.Parent} scored {PythonFloat.Repr(childSum)} vs parent {PythonFloat.Repr(parentSum)} on the minibatch: {(better ? "accepted" : "rejected")}",
                score: childSum, trial: slot.Parent);
            if (better) accepted.Add((slot, outcome.Child));
        }

        if (accepted.Count == 0 || BudgetStop.IsExhausted) return;
        // The accepted children's full evaluations run concurrently too; they join the front in slot order.
        var added = await AddToFrontAsync(run, accepted.Select(a => (a.Child, (IReadOnlyList<int>)[a.Slot.Parent])).ToList(), "reflective", cancellationToken);
        for (var k = 0; k < added; k++)
        {
            run.LastIterFoundNewProgram = true;
            if (run.TotalMergesTested < Options.MaxMergeInvocations) run.MergesDue++;
        }
    }

    private const string BudgetNote = "no budget left for the child's minibatch evaluation";

    private async Task<SlotOutcome> RunSlotAsync(GepaRun run, Slot slot, CancellationToken cancellationToken)
    {
        var minibatch = slot.MinibatchIds.Select(i => run.Trainset[i]).ToList();
        var parentEval = await EvaluateAsync(run, slot.Program, minibatch, traces: true, "minibatch", cancellationToken);
        long calls = minibatch.Count;
        var parentScores = parentEval.Scores;
        if (Options.SkipPerfectScore && parentScores.All(s => s >= Options.PerfectScore))
        {
            return new SlotOutcome(calls, parentScores, null, null, "parent is perfect on the minibatch; skipped");
        }
        if (!slot.ChildFits) return new SlotOutcome(calls, parentScores, null, null, BudgetNote);

        IReadOnlyDictionary<string, string> child;
        try
        {
            var dataset = await BuildReflectiveDatasetAsync(slot.Program, parentEval, slot.Components, slot.Rng, cancellationToken);
            if (dataset.Count == 0) return new SlotOutcome(calls, parentScores, null, null, "no trace of the chosen predictor to reflect on");
            var candidate = run.Front!.Candidates[slot.Parent].Instructions;
            var texts = await ProposeAsync(candidate, dataset, dataset.Keys.ToList(), cancellationToken);
            var updated = new Dictionary<string, string>(candidate, StringComparer.Ordinal);
            foreach (var (name, text) in texts) updated[name] = text;
            child = updated;
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or BudgetExceededException))
        {
            // GEPA's proposer logs and skips a failed reflection.
            if (Log.IsEnabled(LogLevel.Warning)) Log.LogWarning(ex, "GEPA: reflective proposal failed for candidate {Parent}", slot.Parent);
            return new SlotOutcome(calls, parentScores, null, null, $"reflection failed: {ex.Message}");
        }

        var childEval = await EvaluateAsync(run, run.Build(child), minibatch, traces: false, "minibatch", cancellationToken);
        calls += minibatch.Count;
        return new SlotOutcome(calls, parentScores, child, childEval.Scores, null);
    }

    private async Task<IReadOnlyDictionary<string, string>> ProposeAsync(IReadOnlyDictionary<string, string> candidate,
        IReadOnlyDictionary<string, IReadOnlyList<GepaReflectiveRecord>> dataset, IReadOnlyList<string> components, CancellationToken cancellationToken)
    {
        if (Options.InstructionProposer is { } proposer) return await proposer(candidate, dataset, components, cancellationToken);
        var lm = Options.ReflectionLm!;
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in components)
        {
            var prompt = GepaInstructionProposal.Render(candidate[name], dataset[name]);
            var response = await lm.CallAsync([new ChatMessage(ChatRole.User, prompt)], null, cancellationToken);
            var text = response.Outputs.Count > 0 ? response.Outputs[0].Text : null;
            if (text is null) throw new InvalidOperationException("The reflection LM returned no text.");
            texts[name] = GepaInstructionProposal.ExtractInstruction(text);
        }
        return texts;
    }
}
