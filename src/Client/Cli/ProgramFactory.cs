namespace Dspy.Cli;

/// <summary>Builds the program a command runs: a Predict or ChainOfThought over the signature, with optional demos.</summary>
internal static class ProgramFactory
{
    /// <summary>
    /// Builds the program and, when <paramref name="programFile"/> is given, loads its saved state (which brings its own
    /// demos, so <c>--demos</c> cannot be combined with it).
    /// </summary>
    public static Module Create(string kind, Signature signature, string? programFile, IReadOnlyList<Example> demos, bool demosGiven)
    {
        if (programFile is null) return Create(kind, signature, demos);
        if (demosGiven) throw new CliException("--demos cannot be combined with --program: the saved program has its own demos.");
        var program = Create(kind, signature, []);
        ProgramFile.Load(program, programFile);
        return program;
    }

    public static Module Create(string kind, Signature signature, IReadOnlyList<Example> demos)
    {
        switch (kind)
        {
            case "predict":
                var predict = new Predict(signature);
                predict.Demos = [.. demos];
                return predict;
            case "cot":
            case "chain-of-thought":
                var cot = new ChainOfThought(signature);
                foreach (var p in cot.Predictors()) p.Demos = [.. demos];
                return cot;
            default:
                throw new CliException($"--module: unknown module '{kind}'; expected predict or cot.");
        }
    }
}
