namespace Dspy;

/// <summary>
/// The simulator's notion of "similar": cosine similarity of TF-IDF vectors over unigrams (without stop words) and
/// bigrams (all tokens, numbers folded to <c>#</c>), with inverse document frequencies from a small corpus (the demos
/// of one prompt plus its current input). Bigrams weigh 1.5x so that shared phrases count more than shared words.
/// </summary>
internal sealed class SimSimilarity
{
    private const double BigramWeight = 1.5;
    private readonly Dictionary<string, int> _df = new(StringComparer.Ordinal);
    private readonly int _docs;

    /// <summary>Builds document frequencies over <paramref name="corpus"/>.</summary>
    public SimSimilarity(IEnumerable<string> corpus)
    {
        foreach (var doc in corpus)
        {
            _docs++;
            foreach (var f in Features(doc).Keys) _df[f] = _df.GetValueOrDefault(f) + 1;
        }
    }

    /// <summary>Feature counts of a text: unigrams and <c>a_b</c> bigrams.</summary>
    public static Dictionary<string, double> Features(string text)
    {
        var tokens = SimText.Tokens(text);
        var features = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in tokens)
        {
            if (SimText.StopWords.Contains(t) || t == "#") continue;
            features[t] = features.GetValueOrDefault(t) + 1;
        }
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if (SimText.StopWords.Contains(tokens[i]) && SimText.StopWords.Contains(tokens[i + 1])) continue;
            var key = tokens[i] + "_" + tokens[i + 1];
            features[key] = features.GetValueOrDefault(key) + BigramWeight;
        }
        return features;
    }

    private Dictionary<string, double> Vector(string text)
    {
        var v = Features(text);
        foreach (var k in v.Keys.ToList())
        {
            v[k] *= Math.Log((_docs + 1.0) / (_df.GetValueOrDefault(k) + 1.0)) + 1.0;
        }
        return v;
    }

    /// <summary>Cosine similarity in [0, 1].</summary>
    public double Score(string a, string b)
    {
        var va = Vector(a);
        var vb = Vector(b);
        double dot = 0, na = 0, nb = 0;
        foreach (var (k, x) in va)
        {
            na += x * x;
            if (vb.TryGetValue(k, out var y)) dot += x * y;
        }
        foreach (var y in vb.Values) nb += y * y;
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
