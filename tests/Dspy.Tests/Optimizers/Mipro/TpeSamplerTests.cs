namespace Dspy.Tests.Optimizers.Mipro;

public sealed class TpeSamplerTests
{
    private static readonly (string, int)[] Space = [("0_predictor_instruction", 3), ("0_predictor_demos", 6)];

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(100, 10)]
    [InlineData(300, 25)]
    public void Gamma_is_optunas_default(int n, int expected) => Assert.Equal(expected, TpeSampler.Gamma(n));

    [Fact]
    public void Weights_are_optunas_default_ramp()
    {
        Assert.Equal([1.0, 1.0, 1.0], TpeSampler.Weights(3));
        var w = TpeSampler.Weights(30);
        Assert.Equal(30, w.Length);
        Assert.Equal(1.0 / 30, w[0], 12);
        Assert.Equal(1.0, w[4], 12);
        Assert.Equal(1.0 / 30 + 2 * (1 - 1.0 / 30) / 4, w[2], 12);
        Assert.All(w[5..], x => Assert.Equal(1.0, x));
    }

    [Fact]
    public void Startup_trials_are_uniform_draws_that_depend_only_on_the_stream()
    {
        var sampler = new TpeSampler(Space);
        var history = new List<TpeTrial> { new(new Dictionary<string, int> { ["0_predictor_instruction"] = 0, ["0_predictor_demos"] = 0 }, 10) };
        var a = sampler.Sample(history, [], new PythonRandom(5));
        var b = sampler.Sample(history, [], new PythonRandom(5));
        Assert.Equal(a, b);
        var seen = Enumerable.Range(0, 200).Select(s => sampler.Sample(history, [], new PythonRandom(s))["0_predictor_demos"]).ToHashSet();
        Assert.Equal(6, seen.Count);
    }

    [Fact]
    public void After_startup_it_favours_the_choices_of_the_best_trials()
    {
        var sampler = new TpeSampler(Space);
        // 20 trials: the two with demo set 4 and instruction 1 score 90 (gamma(20) = 2, so they are the good group), the
        // rest score 10 and never use demo set 4.
        var history = new List<TpeTrial>();
        var rng = new PythonRandom(0);
        for (var i = 0; i < 20; i++)
        {
            var good = i is 3 or 11;
            var p = good
                ? new Dictionary<string, int> { ["0_predictor_instruction"] = 1, ["0_predictor_demos"] = 4 }
                : new Dictionary<string, int> { ["0_predictor_instruction"] = rng.NextBelow(3), ["0_predictor_demos"] = rng.NextBelow(4) };
            history.Add(new TpeTrial(p, good ? 90 : 10));
        }
        var picks = Enumerable.Range(0, 50).Select(s => sampler.Sample(history, [], new PythonRandom(s))).ToList();
        Assert.True(picks.Count(p => p["0_predictor_demos"] == 4 && p["0_predictor_instruction"] == 1) >= 45,
            string.Join(" ", picks.Select(p => $"{p["0_predictor_instruction"]}/{p["0_predictor_demos"]}")));
    }

    [Fact]
    public void Pending_trials_count_as_bad_so_a_round_spreads_out()
    {
        var sampler = new TpeSampler([("x", 4)]);
        var history = Enumerable.Range(0, 12).Select(i => new TpeTrial(new Dictionary<string, int> { ["x"] = i % 4 }, i % 4 == 2 ? 50 : 40)).ToList();
        var alone = sampler.Sample(history, [], new PythonRandom(3));
        var pending = Enumerable.Repeat<IReadOnlyDictionary<string, int>>(new Dictionary<string, int> { ["x"] = alone["x"] }, 30).ToList();
        var withPending = Enumerable.Range(0, 20).Select(s => sampler.Sample(history, pending, new PythonRandom(s))["x"]).ToList();
        Assert.Equal(2, alone["x"]);
        Assert.Contains(withPending, x => x != alone["x"]);
    }
}
