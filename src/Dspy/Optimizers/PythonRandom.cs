namespace Dspy;

/// <summary>
/// The seeded random generator of the optimizers: CPython's <c>random.Random(seed)</c> (MT19937 seeded with
/// <c>init_by_array</c>), with <c>random()</c>, <c>shuffle</c>, <c>sample</c> and <c>choice</c> drawing numbers exactly as
/// CPython 3.11+ does. DSPy's optimizers use <c>random.Random(0)</c> to pick demos, so the same seed selects the same
/// demos here as in Python DSPy. Unlike <see cref="Random"/>, whose sequence for a seed is an implementation detail of
/// .NET, this sequence is fixed by the Mersenne Twister specification and CPython's documented algorithms, on every
/// runtime and platform. Not thread-safe: give each task its own instance.
/// </summary>
public sealed class PythonRandom
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _mt = new uint[N];
    private int _index;

    /// <summary>Creates a generator like Python's <c>random.Random(seed)</c>; negative seeds use their absolute value, as Python does.</summary>
    public PythonRandom(long seed)
    {
        // CPython splits abs(seed) into 32-bit words, least significant first; 0 is the single word [0].
        var n = seed == long.MinValue ? 1UL << 63 : (ulong)Math.Abs(seed);
        var key = new List<uint>();
        do
        {
            key.Add((uint)(n & 0xFFFFFFFF));
            n >>= 32;
        }
        while (n != 0);
        InitByArray(key);
    }

    /// <summary>Python's <c>random()</c>: a double in [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        var a = NextUInt32() >> 5;
        var b = NextUInt32() >> 6;
        return ((a * 67108864.0) + b) * (1.0 / 9007199254740992.0);
    }

    /// <summary>Python's <c>getrandbits(k)</c> for 0 &lt;= k &lt;= 32.</summary>
    public uint GetRandomBits(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, 32);
        return k == 0 ? 0 : NextUInt32() >> (32 - k);
    }

    /// <summary>Python's <c>_randbelow(n)</c>: a uniform integer in [0, n) by rejection sampling on <c>n.bit_length()</c> bits.</summary>
    public int NextBelow(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var k = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);
        var r = GetRandomBits(k);
        while (r >= (uint)n) r = GetRandomBits(k);
        return (int)r;
    }

    /// <summary>Python's <c>randint(a, b)</c>: a uniform integer in [a, b], i.e. <c>a + _randbelow(b - a + 1)</c>.</summary>
    /// <exception cref="ArgumentException">The range is empty (<paramref name="b"/> &lt; <paramref name="a"/>), as Python's ValueError.</exception>
    public int RandInt(int a, int b)
    {
        if (b < a) throw new ArgumentException($"empty range in randint({a}, {b})", nameof(b));
        return a + NextBelow(b - a + 1);
    }

    /// <summary>Python's <c>choice(seq)</c>.</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public T Choice<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("Cannot choose from an empty sequence", nameof(items));
        return items[NextBelow(items.Count)];
    }

    /// <summary>Python's <c>shuffle(x)</c>: shuffles the list in place (Fisher-Yates from the end).</summary>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = NextBelow(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// Python's <c>sample(population, k)</c>: <paramref name="k"/> distinct items in selection order. Like CPython, it picks
    /// from a shrinking pool when the population is small relative to <paramref name="k"/>, else by rejecting repeats.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is negative or larger than the population.</exception>
    public List<T> Sample<T>(IReadOnlyList<T> population, int k)
    {
        ArgumentNullException.ThrowIfNull(population);
        var n = population.Count;
        if (k < 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k), "Sample larger than population or is negative");
        var result = new List<T>(k);
        var setSize = 21;
        if (k > 5) setSize += (int)Math.Pow(4, Math.Ceiling(Math.Log(k * 3) / Math.Log(4)));
        if (n <= setSize)
        {
            var pool = population.ToList();
            for (var i = 0; i < k; i++)
            {
                var j = NextBelow(n - i);
                result.Add(pool[j]);
                pool[j] = pool[n - i - 1];
            }
        }
        else
        {
            var selected = new HashSet<int>();
            for (var i = 0; i < k; i++)
            {
                var j = NextBelow(n);
                while (!selected.Add(j)) j = NextBelow(n);
                result.Add(population[j]);
            }
        }
        return result;
    }

    private uint NextUInt32()
    {
        if (_index >= N) Twist();
        var y = _mt[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680U;
        y ^= (y << 15) & 0xEFC60000U;
        y ^= y >> 18;
        return y;
    }

    private void Twist()
    {
        for (var i = 0; i < N; i++)
        {
            var y = (_mt[i] & 0x80000000U) | (_mt[(i + 1) % N] & 0x7FFFFFFFU);
            _mt[i] = _mt[(i + M) % N] ^ (y >> 1) ^ ((y & 1U) == 0 ? 0U : 0x9908B0DFU);
        }
        _index = 0;
    }

    private void InitGenRand(uint s)
    {
        _mt[0] = s;
        for (var i = 1; i < N; i++)
        {
            _mt[i] = unchecked((1812433253U * (_mt[i - 1] ^ (_mt[i - 1] >> 30))) + (uint)i);
        }
        _index = N;
    }

    private void InitByArray(List<uint> key)
    {
        InitGenRand(19650218U);
        int i = 1, j = 0;
        for (var k = Math.Max(N, key.Count); k > 0; k--)
        {
            _mt[i] = unchecked((_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint)j);
            i++;
            j++;
            if (i >= N)
            {
                _mt[0] = _mt[N - 1];
                i = 1;
            }
            if (j >= key.Count) j = 0;
        }
        for (var k = N - 1; k > 0; k--)
        {
            _mt[i] = unchecked((_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1566083941U)) - (uint)i);
            i++;
            if (i >= N)
            {
                _mt[0] = _mt[N - 1];
                i = 1;
            }
        }
        _mt[0] = 0x80000000U;
        _index = N;
    }
}
