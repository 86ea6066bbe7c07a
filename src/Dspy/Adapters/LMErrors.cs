namespace Dspy;

/// <summary>Recognises LM errors without a compile-time dependency on the client error hierarchy.</summary>
internal static class LMErrors
{
    /// <summary>
    /// True for errors that must not trigger an adapter fallback: any exception deriving from a class named
    /// <c>LMError</c> (DSPy's LM error hierarchy, including context-window errors) and cancellations.
    /// </summary>
    public static bool IsLMError(Exception exception)
    {
        if (exception is OperationCanceledException) return true;
        for (var t = exception.GetType(); t is not null; t = t.BaseType)
        {
            if (t.Name is "LMError" or "LmError" or "LMException") return true;
        }
        return false;
    }
}
