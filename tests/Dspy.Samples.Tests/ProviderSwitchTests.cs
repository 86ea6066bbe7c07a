using Dspy.Cli;
using Dspy.Samples.Sentiment;

namespace Dspy.Samples.Tests;

/// <summary>
/// A sample runs on a real provider by changing <c>--lm</c>: here the OpenAI provider (the OpenAI SDK over HTTP) talks to
/// the simulated LM's OpenAI-compatible server on a loopback port, which the test starts and stops.
/// </summary>
public class ProviderSwitchTests
{
    [Fact]
    public async Task The_sentiment_sample_over_the_openai_provider_gives_the_in_process_sims_labels()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions(), new SimChatClient());
        // A model name of its own, so the LM's disk cache (shared across runs) cannot answer in the server's place.
        var model = $"openai/sim-{Guid.NewGuid():N}";

        var (code, output) = await SampleRun.RunAsync(SentimentSample.RunAsync, "--lm", model, "--api-base", server.ApiBase.ToString());
        var (simCode, simOutput) = await SampleRun.RunAsync(SentimentSample.RunAsync, "--lm", "sim");

        Assert.Equal(0, code);
        Assert.Equal(0, simCode);
        Assert.StartsWith($"LM: {model}\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(simOutput.ReplaceLineEndings("\n").Split('\n').Skip(1).Select(l => l.Replace("with sim", "", StringComparison.Ordinal)),
            output.ReplaceLineEndings("\n").Split('\n').Skip(1).Select(l => l.Replace($"with {model}", "", StringComparison.Ordinal)));
        Assert.Equal(SentimentSample.Sentences().Count, server.Stats.Served);
    }
}
