namespace Dspy.Cli;

/// <summary>Reads a labeled JSONL dataset for a signature: inputs checked like <c>--inputs</c>, every output field required.</summary>
internal static class DatasetInput
{
    public static List<Example> Read(Signature signature, string path, string optionName)
    {
        var rows = JsonInput.ReadJsonl(path, optionName);
        if (rows.Count == 0) throw new CliException($"{optionName}: the dataset '{path}' is empty.");
        var inputNames = signature.InputFields.Select(f => f.Name).ToArray();
        return rows.Select((row, i) =>
        {
            var where = $"{optionName} line {i + 1}";
            CommandInputs.CheckInputs(signature, row.Where(kv => signature[kv.Key] is { IsInput: true }).ToDictionary(), where);
            var missing = signature.OutputFields.Where(f => !row.ContainsKey(f.Name)).Select(f => $"'{f.Name}'").ToList();
            if (missing.Count > 0) throw new CliException($"{where}: missing output field{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} (the label).");
            return new Example(row).WithInputs(inputNames);
        }).ToList();
    }
}
