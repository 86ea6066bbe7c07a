using System.Globalization;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace Dspy.Tests.Sim;

/// <summary>"Learning in context" on the bundled tasks: demos and rules must beat the zero-knowledge prompt.</summary>
public sealed class SimLearningTests(ITestOutputHelper output)
{
    private static readonly PField Text = new("text", "str");
    private static readonly PField Question = new("question", "str");
    private static readonly PField Answer = new("answer", "int");

    private static PField LabelField(IEnumerable<string> labels) =>
        new("label", "Literal[" + string.Join(", ", labels.Select(l => $"'{l}'")) + "]");

    private static List<(Dictionary<string, string> In, Dictionary<string, string> Out)> Nearest(
        SimSimilarity similarity, List<Dictionary<string, string>> train, string inKey, string outKey, string query, int k) =>
        train.Select((row, i) => (row, i, score: similarity.Score(row[inKey], query)))
            .OrderByDescending(x => x.score).ThenBy(x => x.i).Take(k)
            .Select(x => (new Dictionary<string, string> { [inKey] = x.row[inKey] }, new Dictionary<string, string> { [outKey] = x.row[outKey] }))
            .Reverse().ToList();

    private static double Accuracy(SimChatClient sim, List<Dictionary<string, string>> dev, PField input, PField outField, string inKey, string outKey,
        string instructions, Func<string, List<(Dictionary<string, string>, Dictionary<string, string>)>> demos)
    {
        var correct = 0;
        foreach (var row in dev)
        {
            var messages = DspyPrompts.Build(PFormat.Chat, [input], [outField], instructions, demos(row[inKey]), new() { [inKey] = row[inKey] });
            var parsed = DspyPrompts.ParseChat(sim.Complete(messages));
            if (parsed.TryGetValue(outKey, out var v) && v == row[outKey]) correct++;
        }
        return correct / (double)dev.Count;
    }

    [Fact]
    public void Intent_demos_and_rules_beat_zero_shot()
    {
        var train = SampleData.Load("intent", "train");
        var dev = SampleData.Load("intent", "dev");
        var label = LabelField(IntentSampleGenerator.Labels);
        var sim = new SimChatClient();
        var similarity = new SimSimilarity(train.Select(r => r["text"]));
        const string basic = "Classify the customer's message into its intent.";

        var zero = Accuracy(sim, dev, Text, label, "text", "label", basic, _ => []);
        var knn = Accuracy(sim, dev, Text, label, "text", "label", basic, q => Nearest(similarity, train, "text", "label", q, 8));
        var fixedDemos = train.Skip(300).Take(8).Select(r => (new Dictionary<string, string> { ["text"] = r["text"] }, new Dictionary<string, string> { ["label"] = r["label"] })).ToList();
        var random8 = Accuracy(sim, dev, Text, label, "text", "label", basic, _ => fixedDemos);
        var shippedDemos = SampleData.Load("intent", "demos").Select(r => (new Dictionary<string, string> { ["text"] = r["text"] }, new Dictionary<string, string> { ["label"] = r["label"] })).ToList();
        var shipped = Accuracy(sim, dev, Text, label, "text", "label", basic, _ => shippedDemos);
        var cases = train.Take(300).Select(r => new SimProposer.Case(r["text"], r["label"])).ToList();
        var ruled = SimProposer.Induce(basic, cases, "text", "label", new SimRandom(1), 0);
        var rules = Accuracy(sim, dev, Text, label, "text", "label", ruled, _ => []);
        var both = Accuracy(sim, dev, Text, label, "text", "label", ruled, q => Nearest(similarity, train, "text", "label", q, 8));
        output.WriteLine($"intent dev ({dev.Count}) on sim: no demos {zero:P1}, demos.jsonl {shipped:P1}, 8 fixed random demos {random8:P1}, 8 nearest demos {knn:P1}, induced rules ({ruled.Split('\n').Length} lines) {rules:P1}, rules + 8 demos {both:P1}");

        Assert.InRange(zero, 0.15, 0.45); // modest, but clearly above chance (1/24)
        Assert.True(shipped >= zero + 0.12, $"demos.jsonl {shipped} vs none {zero}");
        Assert.True(random8 >= zero + 0.05, $"8 fixed demos {random8} vs none {zero}");
        Assert.True(knn >= 0.8 && knn >= zero + 0.4, $"8 nearest demos {knn} vs none {zero}");
        Assert.True(rules >= 0.8 && rules >= zero + 0.4, $"rules {rules} vs none {zero}");
    }

    [Fact]
    public void Intent_with_a_str_label_learns_the_label_style_from_demos()
    {
        var dev = SampleData.Load("intent", "dev");
        var free = new PField("label", "str");
        var sim = new SimChatClient();
        var shippedDemos = SampleData.Load("intent", "demos").Select(r => (new Dictionary<string, string> { ["text"] = r["text"] }, new Dictionary<string, string> { ["label"] = r["label"] })).ToList();
        const string basic = "Classify the customer's message into its intent.";

        var zero = Accuracy(sim, dev, Text, free, "text", "label", basic, _ => []);
        var shipped = Accuracy(sim, dev, Text, free, "text", "label", basic, _ => shippedDemos);
        output.WriteLine($"intent dev ({dev.Count}) with `text -> label` (str) on sim: no demos {zero:P1}, demos.jsonl {shipped:P1}");

        Assert.True(zero < 0.05, $"without demos the sim restates the text ({zero})");
        Assert.True(shipped >= zero + 0.2, $"demos.jsonl {shipped} vs none {zero}");
    }

