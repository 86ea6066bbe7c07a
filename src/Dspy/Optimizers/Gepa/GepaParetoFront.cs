namespace Dspy;

/// <summary>
/// GEPA's instance-level Pareto front (<c>frontier_type="instance"</c>): the candidate pool with parents and per-example
/// validation scores, and per validation example the best score seen and the set of candidates reaching it. Parent
/// selection samples among the non-dominated candidates in proportion to how many examples' fronts they are on.
/// Kept as its own small type so a cluster grain can hold it (<see cref="ToState"/>, <see cref="FromState"/>).
/// </summary>
public sealed class GepaParetoFront
{
    private readonly List<string> _components;
    private readonly List<GepaCandidate> _candidates = [];
    private readonly List<double> _best;
    private readonly List<SortedSet<int>> _programs;
    private readonly List<int> _nextComponent = [];

    private GepaParetoFront(IReadOnlyList<string> components, int valsetSize)
    {
        _components = components.ToList();
        _best = Enumerable.Repeat(double.NegativeInfinity, valsetSize).ToList();
        _programs = Enumerable.Range(0, valsetSize).Select(_ => new SortedSet<int>()).ToList();
    }

    /// <summary>Starts a front with the seed program (candidate 0) and its validation scores.</summary>
    /// <exception cref="ArgumentException">There are no components or no validation scores.</exception>
    public static GepaParetoFront Create(IReadOnlyList<string> componentNames, IReadOnlyDictionary<string, string> seedInstructions,
        IReadOnlyList<double> seedValScores, long discoveryEvalCount = 0)
    {
        ArgumentNullException.ThrowIfNull(componentNames);
        ArgumentNullException.ThrowIfNull(seedInstructions);
        ArgumentNullException.ThrowIfNull(seedValScores);
        if (componentNames.Count == 0) throw new ArgumentException("GEPA needs at least one predictor to optimize.", nameof(componentNames));
        if (seedValScores.Count == 0) throw new ArgumentException("GEPA needs a non-empty validation set.", nameof(seedValScores));
        var front = new GepaParetoFront(componentNames, seedValScores.Count);
        front.Add(seedInstructions, [], seedValScores, discoveryEvalCount, "seed");
        return front;
    }

    /// <summary>The predictor names, in program order.</summary>
    public IReadOnlyList<string> ComponentNames => _components;

    /// <summary>The candidate pool, in the order found.</summary>
    public IReadOnlyList<GepaCandidate> Candidates => _candidates;

    /// <summary>Per validation example, the best score seen.</summary>
    public IReadOnlyList<double> BestScores => _best;

    /// <summary>Per validation example, the candidates reaching its best score.</summary>
    public IReadOnlyList<IReadOnlySet<int>> ProgramsPerInstance => _programs;

    /// <summary>The number of validation examples.</summary>
    public int ValsetSize => _best.Count;

    /// <summary>
    /// The best candidate: the highest mean validation score, the earliest on a tie (every candidate here is scored on the
    /// whole valset, so DSPy's tie-break on coverage never applies).
    /// </summary>
    public int BestIndex
    {
        get
        {
            var best = 0;
            for (var i = 1; i < _candidates.Count; i++)
            {
                if (_candidates[i].AggregateScore > _candidates[best].AggregateScore) best = i;
            }
            return best;
        }
    }

