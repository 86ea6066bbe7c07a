using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Dspy;

/// <summary>
/// DSPy's <c>GroundedProposer</c> as MIPROv2 configures it (reference/dspy.md section 3.1, step 2): proposes instruction
/// candidates per predictor from a dataset summary, a program summary, a random prompting tip and bootstrapped demos,
/// through the prompt model. Instruction history is off (MIPROv2 passes <c>use_instruct_history=False</c>).
/// </summary>
/// <remarks>
/// All randomness (tips, rollout ids) comes from the optimizer's shared <see cref="PythonRandom"/>, in DSPy's order.
/// Python source code cannot be read from a C# program, so the program code shown to the prompt model is DSPy's output for
/// a bare <c>Predict</c>/<c>ChainOfThought</c> (blank) and, for other modules, a pseudo-code listing of the module type and
/// its predictors' signatures.
/// </remarks>
internal sealed partial class GroundedProposer
{
    private static ILogger Log => DspyLogging.CreateLogger(typeof(GroundedProposer));

    private readonly BaseLM _promptModel;
    private readonly PythonRandom _rng;
    private readonly double _initTemperature;
    private readonly bool _useTaskDemos;
    private readonly bool _setTipRandomly;
    private readonly int _numDemosInContext;
    private bool _programAware;
    private bool _useDatasetSummary;
    private bool _useTip;

    private GroundedProposer(BaseLM promptModel, PythonRandom rng, double initTemperature, bool programAware, bool useDatasetSummary,
        bool useTaskDemos, bool useTip, int numDemosInContext)
    {
        _promptModel = promptModel;
        _rng = rng;
        _initTemperature = initTemperature;
        _programAware = programAware;
        _useDatasetSummary = useDatasetSummary;
        _useTaskDemos = useTaskDemos;
        _useTip = useTip;
        _setTipRandomly = useTip;
        _numDemosInContext = numDemosInContext;
    }

    /// <summary>The pseudo-code of the program shown to the prompt model (null when not program-aware).</summary>
    public string? ProgramCode { get; private set; }

    /// <summary>The dataset summary (null when not data-aware or when summarising failed).</summary>
    public string? DataSummary { get; private set; }

