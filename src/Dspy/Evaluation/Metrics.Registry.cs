using System.Collections.Concurrent;

namespace Dspy;

public static partial class Metrics
{
    private static readonly ConcurrentDictionary<string, Metric> s_registry = CreateRegistry();

    private static ConcurrentDictionary<string, Metric> CreateRegistry()
    {
        var registry = new ConcurrentDictionary<string, Metric>(StringComparer.OrdinalIgnoreCase);
        var exact = Metric.Create("answer_exact_match", (e, p, t) => AnswerExactMatch(e, p, t));
        var passage = Metric.Create("answer_passage_match", (e, p, t) => AnswerPassageMatch(e, p, t));
        // Not a DSPy function: the best token F1 of pred.answer against example.answer, as a 0..1 score.
        var f1 = Metric.Create("answer_f1", (e, p, t) => AnswerF1(e, p));
        // Field-generic versions for any signature (the CLI's --metric exact_match on a `text -> label` task).
        var fieldsExact = Metric.Create("exact_match", (e, p, t) => FieldsExactMatch(e, p));
        var fieldsF1 = Metric.Create("f1", (e, p, t) => FieldsF1(e, p));
        // Exact match with a feedback text (GEPA's and SIMBA's metric with feedback).
        var fieldsExactFeedback = new Metric("exact_match_feedback", (e, p, t, _) => ValueTask.FromResult<object?>(FieldsExactMatchWithFeedback(e, p)));
        foreach (var (name, metric) in new[]
                 {
                     ("answer_exact_match", exact), ("exact_match", fieldsExact), ("em", fieldsExact),
                     ("answer_passage_match", passage), ("passage_match", passage),
                     ("answer_f1", f1), ("f1", fieldsF1),
                     ("exact_match_feedback", fieldsExactFeedback), ("em_feedback", fieldsExactFeedback),
                 })
        {
            registry[name] = metric;
        }
        return registry;
    }

    /// <summary>The built-in <c>answer_exact_match</c> metric.</summary>
    public static Metric ExactMatch => s_registry["answer_exact_match"];

    /// <summary>The built-in <c>answer_passage_match</c> metric.</summary>
    public static Metric PassageMatch => s_registry["answer_passage_match"];

    /// <summary>
    /// A metric by name, case-insensitive: DSPy's <c>answer_exact_match</c> and <c>answer_passage_match</c> (<c>passage_match</c>),
    /// <c>answer_f1</c>, the field-generic <c>exact_match</c> (<c>em</c>) and <c>f1</c> (see <see cref="FieldsExactMatch"/>),
    /// <c>exact_match_feedback</c> (<c>em_feedback</c>, see <see cref="FieldsExactMatchWithFeedback"/>),
    /// or any name added with <see cref="Register"/>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No metric has that name; the message lists the known names.</exception>
    public static Metric Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return s_registry.TryGetValue(name, out var metric)
            ? metric
            : throw new KeyNotFoundException($"Unknown metric '{name}'. Known metrics: {string.Join(", ", Names)}.");
    }

    /// <summary>Tries to find a metric by name.</summary>
    public static bool TryGet(string name, out Metric? metric) => s_registry.TryGetValue(name, out metric);

    /// <summary>Adds or replaces a named metric (e.g. a host's own metric for <c>--metric NAME</c>).</summary>
    public static void Register(string name, Metric metric)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(metric);
        s_registry[name] = metric;
    }

    /// <summary>All registered names, sorted.</summary>
    public static IReadOnlyList<string> Names => s_registry.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>The best token F1 of <c>pred.answer</c> against <c>example.answer</c> (a string or list of strings).</summary>
    public static double AnswerF1(Example example, Prediction prediction)
    {
        ArgumentNullException.ThrowIfNull(example);
        ArgumentNullException.ThrowIfNull(prediction);
        var predicted = prediction["answer"] as string
            ?? throw new ArgumentException($"pred.answer must be a string, not {PythonTypeName(prediction["answer"])}.");
        return F1(predicted, Answers(example));
    }
}
