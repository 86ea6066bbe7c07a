using System.Numerics.Tensors;

namespace Dspy;

/// <summary>
/// An inverted-file (IVF) index over inner product, the approximate search <see cref="Embeddings"/> uses for large corpora
/// (DSPy builds a FAISS IVF index there). The vectors are partitioned by k-means; a query scans only the
/// <see cref="NProbe"/> partitions whose centroids score highest. Training is deterministic for a seed: k-means++
/// seeding and the training sample come from a seeded SplitMix64 stream, and ties go to the lower partition id.
/// </summary>
public sealed class IvfIndex
{
    private readonly float[] _centroids; // Partitions x Dimension, row-major
    private readonly int[] _assignments;
    private readonly int[][] _lists;

    private IvfIndex(int dimension, int partitions, int nprobe, float[] centroids, int[] assignments)
    {
        Dimension = dimension;
        Partitions = partitions;
        NProbe = nprobe;
        _centroids = centroids;
        _assignments = assignments;
        var lists = new List<int>[partitions];
        for (var p = 0; p < partitions; p++) lists[p] = [];
        for (var i = 0; i < assignments.Length; i++)
        {
            if (assignments[i] < 0 || assignments[i] >= partitions)
            {
                throw new InvalidDataException($"IVF index: vector {i} is assigned to partition {assignments[i]}, outside 0..{partitions - 1}.");
            }
            lists[assignments[i]].Add(i);
        }
        _lists = lists.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>Vector length.</summary>
    public int Dimension { get; }

    /// <summary>Number of k-means partitions.</summary>
    public int Partitions { get; }

    /// <summary>Partitions scanned per query.</summary>
    public int NProbe { get; }

    /// <summary>Number of indexed vectors.</summary>
    public int Count => _assignments.Length;

    /// <summary>The centroids, row-major (<see cref="Partitions"/> x <see cref="Dimension"/>).</summary>
    public ReadOnlySpan<float> Centroids => _centroids;

    /// <summary>The partition of each indexed vector.</summary>
    public ReadOnlySpan<int> Assignments => _assignments;

    /// <summary>DSPy's partition count for a corpus of <paramref name="count"/> vectors: 2 x sqrt(N), at least 1, at most N.</summary>
    public static int DefaultPartitions(int count) => Math.Clamp((int)(2 * Math.Sqrt(count)), 1, Math.Max(1, count));

    /// <summary>DSPy's nprobe: min(16, partitions).</summary>
    public static int DefaultNProbe(int partitions) => Math.Min(16, partitions);

    /// <summary>Trains the partitions on <paramref name="vectors"/> (row-major, <paramref name="dimension"/> wide) and assigns every vector.</summary>
    /// <param name="vectors">The corpus vectors, row-major.</param>
    /// <param name="dimension">Vector length.</param>
    /// <param name="partitions">Number of partitions; default <see cref="DefaultPartitions"/>.</param>
    /// <param name="nprobe">Partitions scanned per query; default <see cref="DefaultNProbe"/>.</param>
    /// <param name="iterations">k-means iterations.</param>
    /// <param name="seed">Seed for the training sample and k-means++ seeding.</param>
    /// <param name="pointsPerPartition">Training sample size per partition (FAISS trains on a sample too).</param>
    public static IvfIndex Build(ReadOnlySpan<float> vectors, int dimension, int? partitions = null, int? nprobe = null,
        int iterations = 10, ulong seed = 0, int pointsPerPartition = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (vectors.Length == 0 || vectors.Length % dimension != 0)
        {
            throw new ArgumentException($"IVF index: {vectors.Length} floats are not a non-empty whole number of {dimension}-wide vectors.", nameof(vectors));
        }
        var count = vectors.Length / dimension;
        var p = partitions ?? DefaultPartitions(count);
        if (p < 1 || p > count) throw new ArgumentOutOfRangeException(nameof(partitions), p, $"IVF index: partitions must be between 1 and the vector count ({count}).");
        var probe = nprobe ?? DefaultNProbe(p);
        if (probe < 1 || probe > p) throw new ArgumentOutOfRangeException(nameof(nprobe), probe, $"IVF index: nprobe must be between 1 and partitions ({p}).");
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerPartition, 1);

        var rng = new SimRandom(seed ^ 0x9E3779B97F4A7C15UL);
        var sample = Enumerable.Range(0, count).ToList();
        var sampleSize = (int)Math.Min(count, (long)p * pointsPerPartition);
        if (sampleSize < count)
        {
            rng.Shuffle(sample);
            sample = sample.GetRange(0, sampleSize);
            sample.Sort();
        }
        var centroids = SeedCentroids(vectors, dimension, sample, p, rng);
        var sampleAssign = new int[sample.Count];
        for (var iter = 0; iter < iterations; iter++)
        {
            for (var s = 0; s < sample.Count; s++) sampleAssign[s] = Nearest(centroids, p, dimension, vectors.Slice(sample[s] * dimension, dimension));
            var sums = new double[p * dimension];
            var sizes = new int[p];
            for (var s = 0; s < sample.Count; s++)
            {
                var c = sampleAssign[s];
                sizes[c]++;
                var row = vectors.Slice(sample[s] * dimension, dimension);
                for (var d = 0; d < dimension; d++) sums[c * dimension + d] += row[d];
            }
            for (var c = 0; c < p; c++)
            {
                // An empty partition keeps its old centroid rather than collapsing to zero.
                if (sizes[c] == 0) continue;
                for (var d = 0; d < dimension; d++) centroids[c * dimension + d] = (float)(sums[c * dimension + d] / sizes[c]);
            }
        }
        var assignments = new int[count];
        for (var i = 0; i < count; i++) assignments[i] = Nearest(centroids, p, dimension, vectors.Slice(i * dimension, dimension));
        return new IvfIndex(dimension, p, probe, centroids, assignments);
    }

