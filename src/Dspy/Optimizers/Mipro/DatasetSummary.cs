using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>create_dataset_summary</c> (dspy/propose/dataset_summary_generator.py): observations on the first
/// <c>view_data_batch_size</c> examples, more observations batch by batch (at most 10 calls in all, stopping after 5
/// <c>COMPLETE</c> answers), then a two-to-three sentence summary. Every call runs <c>Predict(..., n=1, temperature=1.0)</c>
/// under the prompt model; the examples are shown as the Python repr of the batch with sorted input keys.
/// </summary>
internal static partial class DatasetSummary
{
    private static ILogger Log => DspyLogging.CreateLogger(typeof(DatasetSummary));

    /// <summary>Summarises <paramref name="trainset"/> with <paramref name="promptModel"/>.</summary>
    public static async Task<string> CreateAsync(IReadOnlyList<Example> trainset, int viewDataBatchSize, BaseLM promptModel, CancellationToken cancellationToken)
    {
        using var _ = Settings.Context(s => s with { Lm = promptModel });
        var config = new Dictionary<string, object?>(StringComparer.Ordinal) { ["n"] = 1L, ["temperature"] = 1.0 };
        var upper = Math.Min(trainset.Count, viewDataBatchSize);
        var first = await new Predict(ProposerSignatures.DatasetDescriptor, config)
            .CallAsync(GroundedProposer.Inputs(("examples", Repr(trainset, 0, upper))), cancellationToken);
        var observations = GroundedProposer.Text(first, "observations");

        var skips = 0;
        try
        {
            const int maxCalls = 10;
            var calls = 0;
            for (var b = viewDataBatchSize; b < trainset.Count; b += viewDataBatchSize)
            {
                calls++;
                if (calls >= maxCalls) break;
                upper = Math.Min(trainset.Count, b + viewDataBatchSize);
                var output = await new Predict(ProposerSignatures.DatasetDescriptorWithPriorObservations, config).CallAsync(
                    GroundedProposer.Inputs(("prior_observations", observations), ("examples", Repr(trainset, b, upper))), cancellationToken);
                var more = GroundedProposer.Text(output, "observations");
                if (more.Length >= 8 && string.Equals(more[..8], "COMPLETE", StringComparison.OrdinalIgnoreCase))
                {
                    skips++;
                    if (skips >= 5) break;
                    continue;
                }
                observations += more;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not BudgetExceededException)
        {
            // DSPy summarises the observations gathered so far.
            Log.LogWarning("{Error}. Using observations from past round for a summary.", ex.Message);
        }

        var summary = await new Predict(ProposerSignatures.ObservationSummarizer, config)
            .CallAsync(GroundedProposer.Inputs(("observations", observations)), cancellationToken);
        return GroundedProposer.StripPrefix(GroundedProposer.Text(summary, "summary"));
    }

    // Python's repr of trainset[start:end] with each input_keys set written in sorted order (order_input_keys_in_string).
    private static string Repr(IReadOnlyList<Example> trainset, int start, int end)
    {
        var text = "[" + string.Join(", ", Enumerable.Range(start, end - start).Select(i => trainset[i].ToString())) + "]";
        return InputKeysRegex().Replace(text, m =>
            "input_keys={" + string.Join(", ", m.Groups[1].Value.Split(',').Select(k => k.Trim()).Order(StringComparer.Ordinal)) + "}");
    }

    [GeneratedRegex(@"input_keys=\{([^\}]+)\}")]
    private static partial Regex InputKeysRegex();
}
