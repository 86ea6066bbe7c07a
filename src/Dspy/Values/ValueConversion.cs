using System.Globalization;
using System.Text.Json;

namespace Dspy;

/// <summary>Binds values of the value model to CLR types (numbers widen, dictionaries bind to records through JSON).</summary>
public static class ValueConversion
{
    /// <summary>Converts <paramref name="value"/> to <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidCastException">The value cannot be converted.</exception>
    public static T To<T>(object? value) => (T)To(value, typeof(T))!;

    /// <summary>Converts <paramref name="value"/> to <paramref name="type"/>.</summary>
    /// <exception cref="InvalidCastException">The value cannot be converted.</exception>
    public static object? To(object? value, Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (value is null)
        {
            return !type.IsValueType || Nullable.GetUnderlyingType(type) is not null
                ? null
                : throw new InvalidCastException($"None cannot be converted to {type.Name}.");
        }
        if (type.IsInstanceOfType(value)) return value;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        try
        {
            if (target == typeof(string)) return PythonRepr.Str(value);
            if (target.IsEnum && value is string s) return ParseEnum(target, s);
            if (target.IsPrimitive || target == typeof(decimal))
            {
                return Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
            }
            var json = JsonSerializer.SerializeToElement(ValueModel.FromClr(value), DspyJson.Options);
            return json.Deserialize(target, DspyJson.Options);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or OverflowException or NotSupportedException or ArgumentException)
        {
            throw new InvalidCastException($"Cannot convert {PythonRepr.Repr(value)} to {type.Name}: {ex.Message}", ex);
        }
    }

    private static object ParseEnum(Type enumType, string text)
    {
        // DSPy matches an enum by value first, then by name.
        foreach (var v in Enum.GetValues(enumType))
        {
            if (ValueModel.EnumValue((Enum)v) == text) return v;
        }
        return Enum.Parse(enumType, text, ignoreCase: false);
    }
}
