using Microsoft.Extensions.AI;

namespace Dspy;

// PLACEHOLDER so that modules compile while the adapters are written on their own branch; replaced there.
public class ChatAdapter : Adapter
{
    public override IReadOnlyList<ChatMessage> Format(Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs) =>
        throw new NotImplementedException();

    public override Dictionary<string, object?> Parse(Signature signature, string completion) => throw new NotImplementedException();

    public override Task<IReadOnlyList<Dictionary<string, object?>>> CallAsync(BaseLM lm, IReadOnlyDictionary<string, object?> lmKwargs,
        Signature signature, IReadOnlyList<Example> demos, IReadOnlyDictionary<string, object?> inputs, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
