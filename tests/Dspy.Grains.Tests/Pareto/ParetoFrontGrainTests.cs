namespace Dspy.Grains.Tests.Pareto;

[Collection(ClusterCollection.Name)]
public sealed class ParetoFrontGrainTests(ClusterFixture fixture)
{
    private static List<ExampleScore> Scores(params double[] s) => s.Select((v, i) => new ExampleScore($"e{i}", v)).ToList();

    [Fact]
    public async Task Concurrent_updates_give_the_instance_level_front_whatever_their_order_and_it_survives_deactivation()
    {
        var updates = new (string Candidate, List<ExampleScore> Scores)[]
        {
            ("c1", Scores(1, 0, 0, 0.5)),
            ("c2", Scores(0, 1, 0, 0.5)),
            ("c3", Scores(0, 0, 0, 0.25)),   // best nowhere: not on the front
            ("c4", Scores(1, 0, 1, 0)),
        };
        var a = fixture.Grains.GetGrain<IParetoFrontGrain>("pareto-a");
        var b = fixture.Grains.GetGrain<IParetoFrontGrain>("pareto-b");
        await Task.WhenAll(updates.Select(u => a.UpdateAsync(u.Candidate, u.Scores)));
        foreach (var u in updates.Reverse()) await b.UpdateAsync(u.Candidate, u.Scores);

        var front = await a.GetAsync();
        Assert.Equal(["c1", "c2", "c4"], front.Candidates);
        Assert.Equal(["c1", "c4"], front.Examples[0].Candidates);
        Assert.Equal(["c1", "c2"], front.Examples[3].Candidates);
        Assert.Equal(0.5, front.Examples[3].Best);
        var other = await b.GetAsync();
        Assert.Equal(front.Candidates, other.Candidates);
        Assert.Equal(front.Examples.Select(e => (e.ExampleId, e.Best, string.Join(",", e.Candidates))),
            other.Examples.Select(e => (e.ExampleId, e.Best, string.Join(",", e.Candidates))));

        await fixture.Cluster.DeactivateAsync(a);
        Assert.Equal(front.Candidates, (await a.GetAsync()).Candidates);
    }

    [Fact]
    public async Task A_NaN_score_is_refused()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            fixture.Grains.GetGrain<IParetoFrontGrain>("pareto-nan").UpdateAsync("c", [new ExampleScore("e", double.NaN)]));
        Assert.Contains("NaN", ex.Message, StringComparison.Ordinal);
    }
}