    [Fact]
    public void Arithmetic_demo_of_the_same_template_beats_zero_shot()
    {
        var train = SampleData.Load("arithmetic", "train");
        var dev = SampleData.Load("arithmetic", "dev");
        var sim = new SimChatClient();
        var similarity = new SimSimilarity(train.Select(r => r["question"]));
        const string basic = "Solve the word problem.";

        var zero = Accuracy(sim, dev, Question, Answer, "question", "answer", basic, _ => []);
        var one = Accuracy(sim, dev, Question, Answer, "question", "answer", basic, q => Nearest(similarity, train, "question", "answer", q, 1));
        var three = Accuracy(sim, dev, Question, Answer, "question", "answer", basic, q => Nearest(similarity, train, "question", "answer", q, 3));
        var shippedDemos = SampleData.Load("arithmetic", "demos").Select(r => (new Dictionary<string, string> { ["question"] = r["question"] }, new Dictionary<string, string> { ["answer"] = r["answer"] })).ToList();
        var shipped = Accuracy(sim, dev, Question, Answer, "question", "answer", basic, _ => shippedDemos);
        var cases = train.Take(100).Select(r => new SimProposer.Case(r["question"], r["answer"])).ToList();
        var ruled = SimProposer.Induce(basic, cases, "question", "answer", new SimRandom(1), 0);
        var rules = Accuracy(sim, dev, Question, Answer, "question", "answer", ruled, _ => []);
        output.WriteLine($"arithmetic dev ({dev.Count}) on sim: no demos {zero:P1}, demos.jsonl (one per template) {shipped:P1}, 1 nearest demo {one:P1}, 3 nearest demos {three:P1}, induced rules ({ruled.Split('\n').Length} lines) {rules:P1}");
        output.WriteLine(ruled);

        Assert.True(zero > 0.05, $"zero-shot {zero} should not be zero");
        Assert.True(one >= zero + 0.4, $"1 demo {one} vs none {zero}");
        Assert.True(shipped >= zero + 0.5, $"demos.jsonl {shipped} vs none {zero}");
        Assert.True(rules >= zero + 0.3, $"rules {rules} vs none {zero}");
    }
    [Fact]
    public void Gepa_style_reflection_loop_improves_intent_accuracy()
    {
        var train = SampleData.Load("intent", "train");
        var dev = SampleData.Load("intent", "dev").Take(200).ToList();
        var label = LabelField(IntentSampleGenerator.Labels);
        var sim = new SimChatClient();
        var instruction = "Classify the customer's message into its intent.";
        string Predict(string instr, string text) =>
            DspyPrompts.ParseChat(sim.Complete(DspyPrompts.Build(PFormat.Chat, [Text], [label], instr, [], new() { ["text"] = text }))).GetValueOrDefault("label", "");

        var before = Accuracy(sim, dev, Text, label, "text", "label", instruction, _ => []);
        var accepted = 0;
        for (var iteration = 0; iteration < 40; iteration++)
        {
            var batch = train.Skip(iteration * 3).Take(3).ToList();
            var outputs = batch.Select(r => Predict(instruction, r["text"])).ToList();
            var score = batch.Zip(outputs).Count(p => p.First["label"] == p.Second);
            if (score == batch.Count) continue;
            var records = string.Concat(batch.Select((r, i) =>
                $"# Example {i + 1}\n## Inputs\n### text\n{r["text"]}\n\n## Generated Outputs\n### label\n{outputs[i]}\n\n## Feedback\n"
                + (outputs[i] == r["label"] ? "Correct." : $"Incorrect. The correct label is {r["label"]}.") + "\n\n"));
            var prompt = "I provided an assistant with the following instructions to perform a task for me:\n```\n" + instruction + "\n```\n\n"
                + "The following are examples of different task inputs provided to the assistant along with the assistant's response for each of them, and some feedback on how the assistant's response could be better:\n```\n"
                + records + "\n```\n\nYour task is to write a new instruction for the assistant.\n\nProvide the new instructions within ``` blocks.";
            var reply = sim.Complete([new ChatMessage(ChatRole.User, prompt)]);
            var candidate = reply[(reply.IndexOf("```", StringComparison.Ordinal) + 3)..reply.LastIndexOf("```", StringComparison.Ordinal)].Trim('\n');
            var newScore = batch.Count(r => Predict(candidate, r["text"]) == r["label"]);
            if (newScore > score)
            {
                instruction = candidate;
                accepted++;
            }
        }
        var after = Accuracy(sim, dev, Text, label, "text", "label", instruction, _ => []);
        output.WriteLine($"GEPA-style loop on sim (40 iterations of 3 examples, {accepted} accepted): dev accuracy {before:P1} -> {after:P1}");
        Assert.True(after >= before + 0.25, $"reflection loop {before} -> {after}");
    }
}
