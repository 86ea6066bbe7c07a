namespace Dspy;

/// <summary>
/// GEPA's <c>EpochShuffledBatchSampler</c>: the trainset ids are reshuffled at the start of each epoch and padded with the
/// least-used ids to a multiple of the minibatch size; iteration i takes the i-th chunk (modulo the epoch length).
/// </summary>
internal sealed class GepaBatchSampler(int minibatchSize, PythonRandom rng)
{
    private readonly List<int> _shuffled = [];
    // Use counts in first-use order, as GEPA's Counter keeps insertion order.
    private readonly List<(int Id, int Count)> _frequency = [];
    private int _epoch = -1;

    /// <summary>The current epoch (-1 before the first minibatch).</summary>
    public int Epoch => _epoch;

    /// <summary>How many times the trainset has been shuffled.</summary>
    public int Shuffles { get; private set; }

    /// <summary>
    /// Brings a fresh sampler to the state a checkpoint recorded: the shuffles are replayed on the same random stream (they
    /// are the only draws), so the next minibatches are the ones the interrupted run would have taken.
    /// </summary>
    public void Restore(int trainsetSize, int epoch, int shuffles)
    {
        if (Shuffles != 0) throw new InvalidOperationException("Only a fresh sampler can be restored.");
        if (shuffles < 0 || epoch < -1 || (shuffles == 0) != (epoch == -1)) throw new ArgumentException($"Sampler state epoch {epoch} with {shuffles} shuffles is inconsistent.");
        for (var k = 0; k < shuffles; k++) Reshuffle(trainsetSize);
        _epoch = epoch;
    }

    public IReadOnlyList<int> Next(int trainsetSize, int iteration)
    {
        var start = iteration * minibatchSize;
        var epoch = _epoch == -1 ? 0 : start / Math.Max(_shuffled.Count, 1);
        if (epoch > _epoch)
        {
            _epoch = epoch;
            Reshuffle(trainsetSize);
        }
        start %= _shuffled.Count;
        return _shuffled.GetRange(start, minibatchSize);
    }

    private void Reshuffle(int trainsetSize)
    {
        Shuffles++;
        _shuffled.Clear();
        _shuffled.AddRange(Enumerable.Range(0, trainsetSize));
        rng.Shuffle(_shuffled);
        foreach (var id in _shuffled) Count(id);
        var remainder = trainsetSize % minibatchSize;
        var pad = remainder == 0 ? 0 : minibatchSize - remainder;
        for (var k = 0; k < pad; k++)
        {
            // Counter.most_common()[::-1][0]: the least used id, the latest inserted among equals.
            var least = _frequency.Min(f => f.Count);
            var id = _frequency.Last(f => f.Count == least).Id;
            _shuffled.Add(id);
            Count(id);
        }
    }

    private void Count(int id)
    {
        var at = _frequency.FindIndex(f => f.Id == id);
        if (at < 0) _frequency.Add((id, 1));
        else _frequency[at] = (id, _frequency[at].Count + 1);
    }
}
