namespace Dspy;

/// <summary>
/// Generates the bundled arithmetic word problems: ten templates (sums, differences, products, "each ... in total",
/// sharing, and multi-step), each with two or three wordings, integer answers. Numbers appear in the order the
/// solution uses them. Deterministic for a seed.
/// </summary>
internal static class ArithmeticSampleGenerator
{
    private sealed record Template(string Name, string[] Wordings, Func<SimRandom, int[]> Numbers, Func<int[], int> Answer);

    private static readonly string[] Names = ["Ava", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jamal", "Kenji", "Lena"];
    private static readonly string[] Things = ["apples", "pencils", "stickers", "marbles", "cookies", "stamps", "shells", "cards", "beads", "books"];

    private static readonly Template[] Templates =
    [
        new("add", [
            "{name} has {a} {things}. {name} buys {b} more. How many {things} does {name} have now?",
            "{name} collected {a} {things} on Monday and {b} more on Tuesday. How many {things} does {name} have now?",
        ], r => [r.Next(3, 90), r.Next(2, 60)], n => n[0] + n[1]),
        new("subtract", [
            "{name} had {a} {things} and gave {b} of them to {name2}. How many {things} are left?",
            "There were {a} {things} in a jar. {name} gave {b} of them away. How many {things} are left in the jar?",
        ], r => { var a = r.Next(20, 99); return [a, r.Next(2, a - 1)]; }, n => n[0] - n[1]),
        new("each", [
            "There are {a} boxes and each box holds {b} {things}. How many {things} are there in total?",
            "{name} fills {a} bags with {b} {things} in each bag. How many {things} are there in total?",
            "A shelf has {a} rows with {b} {things} in each row. How many {things} are on the shelf in total?",
        ], r => [r.Next(2, 15), r.Next(2, 15)], n => n[0] * n[1]),
        new("packs_minus", [
            "{name} buys {a} packs of {b} {things} and gives away {c} {things}. How many {things} does {name} keep?",
            "{name} opens {a} packs of {b} {things} and loses {c} of them. How many {things} does {name} keep?",
        ], r => { var a = r.Next(2, 9); var b = r.Next(3, 12); return [a, b, r.Next(1, a * b - 1)]; }, n => n[0] * n[1] - n[2]),
        new("share", [
            "{a} {things} are shared equally among {b} friends. How many {things} does each friend get?",
            "{name} splits {a} {things} equally between {b} children. How many {things} does each child get?",
        ], r => { var b = r.Next(2, 9); return [b * r.Next(2, 15), b]; }, n => n[0] / n[1]),
        new("cost", [
            "A notebook costs {a} dollars. How many dollars do {b} notebooks and a {c}-dollar backpack cost together?",
            "One ticket costs {a} dollars. {name} buys {b} tickets and pays a {c}-dollar booking fee. How many dollars does {name} pay altogether?",
        ], r => [r.Next(2, 20), r.Next(2, 9), r.Next(3, 40)], n => n[0] * n[1] + n[2]),
        new("three_kinds", [
            "A farm has {a} cows, {b} pigs and {c} sheep. How many animals live on the farm?",
            "A zoo has {a} lions, {b} zebras and {c} giraffes. How many animals live in the zoo?",
        ], r => [r.Next(2, 40), r.Next(2, 40), r.Next(2, 40)], n => n[0] + n[1] + n[2]),
        new("spend_earn", [
            "{name} had {a} dollars, spent {b} dollars on lunch and then earned {c} dollars. How many dollars does {name} have at the end?",
            "{name} started the day with {a} dollars, spent {b} dollars at the market and then earned {c} dollars babysitting. How many dollars does {name} have at the end?",
        ], r => { var a = r.Next(20, 99); return [a, r.Next(1, a - 1), r.Next(5, 60)]; }, n => n[0] - n[1] + n[2]),
        new("daily_pages", [
            "{name} reads {a} pages in the morning and {b} pages in the evening every day. How many pages does {name} read in {c} days?",
            "{name} runs {a} laps before school and {b} laps after school every day. How many laps does {name} run in {c} days?",
        ], r => [r.Next(2, 20), r.Next(2, 20), r.Next(2, 9)], n => (n[0] + n[1]) * n[2]),
        new("older", [
            "{name} is {a} years old and {name2} is {b} years old. How many years older is {name} than {name2}?",
            "A tree is {a} meters tall and a fence is {b} meters tall. How many meters taller is the tree than the fence?",
        ], r => { var a = r.Next(20, 80); return [a, r.Next(2, a - 1)]; }, n => n[0] - n[1]),
    ];

    /// <summary>The template names, in a fixed order.</summary>
    public static IReadOnlyList<string> TemplateNames { get; } = Templates.Select(t => t.Name).ToArray();

    /// <summary>Generates <paramref name="perTemplate"/> problems per template, shuffled.</summary>
    public static List<(string Question, long Answer, string Template)> Generate(int seed, int perTemplate)
    {
        var rng = new SimRandom((ulong)seed);
        var rows = new List<(string, long, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in Templates)
        {
            var made = 0;
            for (var attempt = 0; made < perTemplate && attempt < perTemplate * 50; attempt++)
            {
                var n = t.Numbers(rng);
                var name = rng.Pick(Names);
                var name2 = rng.Pick(Names.Where(x => x != name).ToList());
                var q = rng.Pick(t.Wordings)
                    .Replace("{name2}", name2, StringComparison.Ordinal).Replace("{name}", name, StringComparison.Ordinal)
                    .Replace("{things}", rng.Pick(Things), StringComparison.Ordinal)
                    .Replace("{a}", n[0].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("{b}", n[1].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
                if (n.Length > 2) q = q.Replace("{c}", n[2].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
                if (!seen.Add(q)) continue;
                rows.Add((q, t.Answer(n), t.Name));
                made++;
            }
        }
        rng.Shuffle(rows);
        return rows;
    }
}
