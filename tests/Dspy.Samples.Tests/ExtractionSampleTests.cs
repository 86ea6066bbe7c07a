using Dspy.Samples.Extraction;

namespace Dspy.Samples.Tests;

public class ExtractionSampleTests
{
    [Fact]
    public async Task Run_on_sim_prints_a_title_a_list_of_headings_and_a_list_of_entity_dictionaries_per_text()
    {
        var (code, output) = await SampleRun.RunAsync(ExtractionSample.RunAsync, "--lm", "sim");

        Assert.Equal(0, code);
        var count = ExtractionSample.Texts().Count;
        Assert.Equal(count, SampleRun.Values(output, "title:").Count(t => t.Length > 0));
        Assert.All(SampleRun.Values(output, "headings:"), h => Assert.StartsWith("[\"", h, StringComparison.Ordinal));
        Assert.All(SampleRun.Values(output, "entities:"), e => Assert.StartsWith("[{\"name\":", e, StringComparison.Ordinal));
        Assert.Equal(count, SampleRun.Values(output, "entities:").Count);
    }

    [Fact]
    public async Task Outputs_parse_into_the_signature_types()
    {
        var module = ExtractionSample.CreateProgram();
        using (Settings.Context(lm: new LM("sim")))
        {
            var response = await module.CallAsync(ExtractionSample.Texts()[0]);

            Assert.False(string.IsNullOrWhiteSpace(response.Get<string>("title")));
            var headings = response.Get<List<string>>("headings");
            Assert.NotEmpty(headings);
            Assert.All(headings, h => Assert.False(string.IsNullOrWhiteSpace(h)));
            var entities = response.Get<List<Dictionary<string, string>>>("entities");
            Assert.NotEmpty(entities);
            Assert.All(entities, e => Assert.Equal(["name", "type"], e.Keys.Order()));
        }
    }
}
