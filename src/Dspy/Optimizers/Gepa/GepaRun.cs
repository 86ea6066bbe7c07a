namespace Dspy;

/// <summary>The mutable state of one <see cref="Gepa"/> run: the front, the metric-call count and the merge schedule.</summary>
internal sealed class GepaRun
{
    private readonly Gepa _gepa;
    private readonly Module _student;
    private readonly IProgress<OptimizerEvent>? _progress;
    private readonly OptimizerUsageScope _usage;
    private Dictionary<int, IReadOnlyList<Prediction>>? _valOutputs;

    public GepaRun(Gepa gepa, Module student, IReadOnlyList<string> names, IReadOnlyList<Example> trainset, IReadOnlyList<Example> valset,
        long budget, IProgramEvaluator evaluator, IProgress<OptimizerEvent>? progress, OptimizerUsageScope usage)
    {
        _gepa = gepa;
        _student = student;
        Names = names;
        Trainset = trainset;
        Valset = valset;
        Budget = budget;
        Evaluator = evaluator;
        _progress = progress;
        _usage = usage;
        Sampler = new GepaBatchSampler(gepa.Options.ReflectionMinibatchSize, GepaRandom.Stream(gepa.Options.Seed, 0, 0, "minibatches"));
        _valOutputs = gepa.Options.TrackBestOutputs && gepa.Options.TrackStats ? [] : null;
    }

    public IReadOnlyList<string> Names { get; }
    public IReadOnlyList<Example> Trainset { get; }
    public IReadOnlyList<Example> Valset { get; }
    public long Budget { get; }
    public IProgramEvaluator Evaluator { get; }
    public GepaBatchSampler Sampler { get; }
    public GepaParetoFront? Front { get; private set; }

    /// <summary>Metric calls made so far (GEPA's <c>total_num_evals</c>).</summary>
    public long TotalCalls { get; private set; }

    public int NumFullValEvals { get; private set; }
    public int Round { get; set; }

    /// <summary>GEPA's iteration counter, which picks the minibatch; merges use up an iteration too.</summary>
    public int Iteration { get; set; }

    public int MergesDue { get; set; }
    public int TotalMergesTested { get; set; }
    public bool LastIterFoundNewProgram { get; set; }
    public HashSet<(int, int, int)> MergedTriples { get; } = [];
    public HashSet<string> MergedDescriptions { get; } = new(StringComparer.Ordinal);
    public bool Stopped { get; private set; }

    public bool Fits(long calls) => TotalCalls + calls <= Budget;

    public void Count(long calls) => TotalCalls += calls;

    public void Stop(string reason)
    {
        Stopped = true;
        Report(OptimizerEventKind.TrialFinished, $"stopping: {reason} ({TotalCalls} of {Budget} metric calls used)");
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var seed = _student.NamedPredictors().ToDictionary(p => p.Name, p => p.Predictor.Signature.Instructions, StringComparer.Ordinal);
        if (!Fits(Valset.Count)) return;
        var request = new ProgramEvaluationRequest
        {
            Program = Build(seed),
            Examples = Valset,
            Metric = _gepa.Options.Metric,
            FailureScore = _gepa.Options.FailureScore,
            NumThreads = _gepa.Options.NumThreads,
            Phase = "full",
        };
        // Under an LM budget the seed's evaluation is the first trial; without it there is no program to return.
        var trial = await BudgetStop.RunTrialAsync(ct => Evaluator.EvaluateAsync(request, ct), cancellationToken);
        if (!trial.Completed) throw BudgetStop.Exhausted(trial.Exception);
        var evaluation = trial.Result!;
        Count(Valset.Count);
        NumFullValEvals++;
        Front = GepaParetoFront.Create(Names, seed, evaluation.Scores);
        _valOutputs?.Add(0, evaluation.Results.Select(r => r.Prediction).ToList());
        Report(OptimizerEventKind.NewBest, $"seed program: mean validation score {PythonFloat.Repr(Front.Candidates[0].AggregateScore)}",
            score: Front.Candidates[0].AggregateScore, best: Front.Candidates[0].AggregateScore, trial: 0);
    }

    /// <summary>The run's state for its <see cref="IGepaFrontStore"/>.</summary>
    public GepaCheckpoint Checkpoint(string runKey) => new()
    {
        RunKey = runKey,
        Front = Front!.ToState(),
        Round = Round,
        Iteration = Iteration,
        TotalMetricCalls = TotalCalls,
        NumFullValEvals = NumFullValEvals,
        MergesDue = MergesDue,
        TotalMergesTested = TotalMergesTested,
        LastIterFoundNewProgram = LastIterFoundNewProgram,
        Stopped = Stopped,
        SamplerEpoch = Sampler.Epoch,
        SamplerShuffles = Sampler.Shuffles,
        MergedTriples = MergedTriples.Order().Select(t => new GepaMergeTriple(t.Item1, t.Item2, t.Item3)).ToList(),
        MergedDescriptions = MergedDescriptions.Order(StringComparer.Ordinal).ToList(),
    };

