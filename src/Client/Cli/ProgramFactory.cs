namespace Dspy.Cli;

/// <summary>Builds the program a command runs: a Predict or ChainOfThought over the signature, with optional demos.</summary>
internal static class ProgramFactory
{
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
