using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Dspy;

public sealed partial class MIPROv2
{
    // DSPy's _optimize_prompt_parameters: the baseline, the TPE trials in rounds of TrialParallelism, and the full evaluations.
    private sealed class Search(MIPROv2 owner, Module program, List<List<string>> instructionCandidates, List<List<List<Example>>>? demoCandidates,
        List<Example> valset, int numTrials, bool minibatch, MIPROv2CompileArgs args, int seed, PythonRandom rng, IProgramEvaluator evaluator,
        int maxErrors, IProgress<OptimizerEvent>? progress, OptimizerUsageScope usage, int adjustedNumTrials)
    {
        private readonly List<TpeTrial> _study = [];
        // param_score_dict: combination key -> (score, program, params), in first-seen order.
        private readonly List<(string Key, List<(double Score, Module Program, Dictionary<string, int> Params)> Entries)> _paramScores = [];
        private readonly HashSet<string> _fullyEvaluated = new(StringComparer.Ordinal);

        public double DefaultScore { get; private set; }
        public double BestScore { get; private set; }
        public Module BestProgram { get; private set; } = null!;
        public long TotalEvalCalls { get; private set; }
        public List<MIPROv2Candidate> ScoreData { get; } = [];
        public List<MIPROv2TrialLog> TrialLogs { get; } = [];
        public bool StoppedByBudget { get; private set; }

        private void StopByBudget()
        {
            StoppedByBudget = true;
            Log.LogWarning("MIPROv2 stopped by the LM budget after {Trials} trials; returning the best fully evaluated program.", _study.Count);
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var space = new List<(string Name, int Choices)>();
            for (var i = 0; i < instructionCandidates.Count; i++)
            {
                space.Add(($"{i}_predictor_instruction", instructionCandidates[i].Count));
                if (demoCandidates is not null) space.Add(($"{i}_predictor_demos", demoCandidates[i].Count));
            }
            var sampler = new TpeSampler(space);

            // Under an LM budget each evaluation is a BudgetStop trial: without a baseline there is nothing to return.
            var baseline = await BudgetStop.RunTrialAsync(ct => EvaluateAsync(program, valset, "full", ct), cancellationToken);
            if (!baseline.Completed) throw BudgetStop.Exhausted(baseline.Exception);
            DefaultScore = baseline.Result;
            BestScore = DefaultScore;
            BestProgram = program.DeepCopy();
            TotalEvalCalls = valset.Count;
            var baselineParams = space.ToDictionary(p => p.Name, _ => 0, StringComparer.Ordinal);
            Record(1, fullEval: true, baselineParams, DefaultScore, program);
            ScoreData.Add(new MIPROv2Candidate(DefaultScore, program.DeepCopy(), true, baselineParams));
            _study.Add(new TpeTrial(baselineParams, DefaultScore));
            progress?.Report(owner.CreateEvent(OptimizerEventKind.NewBest, usage.Budget, $"baseline full-validation score {Format(DefaultScore)}")
                with { Trial = 1, TotalTrials = adjustedNumTrials, Score = DefaultScore, BestScore = BestScore });

            var done = 0;
            for (var round = 0; done < numTrials && !StoppedByBudget; round++)
            {
                var k = Math.Min(owner.Options.TrialParallelism, numTrials - done);
                // Propose the round's trials from the same TPE state, each slot on its own stream.
                var proposals = new List<Dictionary<string, int>>();
                for (var slot = 0; slot < k; slot++)
                {
                    proposals.Add(sampler.Sample(_study, proposals, new PythonRandom(StreamSeed(seed, round, slot))));
                }
                // Candidates and minibatches are built here, in slot order, from the shared generator as DSPy's loop would.
                var candidates = proposals.Select(Build).ToList();
                var batches = proposals.Select(_ => minibatch ? Sample(valset, args.MinibatchSize, rng) : valset).ToList();
                for (var slot = 0; slot < k; slot++)
                {
                    progress?.Report(owner.CreateEvent(OptimizerEventKind.TrialStarted, usage.Budget, $"trial {done + slot + 1}/{numTrials}: {Describe(proposals[slot])}")
                        with { Trial = done + slot + 1, TotalTrials = adjustedNumTrials, BestScore = BestScore });
                }
                var trials = await Task.WhenAll(Enumerable.Range(0, k).Select(slot => BudgetStop.RunTrialAsync(
                    ct => EvaluateAsync(candidates[slot], batches[slot], minibatch ? "minibatch" : "full", ct), cancellationToken)));

                for (var slot = 0; slot < k && !StoppedByBudget; slot++)
                {
                    // Graceful stop (invariant 3): a trial the budget cut short is dropped with every later one.
                    if (!trials[slot].Completed) StopByBudget();
                    else await ApplyAsync(proposals[slot], candidates[slot], batches[slot].Count, trials[slot].Result, cancellationToken);
                }
                done += k;
            }
        }

        // Records one objective result in slot order, then runs a full evaluation when DSPy's cadence says so.
        private async Task ApplyAsync(Dictionary<string, int> chosen, Module candidate, int batchSize, double score,
            CancellationToken cancellationToken)
        {
            var trialNum = _study.Count + 1;
            TotalEvalCalls += batchSize;
            var fullEval = batchSize >= valset.Count;
            var isBest = !minibatch && score > BestScore;
            if (isBest)
            {
                BestScore = score;
                BestProgram = candidate.DeepCopy();
            }
            ScoreData.Add(new MIPROv2Candidate(score, candidate, fullEval, chosen));
            Record(trialNum, fullEval: !minibatch, chosen, score, candidate);
            var key = string.Join(",", chosen.Select(p => $"{p.Key}={p.Value}"));
            var entry = _paramScores.FindIndex(e => e.Key == key);
            if (entry < 0) _paramScores.Add((key, [(score, candidate, chosen)]));
            else _paramScores[entry].Entries.Add((score, candidate, chosen));
            _study.Add(new TpeTrial(chosen, score));
            progress?.Report(owner.CreateEvent(OptimizerEventKind.TrialFinished, usage.Budget,
                $"trial {trialNum}/{adjustedNumTrials}: {(minibatch ? "minibatch" : "full")} score {Format(score)} ({Describe(chosen)})")
                with { Trial = trialNum, TotalTrials = adjustedNumTrials, Score = score, BestScore = BestScore });
            if (isBest) ReportBest(trialNum);

            if (minibatch && (trialNum % (args.MinibatchFullEvalSteps + 1) == 0 || trialNum == adjustedNumTrials - 1))
            {
                await FullEvaluationAsync(trialNum, cancellationToken);
            }
        }

        // DSPy's _perform_full_evaluation: the best-averaged combination not yet fully evaluated, scored on the whole valset.
        private async Task FullEvaluationAsync(int trialNum, CancellationToken cancellationToken)
        {
            // Python's sorted(..., reverse=True) is stable: equal means keep first-seen order, as OrderByDescending does.
            var ranked = _paramScores.Select(e => (e.Key, Mean: e.Entries.Average(x => x.Score), e.Entries[0].Program, e.Entries[0].Params))
                .OrderByDescending(e => e.Mean).ToList();
            var pick = ranked.FirstOrDefault(e => !_fullyEvaluated.Contains(e.Key));
            if (pick.Key is null) throw new InvalidOperationException("No valid program found in param_score_dict");

            var trial = await BudgetStop.RunTrialAsync(ct => EvaluateAsync(pick.Program, valset, "full", ct), cancellationToken);
            if (!trial.Completed)
            {
                StopByBudget();
                return;
            }
            var score = trial.Result;
            ScoreData.Add(new MIPROv2Candidate(score, pick.Program, true, pick.Params));
            _study.Add(new TpeTrial(pick.Params, score));
            _fullyEvaluated.Add(pick.Key);
            TotalEvalCalls += valset.Count;
            Record(trialNum + 1, fullEval: true, pick.Params, score, pick.Program);
            var isBest = score > BestScore;
            if (isBest)
            {
                BestScore = score;
                BestProgram = pick.Program.DeepCopy();
            }
            progress?.Report(owner.CreateEvent(OptimizerEventKind.TrialFinished, usage.Budget,
                $"full evaluation of the best-averaged candidate ({Describe(pick.Params)}, mean minibatch {Format(pick.Mean)}): {Format(score)}")
                with { Trial = trialNum + 1, TotalTrials = adjustedNumTrials, Score = score, BestScore = BestScore });
            if (isBest) ReportBest(trialNum + 1);
        }

        private void ReportBest(int trialNum)
        {
            if (owner.Options.Verbose && Log.IsEnabled(LogLevel.Information)) Log.LogInformation("New best full eval score: {Score}", BestScore);
            progress?.Report(owner.CreateEvent(OptimizerEventKind.NewBest, usage.Budget, $"new best full-validation score {Format(BestScore)}")
                with { Trial = trialNum, TotalTrials = adjustedNumTrials, Score = BestScore, BestScore = BestScore });
        }

        // A deep copy of the program with the chosen instruction and demo set per predictor (DSPy's _select_and_insert_...).
        private Module Build(Dictionary<string, int> chosen)
        {
            var candidate = program.DeepCopy();
            var predictors = candidate.Predictors();
            for (var i = 0; i < predictors.Count; i++)
            {
                predictors[i].Signature = predictors[i].Signature.WithInstructions(instructionCandidates[i][chosen[$"{i}_predictor_instruction"]]);
                if (demoCandidates is not null) predictors[i].Demos = [.. demoCandidates[i][chosen[$"{i}_predictor_demos"]]];
            }
            return candidate;
        }

        // DSPy's eval_candidate_program: an exception during evaluation scores 0.0.
        private async Task<double> EvaluateAsync(Module candidate, List<Example> examples, string phase, CancellationToken cancellationToken)
        {
            try
            {
                var evaluation = await evaluator.EvaluateAsync(new ProgramEvaluationRequest
                {
                    Program = candidate,
                    Examples = examples,
                    Metric = owner.Options.Metric,
                    NumThreads = owner.Options.NumThreads,
                    MaxErrors = maxErrors,
                    Phase = phase,
                }, cancellationToken);
                return evaluation.Score;
            }
            catch (Exception ex) when (ex is not BudgetExceededException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                Log.LogError(ex, "An exception occurred during evaluation");
                return 0.0;
            }
        }

        private void Record(int trialNum, bool fullEval, IReadOnlyDictionary<string, int> chosen, double score, Module candidate)
        {
            TrialLogs.Add(new MIPROv2TrialLog(trialNum, fullEval, chosen, score, TotalEvalCalls, candidate));
            if (owner.Options.LogDir is { } dir)
            {
                var folder = Path.Combine(dir, "evaluated_programs");
                Directory.CreateDirectory(folder);
                var name = trialNum == 1 ? "program_-1.json" : fullEval && minibatch ? $"program_{trialNum}_full_eval.json" : $"program_{trialNum}.json";
                candidate.Save(Path.Combine(folder, name));
            }
        }

        private static string Describe(IReadOnlyDictionary<string, int> chosen) =>
            string.Join(", ", chosen.Select(p => $"{p.Key}={p.Value.ToString(CultureInfo.InvariantCulture)}"));

        // The TPE stream of one slot of one round: a stable 63-bit seed from (seed, round, slot).
        private static long StreamSeed(int seed, int round, int slot)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"miprov2-tpe/{seed}/{round}/{slot}"));
            return (long)(BitConverter.ToUInt64(hash, 0) >> 1);
        }
    }
}
