using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

/// <summary>A two-step program: retrieve-like first predictor, then a chain of thought.</summary>
internal sealed class Inner : Module
{
    public Predict Predict1 { get; } = new(TestSignatures.QA());

    protected override Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken) =>
        Predict1.CallAsync(inputs, cancellationToken);
}

internal sealed class Outer : Module
{
    private readonly Predict _final = new(TestSignatures.QA());

    public Inner Hop { get; } = new();

    public Predict Final => _final;

    protected override async Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken)
    {
        var first = await Hop.CallAsync(inputs, cancellationToken);
        return await _final.CallAsync(("question", first["answer"]));
    }
}

/// <summary>Predictors in a chain of thought, a list and a dictionary, one of them shared between list and dictionary.</summary>
internal sealed class Collections : Module
{
    public Collections(Predict shared)
    {
        Layers = [new Predict(TestSignatures.QA()), shared];
        ByName = new() { ["x"] = new Predict(TestSignatures.QA()), ["dup"] = shared };
    }

    public ChainOfThought Cot { get; } = new(TestSignatures.QA());

    public List<Predict> Layers { get; }

    public Dictionary<string, Predict> ByName { get; }

    [DspyIgnore]
    public Predict Hidden { get; } = new(TestSignatures.QA());

    [DspyName("renamed")]
    public Predict Custom { get; } = new(TestSignatures.QA());

    protected override Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken) =>
        Cot.CallAsync(inputs, cancellationToken);
}

/// <summary>A module that fails on demand.</summary>
internal sealed class Failing(string message) : Module
{
    protected override Task<Prediction> ForwardAsync(IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(message);
}
