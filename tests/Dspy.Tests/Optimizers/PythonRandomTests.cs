namespace Dspy.Tests.Optimizers;

/// <summary>Expected values come from CPython 3.11's <c>random.Random</c>.</summary>
public class PythonRandomTests
{
    [Fact]
    public void Random_matches_cpython_for_seed_zero()
    {
        var rng = new PythonRandom(0);
        Assert.Equal(0.8444218515250481, rng.NextDouble());
        Assert.Equal(0.7579544029403025, rng.NextDouble());
        Assert.Equal(0.420571580830845, rng.NextDouble());
    }

    [Fact]
    public void Large_seeds_use_every_32_bit_word()
    {
        var rng = new PythonRandom(12345678901);
        Assert.Equal(0.9460118159397316, rng.NextDouble());
        Assert.Equal(2, rng.Choice(Enumerable.Range(0, 7).ToList()));
    }

    [Fact]
    public void Shuffle_matches_cpython()
    {
        var items = Enumerable.Range(0, 20).ToList();
        new PythonRandom(0).Shuffle(items);
        Assert.Equal([10, 18, 16, 14, 0, 17, 11, 2, 3, 9, 5, 7, 4, 19, 6, 15, 8, 1, 13, 12], items);
    }

    [Fact]
    public void Sample_matches_cpython_with_the_pool_and_the_set_algorithms()
    {
        // n <= setsize: the pool algorithm; the same generator continues across calls.
        var rng = new PythonRandom(0);
        Assert.Equal([6, 9, 0, 2, 4, 3, 5, 1, 8, 7], rng.Sample(Enumerable.Range(0, 10).ToList(), 10));
        Assert.Equal([9, 3, 2, 7], rng.Sample(Enumerable.Range(0, 10).ToList(), 4));

        // n > setsize: rejection of repeats.
        Assert.Equal([394, 776, 430, 41, 265, 523, 497, 414, 310, 488, 366, 597, 223, 516, 142, 288],
            new PythonRandom(0).Sample(Enumerable.Range(0, 800).ToList(), 16));
        Assert.Equal([49, 97, 53, 5, 33, 65, 62, 51, 38, 61, 45, 74, 27, 64, 17, 36, 85, 12, 79, 32, 68, 77, 18, 39, 82, 9, 42, 60, 71, 75],
            new PythonRandom(0).Sample(Enumerable.Range(0, 100).ToList(), 30));
    }

    [Fact]
    public void Sample_rejects_a_size_larger_than_the_population()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PythonRandom(0).Sample([1, 2], 3));
    }
}
