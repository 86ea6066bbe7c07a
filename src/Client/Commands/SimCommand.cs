using System.CommandLine;

namespace Dspy.Cli;

/// <summary><c>dspy sim serve</c>: the simulated LM as an OpenAI-compatible HTTP server on loopback.</summary>
internal static class SimCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port", "-p") { Description = "TCP port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 8400 };
        var rpm = new Option<int?>("--rpm") { Description = "Requests per minute before answering 429 with Retry-After." };
        var tpm = new Option<long?>("--tpm") { Description = "Tokens per minute before answering 429 with Retry-After." };
        var latency = new Option<int>("--latency-ms") { Description = "Added latency per request, in milliseconds." };
        var failRate = new Option<double>("--fail-rate") { Description = "Fraction of requests answered with an injected 500." };
        var timeoutRate = new Option<double>("--timeout-rate") { Description = "Fraction of requests that hang until the client gives up." };
        var malformedRate = new Option<double>("--malformed-rate") { Description = "Fraction of answers whose format is broken." };
        var noise = new Option<double>("--noise") { Description = "Fraction of answers the simulator gets wrong on purpose." };
        var fineTuningSeconds = new Option<double>("--fine-tuning-seconds") { Description = "How long a fine-tuning job runs at least (it also takes 3 status reads)." };

        var serve = new Command("serve", "Serve the simulated LM over HTTP (POST /v1/chat/completions, GET /sim/stats) until Ctrl+C.")
        {
            port, rpm, tpm, latency, failRate, timeoutRate, malformedRate, noise, fineTuningSeconds,
        };
        serve.SetAction((parse, ct) => CliRunner.RunAsync(async () =>
        {
            var options = new SimServerOptions
            {
                Port = parse.GetValue(port),
                Rpm = parse.GetValue(rpm),
                Tpm = parse.GetValue(tpm),
                LatencyMs = parse.GetValue(latency),
                FailRate = parse.GetValue(failRate),
                TimeoutRate = parse.GetValue(timeoutRate),
                MalformedRate = parse.GetValue(malformedRate),
                FineTuningDuration = parse.GetValue(fineTuningSeconds) is var seconds && double.IsFinite(seconds) && seconds is >= 0 and <= 86_400
                    ? TimeSpan.FromSeconds(seconds)
                    : throw new CliException($"--fine-tuning-seconds must be between 0 and 86400, got {seconds}."),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ex.Message);
            }
            var noiseRate = parse.GetValue(noise);
            if (noiseRate is < 0 or > 1) throw new CliException("--noise must be between 0 and 1.");

            await using var server = await SimServer.StartAsync(options, new SimChatClient(new SimOptions { NoiseRate = noiseRate }), ct);
            await Console.Out.WriteLineAsync($"Simulated LM (not a real model) serving OpenAI-compatible API at {server.ApiBase}");
            await Console.Out.WriteLineAsync($"Use it with: dspy predict --lm openai/sim --api-base {server.ApiBase} ...  (or set OPENAI_BASE_URL={server.ApiBase})");
            await Console.Out.FlushAsync(ct);
            try
            {
                await server.WaitForShutdownAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C: a normal stop.
            }
            return ExitCodes.Success;
        }));

        return new Command("sim", "The simulated LM (a deterministic stand-in for LM providers).") { serve };
    }
}
