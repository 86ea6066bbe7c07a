using System.Text;
using Microsoft.Extensions.AI;

namespace Dspy.Tests.TestDoubles;

/// <summary>
/// A minimal hand-written adapter for module tests (the real ChatAdapter is built elsewhere): the system message holds
/// the instructions and field names, demos become user/assistant pairs, the user message holds the inputs, and each
/// completion is parsed from <c>[[ ## field ## ]]</c> markers. Records the demos and inputs it was given.
/// </summary>
public sealed class MarkerAdapter : Adapter
{
    public List<(Signature Signature, IReadOnlyList<Example> Demos, IReadOnlyDictionary<string, object?> Inputs)> Calls { get; } = [];

    public override IReadOnlyList<ChatMessage> Format(Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs)
    {
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, $"{signature.Instructions}\nInputs: {string.Join(", ", signature.InputFields.Select(f => f.Name))}\n"
                + $"Outputs: {string.Join(", ", signature.OutputFields.Select(f => f.Name))}"),
        };
        foreach (var demo in demos)
        {
            messages.Add(new ChatMessage(ChatRole.User, Render(signature.InputFields, demo.ToDictionary())));
            messages.Add(new ChatMessage(ChatRole.Assistant, Render(signature.OutputFields, demo.ToDictionary())));
        }
        messages.Add(new ChatMessage(ChatRole.User, Render(signature.InputFields, inputs)));
        return messages;
    }

    public override Dictionary<string, object?> Parse(Signature signature, string completion)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        string? current = null;
        var value = new StringBuilder();
        foreach (var line in completion.Split('\n'))
        {
            if (line.StartsWith("[[ ## ", StringComparison.Ordinal) && line.EndsWith(" ## ]]", StringComparison.Ordinal))
            {
                if (current is not null) result[current] = value.ToString().Trim();
                current = line[6..^6];
                value.Clear();
            }
            else
            {
                value.Append(line).Append('\n');
            }
        }
        if (current is not null) result[current] = value.ToString().Trim();
        result.Remove("completed");
        foreach (var f in signature.OutputFields)
        {
            if (!result.ContainsKey(f.Name)) throw new AdapterParseError(nameof(MarkerAdapter), signature, completion, parsedResult: result);
        }
        return signature.OutputFields.ToDictionary(f => f.Name, f => result[f.Name], StringComparer.Ordinal);
    }

    public override async Task<IReadOnlyList<Dictionary<string, object?>>> CallAsync(BaseLM lm, IReadOnlyDictionary<string, object?> lmKwargs,
        Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default)
    {
        lock (Calls) Calls.Add((signature, demos, inputs));
        var response = await lm.CallAsync(Format(signature, demos, inputs), lmKwargs, cancellationToken);
        return response.Outputs.Select(o => Parse(signature, o.Text ?? "")).ToList();
    }

    private static string Render(IEnumerable<Field> fields, IReadOnlyDictionary<string, object?> values) =>
        string.Join("\n\n", fields.Where(f => values.ContainsKey(f.Name)).Select(f => $"[[ ## {f.Name} ## ]]\n{PythonRepr.Str(values[f.Name])}"));
}
