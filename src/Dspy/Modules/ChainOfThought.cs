namespace Dspy;

/// <summary>
/// DSPy's <c>dspy.ChainOfThought</c>: a <see cref="Predict"/> over the signature with an output field <c>reasoning</c>
/// prepended (description <c>${reasoning}</c>, prefix <c>Reasoning:</c>), so the LM reasons before answering. The inner
/// predictor is the property <see cref="Predict"/>, whose path is <c>predict</c> (<c>cot.predict</c> inside a program).
/// </summary>
public class ChainOfThought : Module
{
    /// <summary>The name of the prepended field.</summary>
    public const string ReasoningField = "reasoning";

    /// <summary>
    /// Creates the module. <paramref name="rationaleField"/> replaces the default reasoning field (it is always named
    /// <c>reasoning</c>, as in DSPy); <paramref name="rationaleFieldType"/> sets its type when no field is given (default
    /// <c>str</c>). <paramref name="config"/> goes to the inner <see cref="Predict"/>.
    /// </summary>
    public ChainOfThought(Signature signature, Field? rationaleField = null, TypeSpec? rationaleFieldType = null,
        IReadOnlyDictionary<string, object?>? config = null, IEnumerable<IDspyCallback>? callbacks = null)
        : base(callbacks)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var field = rationaleField is null
            ? Field.Output(ReasoningField, rationaleFieldType ?? TypeSpec.Str, description: Field.DefaultDescription(ReasoningField))
            : AsReasoningField(rationaleField);
        Predict = new Predict(signature.Prepend(field), config);
    }

    /// <summary>The inner predictor over the extended signature.</summary>
    public Predict Predict { get; private set; }

    /// <inheritdoc/>
    protected override Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken) =>
        Predict.CallAsync(inputs, cancellationToken);

    // DSPy names the custom field "reasoning" whatever it was; defaults derived from another name are re-derived.
    private static Field AsReasoningField(Field f)
    {
        if (f.Name == ReasoningField && f.IsOutput) return f;
        return f with
        {
            Name = ReasoningField,
            Kind = FieldKind.Output,
            Prefix = f.Prefix == SignatureNaming.InferPrefix(f.Name) + ":" ? SignatureNaming.InferPrefix(ReasoningField) + ":" : f.Prefix,
            Description = f.HasDefaultDescription ? Field.DefaultDescription(ReasoningField) : f.Description,
        };
    }
}
