namespace Dspy.Tests.Optimizers.Gepa;

public sealed class GepaBudgetTests
{
    // The table of reference/dspy.md section 3.2 (computed there from DSPy's auto_budget).
    [Theory]
    [InlineData(GepaAuto.Light, 1, 10, 420)]
    [InlineData(GepaAuto.Light, 1, 50, 580)]
    [InlineData(GepaAuto.Light, 1, 100, 780)]
    [InlineData(GepaAuto.Light, 1, 300, 1580)]
    [InlineData(GepaAuto.Light, 2, 100, 1330)]
    [InlineData(GepaAuto.Light, 3, 100, 1915)]
    [InlineData(GepaAuto.Medium, 1, 10, 740)]
    [InlineData(GepaAuto.Medium, 1, 300, 2190)]
    [InlineData(GepaAuto.Medium, 2, 100, 1740)]
    [InlineData(GepaAuto.Medium, 3, 100, 2565)]
    [InlineData(GepaAuto.Heavy, 1, 10, 1105)]
    [InlineData(GepaAuto.Heavy, 1, 100, 1735)]
    [InlineData(GepaAuto.Heavy, 2, 100, 2045)]
    [InlineData(GepaAuto.Heavy, 3, 100, 3040)]
    public void Auto_budget_matches_dspy(GepaAuto auto, int predictors, int valsetSize, long expected) =>
        Assert.Equal(expected, GepaBudget.AutoBudget(predictors, GepaBudget.NumCandidates(auto), valsetSize));

    [Fact]
    public void Resolve_follows_dspy_for_each_kind_of_budget()
    {
        Assert.Equal(123, GepaBudget.Resolve(null, null, 123, 1, 50, 10));
        // max_full_evals * (len(trainset) + len(valset or [])).
        Assert.Equal(3 * (50 + 10), GepaBudget.Resolve(null, 3, null, 1, 50, 10));
        Assert.Equal(3 * 50, GepaBudget.Resolve(null, 3, null, 1, 50, null));
        // auto uses the valset size, or the trainset's without a valset; num_preds is at least 1.
        Assert.Equal(420, GepaBudget.Resolve(GepaAuto.Light, null, null, 1, 50, 10));
        Assert.Equal(580, GepaBudget.Resolve(GepaAuto.Light, null, null, 0, 50, null));
    }

    [Fact]
    public void Exactly_one_budget_must_be_set()
    {
        var none = Assert.Throws<ArgumentException>(() => GepaBudget.Resolve(null, null, null, 1, 10, null));
        Assert.Contains("Exactly one of auto, max_full_evals, max_metric_calls", none.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GepaBudget.Resolve(GepaAuto.Light, null, 100, 1, 10, null));
        Assert.Throws<ArgumentException>(() => new Dspy.Gepa(new GepaOptions { Metric = Metrics.ExactMatch, ReflectionLm = new ReflectionLM(p => p), Auto = GepaAuto.Light, MaxFullEvals = 2 }));
        var noLm = Assert.Throws<ArgumentException>(() => new Dspy.Gepa(new GepaOptions { Metric = Metrics.ExactMatch, Auto = GepaAuto.Light }));
        Assert.Contains("reflection language model", noLm.Message, StringComparison.Ordinal);
    }
}
