using System.Security.Cryptography;
using System.Text;

namespace Dspy;

/// <summary>
/// Random streams of the GEPA and SIMBA runs: each (seed, round, slot, purpose) gets its own <see cref="PythonRandom"/>
/// (DESIGN invariant 4), so what a proposal draws never depends on how many other proposals ran before it or at once.
/// </summary>
internal static class GepaRandom
{
    public static PythonRandom Stream(int seed, int round, int slot, string purpose)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{round}/{slot}/{purpose}"));
        return new PythonRandom(BitConverter.ToInt64(bytes, 0) & long.MaxValue);
    }

    /// <summary>Python's <c>choices(population, weights, k=1)[0]</c>: a cumulative-weight bisection on one <c>random()</c>.</summary>
    public static T WeightedChoice<T>(PythonRandom rng, IReadOnlyList<T> items, IReadOnlyList<double> weights)
    {
        var cumulative = new double[weights.Count];
        var total = 0.0;
        for (var i = 0; i < weights.Count; i++) cumulative[i] = total += weights[i];
        if (!(total > 0)) throw new ArgumentException("Total of weights must be greater than zero", nameof(weights));
        var x = rng.NextDouble() * total;
        // bisect_right over cum_weights[:-1]
        var lo = 0;
        var hi = cumulative.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (x < cumulative[mid]) hi = mid;
            else lo = mid + 1;
        }
        return items[lo];
    }
}