    /// <summary>Rebuilds an index from saved centroids and assignments.</summary>
    public static IvfIndex FromParts(int dimension, int nprobe, float[] centroids, int[] assignments)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (centroids.Length == 0 || centroids.Length % dimension != 0)
        {
            throw new InvalidDataException($"IVF index: {centroids.Length} centroid floats are not a whole number of {dimension}-wide vectors.");
        }
        var partitions = centroids.Length / dimension;
        if (nprobe < 1 || nprobe > partitions) throw new InvalidDataException($"IVF index: nprobe {nprobe} is outside 1..{partitions}.");
        return new IvfIndex(dimension, partitions, nprobe, centroids, assignments);
    }

    /// <summary>The ids of the vectors in the <see cref="NProbe"/> partitions nearest to <paramref name="query"/>, in id order
    /// (the caller scores them exactly).</summary>
    public int[] Candidates(ReadOnlySpan<float> query, int? nprobe = null)
    {
        if (query.Length != Dimension) throw new ArgumentException($"IVF index: the query has {query.Length} dimensions, the index {Dimension}.", nameof(query));
        var probe = Math.Clamp(nprobe ?? NProbe, 1, Partitions);
        var scores = new float[Partitions];
        for (var c = 0; c < Partitions; c++) scores[c] = TensorPrimitives.Dot(query, _centroids.AsSpan(c * Dimension, Dimension));
        var order = Enumerable.Range(0, Partitions).OrderByDescending(c => scores[c]).ThenBy(c => c).Take(probe);
        var ids = order.SelectMany(c => _lists[c]).ToArray();
        Array.Sort(ids);
        return ids;
    }

    private static int Nearest(float[] centroids, int partitions, int dimension, ReadOnlySpan<float> v)
    {
        // Nearest by Euclidean distance: argmin |c|^2 - 2 c.v (|v|^2 is the same for every centroid).
        var best = 0;
        var bestScore = float.PositiveInfinity;
        for (var c = 0; c < partitions; c++)
        {
            var row = centroids.AsSpan(c * dimension, dimension);
            var score = TensorPrimitives.Dot(row, row) - 2 * TensorPrimitives.Dot(row, v);
            if (score < bestScore)
            {
                bestScore = score;
                best = c;
            }
        }
        return best;
    }

    private static float[] SeedCentroids(ReadOnlySpan<float> vectors, int dimension, List<int> sample, int partitions, SimRandom rng)
    {
        // k-means++: each next centroid is drawn with probability proportional to its squared distance to the nearest chosen one.
        var centroids = new float[partitions * dimension];
        var first = sample[rng.Next(sample.Count)];
        vectors.Slice(first * dimension, dimension).CopyTo(centroids.AsSpan(0, dimension));
        var dist = new double[sample.Count];
        for (var s = 0; s < sample.Count; s++) dist[s] = SquaredDistance(vectors.Slice(sample[s] * dimension, dimension), centroids.AsSpan(0, dimension));
        for (var c = 1; c < partitions; c++)
        {
            var total = dist.Sum();
            int pick;
            if (total <= 0) pick = rng.Next(sample.Count);
            else
            {
                var x = rng.NextDouble() * total;
                pick = sample.Count - 1;
                for (var s = 0; s < sample.Count; s++)
                {
                    x -= dist[s];
                    if (x < 0)
                    {
                        pick = s;
                        break;
                    }
                }
            }
            var target = centroids.AsSpan(c * dimension, dimension);
            vectors.Slice(sample[pick] * dimension, dimension).CopyTo(target);
            for (var s = 0; s < sample.Count; s++)
            {
                dist[s] = Math.Min(dist[s], SquaredDistance(vectors.Slice(sample[s] * dimension, dimension), target));
            }
        }
        return centroids;
    }

    private static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double d = TensorPrimitives.Distance(a, b);
        return d * d;
    }
}
