namespace Dspy;

/// <summary>
/// A seeded, multivariate Tree-structured Parzen Estimator over categorical parameters: the behaviour of Optuna's
/// <c>TPESampler(seed=seed, multivariate=True)</c> with its defaults, which MIPROv2 uses to pick an instruction and a demo
/// set per predictor (reference/dspy.md section 3.1).
/// <list type="number">
/// <item>Start-up: while fewer than <see cref="NumStartupTrials"/> (10) trials are known, every parameter is drawn
/// uniformly (Optuna's random sampler).</item>
/// <item>Split: the known trials, sorted best first (ties keep trial order), give the <c>gamma(n) = min(ceil(0.1 n), 25)</c>
/// best to the "below" (good) group and the rest to "above"; pending trials (<see cref="Sample"/>'s <c>pending</c>) are
/// always "above" (Optuna's <c>constant_liar</c>), so trials proposed together in one round spread out.</item>
/// <item>Parzen estimators: each group is a mixture with one kernel per trial plus a uniform prior kernel (prior weight 1).
/// Kernel weights are Optuna's <c>default_weights</c> (1 each below 25 trials, older trials ramped down after that), then
/// the prior's 1, normalised. A trial's kernel puts <c>prior_weight / kernels</c> on every choice plus 1 on its own
/// choice, normalised: per parameter in the joint (multivariate) kernel.</item>
/// <item>Selection: 24 candidates (<see cref="NumEiCandidates"/>) are drawn from the good mixture (a kernel by its weight,
/// then each parameter from that kernel); the one maximising <c>log l(x) - log g(x)</c> wins (the first on ties).</item>
/// </list>
/// The random numbers come from the <see cref="PythonRandom"/> the caller passes, so a run is deterministic for its seed;
/// they are not numpy's, so the picks are not bit-identical to Optuna's.
/// </summary>
internal sealed class TpeSampler
{
    /// <summary>Creates the sampler over categorical parameters given by name and number of choices.</summary>
    public TpeSampler(IReadOnlyList<(string Name, int Choices)> space, int numStartupTrials = 10, int numEiCandidates = 24, double priorWeight = 1.0)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (space.Count == 0) throw new ArgumentException("The search space has no parameter.", nameof(space));
        foreach (var (name, choices) in space)
        {
            if (choices < 1) throw new ArgumentException($"Parameter {name} has no choice.", nameof(space));
        }
        Space = space;
        NumStartupTrials = numStartupTrials;
        NumEiCandidates = numEiCandidates;
        PriorWeight = priorWeight;
    }

    /// <summary>The parameters and their numbers of choices, in sampling order.</summary>
    public IReadOnlyList<(string Name, int Choices)> Space { get; }

    /// <summary>Optuna's <c>n_startup_trials</c> (10).</summary>
    public int NumStartupTrials { get; }

    /// <summary>Optuna's <c>n_ei_candidates</c> (24).</summary>
    public int NumEiCandidates { get; }

    /// <summary>Optuna's <c>prior_weight</c> (1.0).</summary>
    public double PriorWeight { get; }

    /// <summary>Optuna's <c>default_gamma</c>: how many of <paramref name="n"/> trials form the good group.</summary>
    public static int Gamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>Optuna's <c>default_weights</c>: 1 for each of up to 25 trials, else a linear ramp for the oldest ones.</summary>
    public static double[] Weights(int n)
    {
        if (n < 25) return Enumerable.Repeat(1.0, n).ToArray();
        var ramp = n - 25;
        var weights = new double[n];
        for (var i = 0; i < ramp; i++) weights[i] = ramp == 1 ? 1.0 / n : 1.0 / n + i * (1.0 - 1.0 / n) / (ramp - 1);
        for (var i = ramp; i < n; i++) weights[i] = 1.0;
        return weights;
    }

    /// <summary>
    /// Proposes the next trial's parameters (maximising the objective) from the completed trials and the trials already
    /// proposed but not yet scored, using <paramref name="rng"/> for every random choice.
    /// </summary>
    public Dictionary<string, int> Sample(IReadOnlyList<TpeTrial> completed, IReadOnlyList<IReadOnlyDictionary<string, int>> pending, PythonRandom rng)
    {
        ArgumentNullException.ThrowIfNull(completed);
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(rng);
        var n = completed.Count + pending.Count;
        if (n < NumStartupTrials) return Space.ToDictionary(p => p.Name, p => rng.NextBelow(p.Choices), StringComparer.Ordinal);

        // Best first; OrderBy is stable, so equal values keep trial order as Python's sorted does.
        var ranked = completed.Select((t, i) => (Trial: t, Number: i)).OrderByDescending(t => t.Trial.Value).ToList();
        var nBelow = Math.Min(Gamma(n), ranked.Count);
        var below = ranked.Take(nBelow).OrderBy(t => t.Number).Select(t => t.Trial.Params).ToList();
        var above = ranked.Skip(nBelow).OrderBy(t => t.Number).Select(t => t.Trial.Params).Concat(pending).ToList();

        var good = new ParzenMixture(Space, below, PriorWeight);
        var bad = new ParzenMixture(Space, above, PriorWeight);
        Dictionary<string, int>? best = null;
        var bestScore = double.NegativeInfinity;
        for (var c = 0; c < NumEiCandidates; c++)
        {
            var candidate = good.Draw(rng);
            var score = good.LogPdf(candidate) - bad.LogPdf(candidate);
            if (best is null || score > bestScore)
            {
                best = candidate;
                bestScore = score;
            }
        }
        return best!;
    }

    // One group's mixture: a joint categorical kernel per observation plus the uniform prior kernel.
    private sealed class ParzenMixture
    {
        private readonly IReadOnlyList<(string Name, int Choices)> _space;
        private readonly double[] _mixture;
        private readonly double[][][] _kernels; // [kernel][parameter][choice]

        public ParzenMixture(IReadOnlyList<(string Name, int Choices)> space, List<IReadOnlyDictionary<string, int>> observations, double priorWeight)
        {
            _space = space;
            var n = observations.Count;
            var kernels = n + 1;
            _mixture = [.. Weights(n), priorWeight];
            var total = _mixture.Sum();
            for (var i = 0; i < _mixture.Length; i++) _mixture[i] /= total;
            _kernels = new double[kernels][][];
            for (var k = 0; k < kernels; k++)
            {
                _kernels[k] = new double[space.Count][];
                for (var p = 0; p < space.Count; p++)
                {
                    var row = Enumerable.Repeat(priorWeight / kernels, space[p].Choices).ToArray();
                    if (k < n) row[observations[k][space[p].Name]] += 1;
                    var sum = row.Sum();
                    for (var c = 0; c < row.Length; c++) row[c] /= sum;
                    _kernels[k][p] = row;
                }
            }
        }

        public Dictionary<string, int> Draw(PythonRandom rng)
        {
            var kernel = _kernels[Pick(_mixture, rng.NextDouble())];
            var draw = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var p = 0; p < _space.Count; p++) draw[_space[p].Name] = Pick(kernel[p], rng.NextDouble());
            return draw;
        }

        public double LogPdf(Dictionary<string, int> x)
        {
            // log sum_k w_k prod_p K_k,p(x_p), computed with the log-sum-exp trick.
            var terms = new double[_kernels.Length];
            for (var k = 0; k < _kernels.Length; k++)
            {
                var log = Math.Log(_mixture[k]);
                for (var p = 0; p < _space.Count; p++) log += Math.Log(_kernels[k][p][x[_space[p].Name]]);
                terms[k] = log;
            }
            var max = terms.Max();
            return max + Math.Log(terms.Sum(t => Math.Exp(t - max)));
        }

        // Inverse-CDF draw from normalised probabilities; the last index absorbs rounding.
        private static int Pick(double[] probabilities, double u)
        {
            var cumulative = 0.0;
            for (var i = 0; i < probabilities.Length - 1; i++)
            {
                cumulative += probabilities[i];
                if (u < cumulative) return i;
            }
            return probabilities.Length - 1;
        }
    }
}

/// <summary>A scored TPE trial: its categorical parameters (choice indices by name) and its objective value.</summary>
internal sealed record TpeTrial(IReadOnlyDictionary<string, int> Params, double Value);
