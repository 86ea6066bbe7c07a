using System.Collections;
using System.Text;
using System.Text.Json.Serialization.Metadata;

namespace Dspy;

/// <summary>
/// Python's <c>str()</c> and <c>repr()</c> where values may be pydantic models: a record's repr is
/// <c>Name(field=repr, ...)</c> with nested models as reprs too, and its <c>str()</c> is <c>field=repr ...</c>;
/// DSPy types print as DSPy prints them. Plain values defer to <see cref="PythonRepr"/>.
/// </summary>
public static class PydanticText
{
    /// <summary>Python's <c>str(value)</c>.</summary>
    public static string Str(object? value) => value switch
    {
        Image image => image.ToString(),
        History history => history.ToString(),
        Code code => "code=" + PythonRepr.Repr(code.CodeText),
        ToolCalls calls => "tool_calls=[" + string.Join(", ", calls.Calls.Select(c => c.ToPythonRepr())) + "] tool_call_results=None",
        _ when IsModel(value) => string.Join(" ", Fields(value!).Select(kv => kv.Key + "=" + Repr(kv.Value))),
        _ => PythonRepr.Str(value),
    };

    /// <summary>Python's <c>repr(value)</c>.</summary>
    public static string Repr(object? value)
    {
        switch (value)
        {
            case null or string or bool or long or int or double or float or decimal or System.Numerics.BigInteger or Enum or IPythonRepresentable:
                return PythonRepr.Repr(value);
            case IDictionary dict:
            {
                var sb = new StringBuilder("{");
                var first = true;
                foreach (DictionaryEntry kv in dict)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    sb.Append(Repr(kv.Key)).Append(": ").Append(Repr(kv.Value));
                }
                return sb.Append('}').ToString();
            }
            case IEnumerable items:
                return "[" + string.Join(", ", items.Cast<object?>().Select(Repr)) + "]";
            default:
                return IsModel(value)
                    ? value.GetType().Name + "(" + string.Join(", ", Fields(value).Select(kv => kv.Key + "=" + Repr(kv.Value))) + ")"
                    : PythonRepr.Repr(value);
        }
    }

    private static bool IsModel(object? value) =>
        value is not null and not string and not IEnumerable and not Enum and not System.Numerics.BigInteger && !value.GetType().IsPrimitive && value is not IPythonRepresentable
        && DspyJson.Options.GetTypeInfo(value.GetType()).Kind == JsonTypeInfoKind.Object;

    private static IEnumerable<KeyValuePair<string, object?>> Fields(object model) =>
        DspyJson.Options.GetTypeInfo(model.GetType()).Properties.Where(p => p.Get is not null)
            .Select(p => new KeyValuePair<string, object?>(p.Name, p.Get!(model)));
}