    /// <summary>Continues from a checkpoint instead of evaluating the seed program.</summary>
    /// <exception cref="InvalidOperationException">The checkpoint's front does not fit this run's predictors or valset.</exception>
    public void Restore(GepaCheckpoint checkpoint)
    {
        var front = GepaParetoFront.FromState(checkpoint.Front);
        if (!front.ComponentNames.SequenceEqual(Names, StringComparer.Ordinal) || front.ValsetSize != Valset.Count)
        {
            throw new InvalidOperationException($"The saved GEPA front has predictors [{string.Join(", ", front.ComponentNames)}] and {front.ValsetSize} validation "
                + $"examples; this run has [{string.Join(", ", Names)}] and {Valset.Count}.");
        }
        Front = front;
        Round = checkpoint.Round;
        Iteration = checkpoint.Iteration;
        TotalCalls = checkpoint.TotalMetricCalls;
        NumFullValEvals = checkpoint.NumFullValEvals;
        MergesDue = checkpoint.MergesDue;
        TotalMergesTested = checkpoint.TotalMergesTested;
        LastIterFoundNewProgram = checkpoint.LastIterFoundNewProgram;
        Stopped = checkpoint.Stopped;
        Sampler.Restore(Trainset.Count, checkpoint.SamplerEpoch, checkpoint.SamplerShuffles);
        MergedTriples.UnionWith(checkpoint.MergedTriples.Select(t => (t.I, t.J, t.Ancestor)));
        MergedDescriptions.UnionWith(checkpoint.MergedDescriptions);
        // The outputs of candidates found before the interruption are not saved (they can be large): no best outputs.
        _valOutputs = null;
        Report(OptimizerEventKind.TrialFinished,
            $"resumed after round {Round}: {front.Candidates.Count} candidates, {TotalCalls} of {Budget} metric calls used", best: front.Candidates[front.BestIndex].AggregateScore);
    }

    /// <summary>The per-example fronts as text, to tell whether a round changed them.</summary>
    public string FrontSignature() => string.Join(";", Front!.ProgramsPerInstance.Select(p => string.Join(",", p)));

    /// <summary>Reports the front: per candidate on it, on how many validation examples it reaches the best score.</summary>
    public void ReportFront()
    {
        if (_progress is null) return;
        var front = Front!;
        var coverage = new SortedDictionary<int, int>();
        foreach (var programs in front.ProgramsPerInstance)
        {
            foreach (var p in programs) coverage[p] = coverage.GetValueOrDefault(p) + 1;
        }
        var frontScore = front.BestScores.Average();
        var best = front.Candidates[front.BestIndex].AggregateScore;
        _progress.Report(new OptimizerEvent
        {
            Optimizer = _gepa.Name,
            Kind = OptimizerEventKind.ParetoUpdated,
            Budget = _usage.Budget,
            Message = $"round {Round}: Pareto front of {coverage.Count} program(s) over {front.ValsetSize} validation examples "
                + $"({string.Join(", ", coverage.Select(kv => $"#{kv.Key} best on {kv.Value}"))}); front score {PythonFloat.Repr(frontScore)}",
            Score = frontScore,
            BestScore = best,
            ParetoCoverage = coverage,
        });
    }

    /// <summary>Adds a program scored on the whole valset (the evaluation's calls are counted here).</summary>
    public void Add(IReadOnlyDictionary<string, string> instructions, IReadOnlyList<int> parents, ProgramEvaluation evaluation, long discovered, string origin)
    {
        var front = Front!;
        var previousBest = front.Candidates[front.BestIndex].AggregateScore;
        Count(Valset.Count);
        NumFullValEvals++;
        var index = front.Add(instructions, parents, evaluation.Scores, discovered, origin);
        _valOutputs?.Add(index, evaluation.Results.Select(r => r.Prediction).ToList());
        var score = front.Candidates[index].AggregateScore;
        Report(OptimizerEventKind.TrialFinished,
            $"{origin} candidate #{index} (parents {string.Join(", ", parents)}) added: mean validation score {PythonFloat.Repr(score)}; Pareto front covers {front.Dominators().Count} program(s)",
            score: score, best: Math.Max(score, previousBest), trial: index);
        if (score > previousBest)
        {
            Report(OptimizerEventKind.NewBest, $"new best: candidate #{index} with mean validation score {PythonFloat.Repr(score)}", score: score, best: score, trial: index);
        }
    }

    /// <summary>The student with the candidate's instructions (demos and everything else as the student has them).</summary>
    public Module Build(IReadOnlyDictionary<string, string> instructions)
    {
        var program = _student.DeepCopy();
        foreach (var (name, predictor) in program.NamedPredictors())
        {
            if (instructions.TryGetValue(name, out var text)) predictor.Signature = predictor.Signature.WithInstructions(text);
        }
        return program;
    }

    public void Report(OptimizerEventKind kind, string message, double? score = null, double? best = null, int? trial = null)
    {
        if (_progress is null) return;
        _progress.Report(new OptimizerEvent
        {
            Optimizer = _gepa.Name,
            Kind = kind,
            Budget = _usage.Budget,
            Message = message,
            Score = score,
            BestScore = best,
            Trial = trial,
        });
    }

    public GepaDetailedResults Details(int best)
    {
        var front = Front!;
        return new GepaDetailedResults
        {
            Candidates = front.Candidates.Select(c => c.Instructions).ToList(),
            Parents = front.Candidates.Select(c => c.Parents).ToList(),
            ValAggregateScores = front.Candidates.Select(c => c.AggregateScore).ToList(),
            ValSubscores = front.Candidates.Select(c => c.ValScores).ToList(),
            PerValInstanceBestCandidates = front.ProgramsPerInstance,
            DiscoveryEvalCounts = front.Candidates.Select(c => c.DiscoveryEvalCount).ToList(),
            TotalMetricCalls = TotalCalls,
            NumFullValEvals = NumFullValEvals,
            BestIdx = best,
            BestCandidate = front.Candidates[best].Instructions,
            HighestScoreAchievedPerValTask = front.BestScores,
            BestOutputsValset = _valOutputs is null
                ? null
                : front.ProgramsPerInstance.Select((programs, i) => (IReadOnlyList<(int, Prediction)>)programs.Select(p => (p, _valOutputs[p][i])).ToList()).ToList(),
        };
    }
}