    /// <summary>Creates the proposer and, when data-aware, summarises the trainset (DSPy does this in the constructor).</summary>
    public static async Task<GroundedProposer> CreateAsync(BaseLM promptModel, Module program, IReadOnlyList<Example> trainset, PythonRandom rng,
        int viewDataBatchSize, bool programAware, bool useDatasetSummary, bool useTaskDemos, bool useTip, double initTemperature,
        int numDemosInContext, CancellationToken cancellationToken)
    {
        var proposer = new GroundedProposer(promptModel, rng, initTemperature, programAware, useDatasetSummary, useTaskDemos, useTip, numDemosInContext);
        if (programAware) proposer.ProgramCode = ProgramSource(program);
        if (useDatasetSummary)
        {
            try
            {
                proposer.DataSummary = await DatasetSummary.CreateAsync(trainset, viewDataBatchSize, promptModel, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not BudgetExceededException)
            {
                // DSPy prints the error and proposes without the dataset summary.
                Log.LogWarning("Error getting data summary: {Error}. Running without data aware proposer.", ex.Message);
                proposer._useDatasetSummary = false;
            }
        }
        return proposer;
    }

    /// <summary>
    /// DSPy's <c>propose_instructions_for_program</c>: for each predictor, one proposal per demo set index in
    /// <c>range(min(n, demo sets))</c>, each with a tip drawn from the shared rng when tips are on.
    /// </summary>
    public async Task<List<List<string>>> ProposeInstructionsForProgramAsync(Module program, List<List<List<Example>>>? demoCandidates, int n,
        CancellationToken cancellationToken)
    {
        var predictors = program.Predictors();
        var useTaskDemos = _useTaskDemos && demoCandidates is not null;
        var numDemos = demoCandidates is null ? n : Math.Max(demoCandidates[0].Count, 1);
        var proposals = new List<List<string>>();
        for (var predI = 0; predI < predictors.Count; predI++)
        {
            var list = new List<string>();
            for (var demoSetI = 0; demoSetI < Math.Min(n, numDemos); demoSetI++)
            {
                string? tip = null;
                if (_setTipRandomly)
                {
                    tip = _rng.Choice(ProposerSignatures.Tips).Value;
                    _useTip = tip.Length > 0;
                }
                list.Add(await ProposeForPredictorAsync(program, predI, useTaskDemos ? demoCandidates : null, demoSetI, tip, cancellationToken));
            }
            proposals.Add(list);
        }
        return proposals;
    }

    // DSPy's propose_instruction_for_predictor + GenerateModuleInstruction.forward, all under one rollout copy of the prompt model.
    private async Task<string> ProposeForPredictorAsync(Module program, int predI, List<List<List<Example>>>? demoCandidates, int demoSetI, string? tip,
        CancellationToken cancellationToken)
    {
        var rollout = _promptModel.Copy(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["rollout_id"] = (long)_rng.RandInt(0, 1_000_000_000),
            ["temperature"] = _initTemperature,
        });
        using var _ = Settings.Context(s => s with { Lm = rollout });
        var predictor = program.Predictors()[predI];
        var signature = predictor.Signature;

        var taskDemos = "";
        if (demoCandidates is not null)
        {
            var sets = demoCandidates[predI];
            var adjacent = sets.Skip(demoSetI).Concat(sets.Take(demoSetI));
            var strings = adjacent.SelectMany(set => set).Where(d => d.ContainsKey("augmented")).Take(_numDemosInContext)
                .Select(d => ExampleString(signature, d));
            taskDemos = string.Join("\n\n", strings) + "\n\n";
        }
        if (taskDemos.Trim().Length == 0 || demoSetI == 0) taskDemos = "No task demos provided.";

        var programDescription = "Not available";
        var moduleCode = "Not provided";
        var moduleDescription = "Not provided";
        if (_programAware)
        {
            try
            {
                var described = await new Predict(ProposerSignatures.DescribeProgram).CallAsync(Inputs(("program_code", ProgramCode), ("program_example", taskDemos)), cancellationToken);
                programDescription = StripPrefix(Text(described, "program_description"));
                moduleCode = $"{predictor.GetType().Name}({string.Join(", ", signature.InputFields.Select(f => f.Name))}) -> {string.Join(", ", signature.OutputFields.Select(f => f.Name))}";
                var module = await new Predict(ProposerSignatures.DescribeModule).CallAsync(Inputs(("program_code", ProgramCode), ("program_description", programDescription),
                    ("program_example", taskDemos), ("module", moduleCode)), cancellationToken);
                moduleDescription = Text(module, "module_description");
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not BudgetExceededException)
            {
                Log.LogWarning("Error getting program description. Running without program aware proposer. Error: {Error}", ex.Message);
                _programAware = false;
            }
        }

        var generate = new Predict(ProposerSignatures.GenerateSingleModuleInstruction(_useDatasetSummary, _programAware, useInstructHistory: false, _useTip));
        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["task_demos"] = taskDemos,
            ["basic_instruction"] = signature.Instructions,
        };
        if (_useDatasetSummary) inputs["dataset_description"] = DataSummary;
        if (_programAware)
        {
            inputs["program_code"] = ProgramCode;
            inputs["program_description"] = programDescription;
            inputs["module"] = moduleCode;
            inputs["module_description"] = moduleDescription;
        }
        if (_useTip) inputs["tip"] = tip;
        var proposed = await generate.CallAsync(inputs, cancellationToken);
        // DSPy strips the prefix in forward and again when it returns.
        return StripPrefix(StripPrefix(Text(proposed, "proposed_instruction")));
    }

    /// <summary>DSPy's <c>strip_prefix</c>: drops a leading <c>"Label:"</c> of up to five words, then surrounding double quotes.</summary>
    public static string StripPrefix(string text) => PrefixRegex().Replace(text, "", 1).Trim('"');

    [GeneratedRegex(@"^[\*\s]*(([\w'\-]+\s+){0,4}[\w'\-]+):\s*")]
    private static partial Regex PrefixRegex();

    /// <summary>DSPy's <c>create_example_string</c>: one <c>"{prefix} {value}"</c> line per signature field.</summary>
    public static string ExampleString(Signature signature, Example example) =>
        string.Join("\n", signature.Fields.Select(f => $"{f.Prefix} {PythonRepr.Str(example.TryGetValue(f.Name, out var v) ? v : null)}"));

    /// <summary>
    /// DSPy's <c>get_dspy_source_code</c> as far as C# allows: blank for a bare <c>Predict</c> or <c>ChainOfThought</c> (DSPy
    /// finds no class source and no parameter attribute there), else the module's type and its predictors' signatures.
    /// </summary>
    public static string ProgramSource(Module program)
    {
        if (program is Predict or ChainOfThought) return "\n\n";
        var header = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, predictor) in program.NamedPredictors())
        {
            var text = predictor.Signature.ToString();
            if (seen.Add(text)) header.Add(text);
        }
        var body = $"class {program.GetType().Name}(dspy.Module):\n" + string.Join("\n",
            program.NamedPredictors().Select(p => $"    self.{p.Name} = {p.Predictor.GetType().Name}({p.Predictor.Signature.Name})"));
        return string.Join("\n\n", header) + "\n\n" + body;
    }

    internal static string Text(Prediction prediction, string field) =>
        prediction.TryGetValue(field, out var value) ? PythonRepr.Str(value) : "";

    internal static Dictionary<string, object?> Inputs(params (string Name, object? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
}
