using System.Globalization;
using Jint;
using Jint.Native;
using Jint.Runtime;

namespace Dspy;

/// <summary>Conversions between Jint values and the value model, used by <see cref="JavaScriptInterpreter"/>.</summary>
internal static class JsValues
{
    private const int MaxConversionDepth = 64;

    /// <summary>Converts a JavaScript value to the value model (integral numbers become <see cref="long"/>).</summary>
    public static object? FromJs(JsValue value, int depth)
    {
        if (depth > MaxConversionDepth) throw new CodeExecutionError("The value is nested too deeply to convert (is it circular?).");
        switch (value.Type)
        {
            case Types.Undefined or Types.Null or Types.Empty:
                return null;
            case Types.Boolean:
                return value.AsBoolean();
            case Types.Number:
                var d = value.AsNumber();
                return double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) <= 9007199254740991d ? (long)d : (object)d;
            case Types.String:
                return value.AsString();
            case Types.BigInt:
                return System.Numerics.BigInteger.Parse(value.ToString(), CultureInfo.InvariantCulture);
            case Types.Symbol:
                return value.ToString();
        }
        if (value is JsArray array)
        {
            var length = (long)TypeConverter.ToNumber(array.Get("length"));
            var list = new List<object?>();
            for (var i = 0; i < length; i++) list.Add(FromJs(array.Get(i.ToString(CultureInfo.InvariantCulture)), depth + 1));
            return list;
        }
        if (value is Jint.Native.Function.Function fn)
        {
            return "[Function " + TypeConverter.ToString(fn.Get("name")) + "]";
        }
        if (value is Jint.Native.Object.ObjectInstance obj)
        {
            if (obj is JsDate) return TypeConverter.ToString(value);
            var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var key in obj.GetOwnPropertyKeys(Types.String))
            {
                var desc = obj.GetOwnProperty(key);
                if (!desc.Enumerable) continue;
                dict[key.ToString()] = FromJs(obj.Get(key), depth + 1);
            }
            return dict;
        }
        return value.ToString();
    }

    /// <summary>Converts a value-model value (or a CLR object, via <see cref="ValueModel.FromClr"/>) to JavaScript.</summary>
    public static JsValue ToJs(Engine engine, object? value)
    {
        switch (ValueModel.FromClr(value))
        {
            case null: return JsValue.Null;
            case string s: return JsString.Create(s);
            case bool b: return b ? JsBoolean.True : JsBoolean.False;
            case long l: return JsNumber.Create(l);
            case double d: return JsNumber.Create(d);
            case System.Numerics.BigInteger big: return JsNumber.Create((double)big);
            case IEnumerable<KeyValuePair<string, object?>> dict:
                var obj = new JsObject(engine);
                foreach (var (k, v) in dict) obj.Set(k, ToJs(engine, v));
                return obj;
            case System.Collections.IEnumerable list:
                return new JsArray(engine, [.. list.Cast<object?>().Select(v => ToJs(engine, v))]);
            case var other: return JsString.Create(PythonRepr.Str(other));
        }
    }
}
