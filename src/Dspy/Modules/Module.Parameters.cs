using System.Collections;
using System.Globalization;

namespace Dspy;

public abstract partial class Module
{
    /// <summary>
    /// DSPy's <c>named_parameters()</c>: every predictor reachable from this module's fields and properties, with its path
    /// (<c>qa</c>, <c>hop.predict1</c>, <c>cot.predict</c>, <c>layers[0]</c>, <c>by_name['x']</c>; a bare predictor is
    /// <c>self</c>). Compiled sub-modules are skipped; each predictor appears once.
    /// </summary>
    public IReadOnlyList<(string Name, IPredictor Predictor)> NamedParameters() =>
        ParameterWalker.Walk(this).Select(s => (s.Name, s.Predictor)).ToList();

    /// <summary>The parameters without their names.</summary>
    public IReadOnlyList<IPredictor> Parameters() => ParameterWalker.Walk(this).Select(s => s.Predictor).ToList();

    /// <summary>DSPy's <c>named_predictors()</c>: the named parameters that are <see cref="Predict"/> modules.</summary>
    public IReadOnlyList<(string Name, Predict Predictor)> NamedPredictors() =>
        ParameterWalker.Walk(this).Where(s => s.Predictor is Predict).Select(s => (s.Name, (Predict)s.Predictor)).ToList();

    /// <summary>DSPy's <c>predictors()</c>.</summary>
    public IReadOnlyList<Predict> Predictors() => NamedPredictors().Select(p => p.Predictor).ToList();

    /// <summary>
    /// DSPy's <c>named_sub_modules(type_, skip_compiled)</c>: a breadth-first walk from <c>self</c> over module attributes,
    /// list items (<c>name[0]</c>) and dictionary values (<c>name[key]</c>), yielding the objects of
    /// <paramref name="type"/> (default <see cref="Module"/>), each once. With <paramref name="skipCompiled"/> the inside of
    /// compiled modules is not visited.
    /// </summary>
    public IEnumerable<(string Name, object Module)> NamedSubModules(Type? type = null, bool skipCompiled = false)
    {
        type ??= typeof(Module);
        var queue = new Queue<(string, object)>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance) { this };
        queue.Enqueue(("self", this));

        while (queue.Count > 0)
        {
            var (name, item) = queue.Dequeue();
            if (type.IsInstanceOfType(item)) yield return (name, item);

            switch (item)
            {
                case Module m:
                    if (skipCompiled && m.Compiled) continue;
                    foreach (var (sub, value, _) in ModuleMembers.Values(m)) Enqueue($"{name}.{sub}", value);
                    break;
                case IList list:
                    for (var i = 0; i < list.Count; i++) Enqueue($"{name}[{i.ToString(CultureInfo.InvariantCulture)}]", list[i]);
                    break;
                case IDictionary dict:
                    foreach (DictionaryEntry e in dict) Enqueue($"{name}[{Convert.ToString(e.Key, CultureInfo.InvariantCulture)}]", e.Value);
                    break;
            }
        }

        void Enqueue(string name, object? value)
        {
            if (value is null or string || value.GetType().IsValueType) return;
            if (seen.Add(value)) queue.Enqueue((name, value));
        }
    }

    /// <summary>DSPy's <c>set_lm(lm)</c>: gives every predictor this LM.</summary>
    public void SetLm(BaseLM? lm)
    {
        foreach (var p in Parameters()) p.Lm = lm;
    }

    /// <summary>DSPy's <c>get_lm()</c>: the one LM all predictors use (possibly null, meaning the configured one).</summary>
    /// <exception cref="InvalidOperationException">The predictors use different LMs, or there are no predictors.</exception>
    public BaseLM? GetLm()
    {
        var lms = Parameters().Select(p => p.Lm).ToList();
        var distinct = lms.Distinct(ReferenceEqualityComparer.Instance).ToList();
        if (distinct.Count == 1) return lms[0];
        throw new InvalidOperationException("Multiple LMs are being used in the module. There's no unique LM to return.");
    }

    /// <summary>
    /// DSPy's <c>map_named_predictors(func)</c>: replaces every named predictor with <c>func(predictor)</c> where it is
    /// stored (field, list slot or dictionary entry). For a bare <see cref="Predict"/> (<c>self</c>) the result's state is
    /// copied into this predictor. Returns this module.
    /// </summary>
    public Module MapNamedPredictors(Func<Predict, Predict> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        foreach (var slot in ParameterWalker.Walk(this))
        {
            if (slot.Predictor is not Predict p) continue;
            var mapped = func(p) ?? throw new InvalidOperationException($"The mapping returned null for '{slot.Name}'.");
            if (ReferenceEquals(mapped, p)) continue;
            if (slot.Name == "self" && ReferenceEquals(p, this)) p.CopyStateFrom(mapped);
            else slot.Replace(mapped);
        }
        return this;
    }
}
