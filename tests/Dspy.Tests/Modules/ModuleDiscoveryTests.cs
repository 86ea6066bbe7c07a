using Dspy.Tests.TestDoubles;

namespace Dspy.Tests.Modules;

public class ModuleDiscoveryTests
{
    [Fact]
    public void Nested_module_paths_are_dotted()
    {
        var program = new Outer();
        var names = program.NamedPredictors().Select(p => p.Name).ToArray();
        Assert.Equal(["final", "hop.predict1"], names);
        Assert.Same(program.Hop.Predict1, program.NamedPredictors()[1].Predictor);
    }

    [Fact]
    public void Lists_dictionaries_chain_of_thought_and_attributes()
    {
        var shared = new Predict(TestSignatures.QA());
        var program = new Collections(shared);

        var named = program.NamedPredictors();

        Assert.Equal(["cot.predict", "layers[0]", "layers[1]", "by_name['x']", "renamed"], named.Select(p => p.Name).ToArray());
        Assert.Same(shared, named[2].Predictor);
        Assert.Equal(5, program.Predictors().Count);
        Assert.Equal(named.Select(p => (IPredictor)p.Predictor), program.NamedParameters().Select(p => p.Predictor));
    }

    [Fact]
    public void Chain_of_thought_alone_names_its_predictor_predict()
    {
        var cot = new ChainOfThought(TestSignatures.QA());
        Assert.Equal("predict", Assert.Single(cot.NamedPredictors()).Name);
    }

    [Fact]
    public void Compiled_sub_modules_are_frozen()
    {
        var program = new Outer();
        program.Hop.Compiled = true;
        Assert.Equal(["final"], program.NamedPredictors().Select(p => p.Name).ToArray());
    }

    [Fact]
    public void Named_sub_modules_walks_breadth_first()
    {
        var program = new Outer();
        var names = program.NamedSubModules().Select(m => m.Name).ToArray();
        // Attributes in declaration order: the _final field comes before Hop's backing field.
        Assert.Equal(["self", "self.final", "self.hop", "self.hop.predict1"], names);

        var predictsOnly = program.NamedSubModules(typeof(Predict)).Select(m => m.Name).ToArray();
        Assert.Equal(["self.final", "self.hop.predict1"], predictsOnly);

        program.Hop.Compiled = true;
        Assert.Equal(["self", "self.final", "self.hop"], program.NamedSubModules(skipCompiled: true).Select(m => m.Name).ToArray());
    }

    [Fact]
    public void Named_sub_modules_uses_unquoted_keys_for_dictionaries()
    {
        var program = new Collections(new Predict(TestSignatures.QA()));
        var names = program.NamedSubModules(typeof(Predict)).Select(m => m.Name).ToList();
        Assert.Contains("self.by_name[x]", names);
        Assert.Contains("self.layers[1]", names);
        Assert.DoesNotContain("self.by_name[dup]", names);
    }

    [Fact]
    public void SetLm_and_GetLm()
    {
        var program = new Outer();
        Assert.Null(program.GetLm());
        var lm = new ScriptedLM();
        program.SetLm(lm);
        Assert.Same(lm, program.GetLm());
        Assert.All(program.Predictors(), p => Assert.Same(lm, p.Lm));

        program.Final.Lm = new ScriptedLM();
        var ex = Assert.Throws<InvalidOperationException>(() => program.GetLm());
        Assert.Equal("Multiple LMs are being used in the module. There's no unique LM to return.", ex.Message);
    }

    [Fact]
    public void MapNamedPredictors_replaces_in_fields_lists_and_dictionaries()
    {
        var shared = new Predict(TestSignatures.QA());
        var program = new Collections(shared);
        var replaced = new List<Predict>();

        program.MapNamedPredictors(p =>
        {
            var copy = new Predict(p.Signature.WithInstructions("Mapped."));
            replaced.Add(copy);
            return copy;
        });

        Assert.Equal(5, replaced.Count);
        Assert.All(replaced, p => Assert.Contains(p, program.Predictors()));
        Assert.Same(replaced[0], program.Cot.Predict);
        Assert.Same(replaced[3], program.ByName["x"]);
        Assert.Same(replaced[4], program.Custom);
        // The shared predictor is mapped once, where it was found first; its other slot keeps the original, as in DSPy.
        Assert.Same(replaced[2], program.Layers[1]);
        Assert.Same(shared, program.ByName["dup"]);
    }

    [Fact]
    public void MapNamedPredictors_on_a_bare_predict_copies_the_result_into_itself()
    {
        var predict = new Predict(TestSignatures.QA());
        predict.MapNamedPredictors(p => new Predict(p.Signature.WithInstructions("Mapped.")));
        Assert.Equal("Mapped.", predict.Signature.Instructions);
    }

    [Fact]
    public void Repr_lists_predictors()
    {
        var text = new Outer().ToString();
        Assert.StartsWith("final = Predict(StringSignature(question -> answer", text);
        Assert.Contains("\nhop.predict1 = Predict(", text);
    }
}
