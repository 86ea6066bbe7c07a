using System.Collections;
using System.Globalization;

namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.MultiChainComparison</c>: shows the LM <see cref="M"/> earlier reasoning attempts (inputs
/// <c>reasoning_attempt_1..M</c>, prefix <c>Student Attempt #i:</c>) and asks for a corrected <c>rationale</c> (prefix
/// <c>Accurate Reasoning: Thank you everyone. Let's now holistically</c>) before the outputs. Call it with the attempts under
/// the input key <c>completions</c> (a <see cref="Completions"/> or a list of predictions/dictionaries) plus the task inputs,
/// or through <see cref="CallAsync(IEnumerable{IReadOnlyDictionary{string, object}}, IReadOnlyDictionary{string, object}, CancellationToken)"/>.
/// </summary>
public class MultiChainComparison : Module
{
    /// <summary>The input key carrying the attempts.</summary>
    public const string CompletionsKey = "completions";

    /// <summary>Creates the module; <paramref name="config"/> (plus <c>temperature</c>) goes to the inner predictor.</summary>
    /// <param name="signature">The task signature; it needs at least one output field.</param>
    /// <param name="m">The number of attempts each call must supply.</param>
    /// <param name="temperature">The temperature of the comparison call.</param>
    /// <param name="config">Other LM kwargs for the inner <see cref="Predict"/>.</param>
    public MultiChainComparison(Signature signature, int m = 3, double temperature = 0.7, IReadOnlyDictionary<string, object?>? config = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (signature.OutputFields.Count == 0) throw new ArgumentException("The signature needs at least one output field.", nameof(signature));
        M = m;
        LastKey = signature.OutputFields[^1].Name;

        for (var idx = 0; idx < m; idx++)
        {
            var n = (idx + 1).ToString(CultureInfo.InvariantCulture);
            signature = signature.Append(Field.Input($"reasoning_attempt_{n}", TypeSpec.Str, "${reasoning attempt}", $"Student Attempt #{n}:"));
        }
        signature = signature.Prepend(Field.Output("rationale", TypeSpec.Str, "${corrected reasoning}",
            "Accurate Reasoning: Thank you everyone. Let's now holistically"));

        var predictConfig = new Dictionary<string, object?>(StringComparer.Ordinal) { ["temperature"] = temperature };
        foreach (var (k, v) in config ?? new Dictionary<string, object?>()) predictConfig[k] = v;
        Predict = new Predict(signature, predictConfig);
    }

    /// <summary>The number of attempts.</summary>
    public int M { get; }

    /// <summary>The last output field of the task signature, whose value each attempt reports.</summary>
    public string LastKey { get; }

    /// <summary>The comparison predictor (path <c>predict</c>).</summary>
    public Predict Predict { get; private set; }

    /// <summary>DSPy's <c>mcc(completions, **inputs)</c>.</summary>
    public Task<Prediction> CallAsync(IEnumerable<IReadOnlyDictionary<string, object?>> completions, IReadOnlyDictionary<string, object?> inputs,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(completions);
        ArgumentNullException.ThrowIfNull(inputs);
        var all = new Dictionary<string, object?>(inputs, StringComparer.Ordinal) { [CompletionsKey] = completions.ToList() };
        return CallAsync(all, cancellationToken);
    }

    /// <inheritdoc/>
    protected override Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var kwargs = new Dictionary<string, object?>(inputs, StringComparer.Ordinal);
        if (!kwargs.Remove(CompletionsKey, out var completions) || completions is null)
        {
            throw new ArgumentException("MultiChainComparison needs the attempts as the input 'completions'.", nameof(inputs));
        }

        var attempts = Rows(completions).Select(FormatAttempt).ToList();
        if (attempts.Count != M)
        {
            throw new ArgumentException(
                $"The number of attempts ({attempts.Count}) doesn't match the expected number M ({M}). "
                + "Please set the correct value for M when initializing MultiChainComparison.");
        }

        var callInputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < attempts.Count; i++) callInputs[$"reasoning_attempt_{(i + 1).ToString(CultureInfo.InvariantCulture)}"] = attempts[i];
        foreach (var (k, v) in kwargs) callInputs[k] = v;
        return Predict.CallAsync(callInputs, cancellationToken);
    }

    /// <summary>One attempt as DSPy renders it: <c>«I'm trying to {rationale line} I'm not sure but my prediction is {answer line}»</c>.</summary>
    private string FormatAttempt(IReadOnlyDictionary<string, object?> c)
    {
        // c.get("rationale", c.get("reasoning")): a present-but-None rationale stays None, which DSPy cannot strip.
        var rationaleValue = c.TryGetValue("rationale", out var r) ? r : c.GetValueOrDefault("reasoning");
        var rationale = rationaleValue switch
        {
            string s => FirstLine(s),
            null => throw new ArgumentException("Each completion needs a 'rationale' or 'reasoning' value."),
            var other => FirstLine(PythonRepr.Str(other)),
        };
        if (!c.TryGetValue(LastKey, out var answerValue)) throw new KeyNotFoundException($"A completion has no '{LastKey}'.");
        var answer = FirstLine(PythonRepr.Str(answerValue));
        return $"«I'm trying to {rationale} I'm not sure but my prediction is {answer}»";
    }

    // value.strip().split("\n")[0].strip()
    private static string FirstLine(string value)
    {
        var stripped = PythonText.Strip(value);
        var nl = stripped.IndexOf('\n', StringComparison.Ordinal);
        return PythonText.Strip(nl < 0 ? stripped : stripped[..nl]);
    }

    private static IEnumerable<IReadOnlyDictionary<string, object?>> Rows(object completions) => completions switch
    {
        Completions c => c.Rows,
        IEnumerable<IReadOnlyDictionary<string, object?>> rows => rows,
        IEnumerable items and not string => items.Cast<object?>().Select(item => item switch
        {
            IReadOnlyDictionary<string, object?> d => d,
            _ => StateDictionary.AsDictionary(item) ?? throw new ArgumentException("Each completion must be a prediction or a dictionary."),
        }),
        _ => throw new ArgumentException("'completions' must be a Completions object or a list of predictions."),
    };
}
