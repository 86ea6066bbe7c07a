using System.Globalization;

namespace Dspy;

/// <summary>
/// An evaluation metric, DSPy's <c>metric(example, pred, trace=None)</c>: scores a prediction against its example.
/// The raw result may be a bool (1 or 0), a number, or a <see cref="Prediction"/> with a <c>score</c> field (as
/// <c>SemanticF1</c> returns); <see cref="ToScore"/> turns it into a double. A non-null <c>trace</c> means the metric is
/// used for bootstrapping and should return a bool-like value, as in DSPy. <see cref="Name"/> names the metric column
/// of evaluation tables and exports (DSPy uses the function's <c>__name__</c>).
/// Create metrics with the <c>Create</c>/<c>CreateAsync</c> factories or subclass and override <see cref="InvokeAsync"/>.
/// </summary>
public class Metric
{
    private readonly Func<Example, Prediction, object?, CancellationToken, ValueTask<object?>>? _function;

    /// <summary>Creates a metric from an async function returning the raw value.</summary>
    public Metric(string name, Func<Example, Prediction, object?, CancellationToken, ValueTask<object?>> function)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(function);
        Name = name;
        _function = function;
    }

    /// <summary>For subclasses that override <see cref="InvokeAsync"/>.</summary>
    protected Metric(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The metric's name, e.g. <c>answer_exact_match</c>.</summary>
    public string Name { get; }

    /// <summary>Runs the metric and returns its raw value (bool, number or scored prediction).</summary>
    public virtual ValueTask<object?> InvokeAsync(Example example, Prediction prediction, object? trace = null, CancellationToken cancellationToken = default) =>
        _function is null
            ? throw new NotImplementedException($"{GetType().Name} must override InvokeAsync.")
            : _function(example, prediction, trace, cancellationToken);

    /// <summary>Runs the metric and converts its value with <see cref="ToScore"/>.</summary>
    public async ValueTask<double> ScoreAsync(Example example, Prediction prediction, object? trace = null, CancellationToken cancellationToken = default) =>
        ToScore(await InvokeAsync(example, prediction, trace, cancellationToken));

    /// <summary>Python's <c>sum</c> view of a metric value: True is 1, False 0, numbers as they are, a prediction by its score.</summary>
    /// <exception cref="InvalidOperationException">The value is null or not numeric.</exception>
    public static double ToScore(object? value) => value switch
    {
        bool b => b ? 1.0 : 0.0,
        double d => d,
        Prediction p => p.Score,
        IConvertible c and not string => c.ToDouble(CultureInfo.InvariantCulture),
        null => throw new InvalidOperationException("The metric returned None; it must return a bool or a number."),
        _ => throw new InvalidOperationException($"The metric returned {PythonRepr.Repr(value)}; it must return a bool or a number."),
    };

    /// <summary>A metric from a function of (example, prediction, trace) returning a score.</summary>
    public static Metric Create(string name, Func<Example, Prediction, object?, double> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new Metric(name, (e, p, t, _) => ValueTask.FromResult<object?>(function(e, p, t)));
    }

    /// <summary>A metric from a function of (example, prediction, trace) returning pass/fail.</summary>
    public static Metric Create(string name, Func<Example, Prediction, object?, bool> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new Metric(name, (e, p, t, _) => ValueTask.FromResult<object?>(function(e, p, t)));
    }

    /// <summary>A metric from a function of (example, prediction) returning a score; the trace is ignored.</summary>
    public static Metric Create(string name, Func<Example, Prediction, double> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new Metric(name, (e, p, _, _) => ValueTask.FromResult<object?>(function(e, p)));
    }

    /// <summary>A metric from a function of (example, prediction) returning pass/fail; the trace is ignored.</summary>
    public static Metric Create(string name, Func<Example, Prediction, bool> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new Metric(name, (e, p, _, _) => ValueTask.FromResult<object?>(function(e, p)));
    }

    /// <summary>An async metric returning a score.</summary>
    public static Metric CreateAsync(string name, Func<Example, Prediction, object?, CancellationToken, Task<double>> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new Metric(name, async (e, p, t, ct) => await function(e, p, t, ct));
    }

    /// <summary>An async metric returning pass/fail.</summary>
    public static Metric CreateAsync(string name, Func<Example, Prediction, object?, CancellationToken, Task<bool>> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new Metric(name, async (e, p, t, ct) => await function(e, p, t, ct));
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
