namespace Dspy;

/// <summary>
/// A learnable LM-calling parameter of a program (DSPy's <c>Parameter</c>, in practice <c>Predict</c>): its signature,
/// demos and LM are what optimizers change.
/// </summary>
public interface IPredictor
{
    /// <summary>The predictor's signature; optimizers replace it to change instructions.</summary>
    Signature Signature { get; set; }

    /// <summary>Few-shot demos, rendered before the current input.</summary>
    List<Example> Demos { get; set; }

    /// <summary>The predictor's own LM, or null to use the configured one.</summary>
    BaseLM? Lm { get; set; }

    /// <summary>Clears learned state: LM, demos, traces (DSPy's <c>reset()</c>).</summary>
    void Reset();
}
