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

    /// <summary>
    /// DSPy's <c>dump_state()</c>: <c>{"traces": [], "train": [], "demos": [...], "signature": {"instructions", "fields"},
    /// "lm": null | {...}}</c> in the value model.
    /// </summary>
    Dictionary<string, object?> DumpState();

    /// <summary>
    /// DSPy's <c>load_state(state)</c>. <c>signature</c> and <c>lm</c> are required keys. Unless
    /// <paramref name="allowUnsafeLmState"/>, the LM keys <c>api_base</c>, <c>base_url</c> and <c>model_list</c> are dropped.
    /// </summary>
    /// <exception cref="KeyNotFoundException">A required key is missing.</exception>
    void LoadState(IReadOnlyDictionary<string, object?> state, bool allowUnsafeLmState = false);
}