    /// <summary>
    /// Adds a candidate scored on the whole valset and updates each example's front: a higher score replaces the set, an
    /// equal one joins it. Its round-robin pointer starts at the largest of its parents' pointers, as GEPA's does.
    /// </summary>
    /// <returns>The new candidate's index.</returns>
    /// <exception cref="ArgumentException">The scores do not cover the valset, or a parent does not exist.</exception>
    public int Add(IReadOnlyDictionary<string, string> instructions, IReadOnlyList<int> parents, IReadOnlyList<double> valScores,
        long discoveryEvalCount, string origin)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(parents);
        ArgumentNullException.ThrowIfNull(valScores);
        if (valScores.Count != _best.Count) throw new ArgumentException($"Expected {_best.Count} validation scores, got {valScores.Count}.", nameof(valScores));
        if (parents.Any(p => p < 0 || p >= _candidates.Count)) throw new ArgumentException("A parent is not in the candidate pool.", nameof(parents));
        var index = _candidates.Count;
        _candidates.Add(new GepaCandidate(index, new Dictionary<string, string>(instructions, StringComparer.Ordinal), parents.ToList(),
            valScores.ToList(), discoveryEvalCount, origin));
        _nextComponent.Add(parents.Count == 0 ? 0 : parents.Max(p => _nextComponent[p]));
        for (var i = 0; i < valScores.Count; i++)
        {
            if (valScores[i] > _best[i])
            {
                _best[i] = valScores[i];
                _programs[i].Clear();
                _programs[i].Add(index);
            }
            else if (valScores[i] == _best[i])
            {
                _programs[i].Add(index);
            }
        }
        return index;
    }

    /// <summary>
    /// The per-example fronts without dominated candidates (GEPA's <c>remove_dominated_programs</c>): candidates are checked
    /// in ascending order of mean score, and one is dominated when every front it is on also holds another surviving
    /// candidate; the check restarts after each removal.
    /// </summary>
    public IReadOnlyList<IReadOnlySet<int>> NonDominatedFronts()
    {
        var order = new List<int>();
        foreach (var front in _programs)
        {
            foreach (var p in front)
            {
                if (!order.Contains(p)) order.Add(p);
            }
        }
        // A stable sort keeps first-appearance order among equal scores, as Python's sorted does.
        var programs = order.OrderBy(p => _candidates[p].AggregateScore).ToList();
        var dominated = new HashSet<int>();
        bool found;
        do
        {
            found = false;
            foreach (var y in programs)
            {
                if (dominated.Contains(y)) continue;
                var others = programs.Where(p => p != y && !dominated.Contains(p)).ToHashSet();
                if (IsDominated(y, others))
                {
                    dominated.Add(y);
                    found = true;
                    break;
                }
            }
        }
        while (found);
        return _programs.Select(front => (IReadOnlySet<int>)new SortedSet<int>(front.Where(p => !dominated.Contains(p)))).ToList();
    }

    /// <summary>The non-dominated candidates (GEPA's merge candidates), ascending.</summary>
    public IReadOnlyList<int> Dominators() => NonDominatedFronts().SelectMany(f => f).Distinct().Order().ToList();

    /// <summary>
    /// GEPA's Pareto parent selection: counts how many examples' non-dominated fronts each candidate is on and samples one
    /// with probability proportional to that count.
    /// </summary>
    public int SelectPareto(PythonRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var frequency = new List<(int Program, int Count)>();
        foreach (var front in NonDominatedFronts())
        {
            foreach (var p in front)
            {
                var at = frequency.FindIndex(f => f.Program == p);
                if (at < 0) frequency.Add((p, 1));
                else frequency[at] = (p, frequency[at].Count + 1);
            }
        }
        var sampling = frequency.SelectMany(f => Enumerable.Repeat(f.Program, f.Count)).ToList();
        return rng.Choice(sampling);
    }

    /// <summary>The predictors the next mutation of <paramref name="candidate"/> rewrites; advances its round-robin pointer.</summary>
    public IReadOnlyList<string> NextComponents(int candidate, GepaComponentSelection selection)
    {
        if (selection == GepaComponentSelection.All) return _components;
        var pointer = _nextComponent[candidate];
        _nextComponent[candidate] = (pointer + 1) % _components.Count;
        return [_components[pointer]];
    }

    /// <summary>The front as plain data.</summary>
    public GepaParetoFrontState ToState() => new()
    {
        ComponentNames = _components.ToList(),
        Candidates = _candidates.ToList(),
        BestScores = _best.ToList(),
        ProgramsPerInstance = _programs.Select(s => s.ToList()).ToList(),
        NextComponent = _nextComponent.ToList(),
    };

    /// <summary>Restores a front saved with <see cref="ToState"/>.</summary>
    /// <exception cref="ArgumentException">The lists do not fit together.</exception>
    public static GepaParetoFront FromState(GepaParetoFrontState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.ComponentNames.Count == 0 || state.Candidates.Count == 0) throw new ArgumentException("A front has components and at least the seed candidate.", nameof(state));
        if (state.BestScores.Count != state.ProgramsPerInstance.Count || state.NextComponent.Count != state.Candidates.Count)
        {
            throw new ArgumentException("The front's per-example and per-candidate lists have different lengths.", nameof(state));
        }
        var front = new GepaParetoFront(state.ComponentNames, state.BestScores.Count);
        front._candidates.AddRange(state.Candidates);
        front._nextComponent.AddRange(state.NextComponent);
        for (var i = 0; i < state.BestScores.Count; i++)
        {
            front._best[i] = state.BestScores[i];
            front._programs[i].UnionWith(state.ProgramsPerInstance[i]);
        }
        return front;
    }

    private bool IsDominated(int y, HashSet<int> others)
    {
        foreach (var front in _programs)
        {
            if (!front.Contains(y)) continue;
            if (!front.Any(others.Contains)) return false;
        }
        return true;
    }
}
