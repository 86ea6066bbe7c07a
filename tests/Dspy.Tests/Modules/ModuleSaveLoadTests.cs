using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public sealed class ModuleSaveLoadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dspy-save-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Save_writes_dspy_state_shape_indented_by_two_spaces()
    {
        var program = new Outer();
        program.Final.Demos.Add(new Example(new Dictionary<string, object?> { ["question"] = "Q?", ["answer"] = "Ä" }));
        program.Hop.Predict1.Signature = program.Hop.Predict1.Signature.WithInstructions("Hop.");
        var path = PathOf("program.json");

        program.Save(path);

        var text = File.ReadAllText(path);
        var expectedStart = """
            {
              "final": {
                "traces": [],
                "train": [],
                "demos": [
                  {
                    "question": "Q?",
                    "answer": "Ä"
                  }
                ],
                "signature": {
                  "instructions": "Given the fields `question`, produce the fields `answer`.",
                  "fields": [
                    {
                      "prefix": "Question:",
                      "description": "${question}"
                    },
                    {
                      "prefix": "Answer:",
                      "description": "${answer}"
                    }
                  ]
                },
                "lm": null
              },
              "hop.predict1": {
            """;
        Assert.StartsWith(expectedStart.ReplaceLineEndings("\n"), text);
        Assert.Contains("\"instructions\": \"Hop.\"", text);
        Assert.Contains("""
              "metadata": {
                "dependency_versions": {
                  "dspy": "3.3.1"
                },
                "runtime": {
                  "dotnet": "
            """.ReplaceLineEndings("\n"), text);
        Assert.EndsWith("}\n", text);
    }

    [Fact]
    public void Save_then_load_round_trips_into_a_fresh_program()
    {
        var program = new Outer();
        program.Final.Demos.Add(new Example(new Dictionary<string, object?> { ["question"] = "Q?", ["answer"] = "A", ["n"] = 2L, ["ok"] = true }));
        program.Final.Signature = program.Final.Signature.WithInstructions("Be brief.").WithUpdatedField("answer", f => f with { Prefix = "Final Answer:" });
        var path = PathOf("p.json");
        program.Save(path);

        var loaded = new Outer();
        loaded.Load(path);

        Assert.Equal("Be brief.", loaded.Final.Signature.Instructions);
        Assert.Equal("Final Answer:", loaded.Final.Signature["answer"]!.Prefix);
        var demo = Assert.Single(loaded.Final.Demos);
        Assert.Equal(new Dictionary<string, object?> { ["question"] = "Q?", ["answer"] = "A", ["n"] = 2L, ["ok"] = true }, demo.ToDictionary());
        Assert.Equal(program.DumpState().Count, loaded.DumpState().Count);
        Assert.Equal(PythonJson.Dumps(program.DumpState()), PythonJson.Dumps(loaded.DumpState()));
    }

    [Fact]
    public void Bare_predict_saves_its_own_flat_state()
    {
        var path = PathOf("predict.json");
        new Predict(TestSignatures.QA()).Save(path);
        var state = (Dictionary<string, object?>)ValueModel.ParseJson(File.ReadAllText(path))!;
        Assert.Equal(["traces", "train", "demos", "signature", "lm", "metadata"], state.Keys.ToArray());

        var other = new Predict(TestSignatures.QA().WithInstructions("x"));
        other.Load(path);
        Assert.Equal("Given the fields `question`, produce the fields `answer`.", other.Signature.Instructions);
    }

    [Fact]
    public void Save_and_load_reject_other_suffixes()
    {
        var program = new Outer();
        Assert.Throws<ArgumentException>(() => program.Save(PathOf("p.pkl")));
        Assert.Throws<ArgumentException>(() => program.Save(PathOf("p")));
        Assert.Throws<ArgumentException>(() => program.Load(PathOf("p.txt")));
    }

    [Fact]
    public void Load_is_transactional_when_a_predictor_is_missing()
    {
        var program = new Outer();
        var state = program.DumpState();
        ((Dictionary<string, object?>)((Dictionary<string, object?>)state["final"]!)["signature"]!)["instructions"] = "Changed.";
        state.Remove("hop.predict1");
        var before = program.Final.Signature;

        var ex = Assert.Throws<KeyNotFoundException>(() => program.LoadState(state));

        Assert.Contains("hop.predict1", ex.Message);
        Assert.Same(before, program.Final.Signature);
    }

    [Fact]
    public void Load_accepts_a_file_saved_by_python_dspy()
    {
        var path = PathOf("python.json");
        File.WriteAllText(path, """
            {
              "self": {
                "traces": [],
                "train": [],
                "demos": [{"augmented": true, "question": "2+2?", "answer": "4"}],
                "signature": {"instructions": "Do math.", "fields": [{"prefix": "Question:", "description": "${question}"}, {"prefix": "Answer:", "description": "a number"}]},
                "lm": null
              },
              "metadata": {"dependency_versions": {"python": "3.12", "dspy": "3.3.1", "cloudpickle": "3.1"}}
            }
            """);
        var cot = new ChainOfThought(TestSignatures.QA());
        // The file's key is "self" (a bare Predict); a ChainOfThought needs "predict".
        Assert.Throws<KeyNotFoundException>(() => cot.Load(path));

        var text = File.ReadAllText(path).Replace("\"self\"", "\"predict\"", StringComparison.Ordinal);
        File.WriteAllText(path, text);
        cot.Load(path);
        Assert.Equal("Do math.", cot.Predict.Signature.Instructions);
        // Fields are matched by position (question, reasoning, answer): the second saved entry went to `reasoning`.
        Assert.Equal("Answer:", cot.Predict.Signature["reasoning"]!.Prefix);
        Assert.Equal("a number", cot.Predict.Signature["reasoning"]!.Description);
        Assert.Equal("${answer}", cot.Predict.Signature["answer"]!.Description);
        Assert.True((bool)cot.Predict.Demos[0]["augmented"]!);
    }

    [Fact]
    public void Loading_an_lm_state_uses_the_loader_and_drops_unsafe_keys()
    {
        IReadOnlyDictionary<string, object?>? seen = null;
        var previous = LmState.Loader;
        LmState.Loader = s =>
        {
            seen = s;
            return new ScriptedLM(model: (string)s["model"]!);
        };
        try
        {
            var predict = new Predict(TestSignatures.QA());
            var state = predict.DumpState();
            state["lm"] = new Dictionary<string, object?> { ["model"] = "openai/gpt-4o-mini", ["api_base"] = "http://evil", ["temperature"] = 0.0 };

            predict.LoadState(state);

            Assert.Equal("openai/gpt-4o-mini", predict.Lm!.Model);
            Assert.False(seen!.ContainsKey("api_base"));
            Assert.True(seen.ContainsKey("temperature"));
            predict.LoadState(state, allowUnsafeLmState: true);
            Assert.True(seen.ContainsKey("api_base"));
        }
        finally
        {
            LmState.Loader = previous;
        }
    }

    [Fact]
    public void Dumping_an_lm_without_its_own_state_method_uses_model_and_kwargs()
    {
        var lm = new ScriptedLM(model: "sim/x", kwargs: new Dictionary<string, object?> { ["temperature"] = 0.5, ["api_key"] = "secret" });
        var state = LmState.Dump(lm);
        Assert.Equal("""{"model": "sim/x", "model_type": "chat", "temperature": 0.5}""", PythonJson.Dumps(state));
    }
}
