using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace Dspy;

/// <summary>
/// Turns constraints on a member into DSPy's human-readable text (field.py <c>_translate_pydantic_field_constraints</c>):
/// each one is <c>"&lt;phrase&gt;: &lt;value&gt;"</c>, joined with <c>", "</c>.
/// </summary>
public static class FieldConstraints
{
    /// <summary>DSPy's phrase for each pydantic constraint keyword.</summary>
    public static IReadOnlyDictionary<string, string> Phrases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["gt"] = "greater than: ",
        ["ge"] = "greater than or equal to: ",
        ["lt"] = "less than: ",
        ["le"] = "less than or equal to: ",
        ["min_length"] = "minimum length: ",
        ["max_length"] = "maximum length: ",
        ["multiple_of"] = "a multiple of the given number: ",
        ["allow_inf_nan"] = "allow 'inf', '-inf', 'nan' values: ",
    };

    /// <summary>Formats (keyword, value) pairs in order; unknown keywords are skipped as DSPy skips them. Null when empty.</summary>
    public static string? Format(IEnumerable<KeyValuePair<string, object?>> constraints)
    {
        ArgumentNullException.ThrowIfNull(constraints);
        var parts = constraints.Where(c => Phrases.ContainsKey(c.Key))
            .Select(c => Phrases[c.Key] + PythonRepr.Str(ValueModel.FromClr(c.Value)))
            .ToList();
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>
    /// Reads constraints from <see cref="ConstraintAttribute"/> (in the order its properties are written) and from
    /// DataAnnotations (<c>[Range]</c> gives ge and le, <c>[MinLength]</c>, <c>[MaxLength]</c>, <c>[StringLength]</c> lengths).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> Read(IEnumerable<CustomAttributeData> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var result = new List<KeyValuePair<string, object?>>();
        foreach (var a in attributes)
        {
            var t = a.AttributeType;
            if (t == typeof(ConstraintAttribute))
            {
                foreach (var named in a.NamedArguments)
                {
                    var key = SignatureNaming.ToSnakeCase(named.MemberName);
                    result.Add(new(key, Unwrap(named.TypedValue)));
                }
            }
            else if (t == typeof(RangeAttribute))
            {
                var range = (RangeAttribute)a.Constructor.Invoke([.. a.ConstructorArguments.Select(Unwrap)]);
                foreach (var named in a.NamedArguments) (range.GetType().GetProperty(named.MemberName))?.SetValue(range, Unwrap(named.TypedValue));
                // Exclusive bounds become gt/lt, as a pydantic Field(gt=...) would be.
                result.Add(new(range.MinimumIsExclusive ? "gt" : "ge", range.Minimum));
                result.Add(new(range.MaximumIsExclusive ? "lt" : "le", range.Maximum));
            }
            else if (t == typeof(MinLengthAttribute))
            {
                result.Add(new("min_length", Unwrap(a.ConstructorArguments[0])));
            }
            else if (t == typeof(MaxLengthAttribute) && a.ConstructorArguments.Count == 1)
            {
                result.Add(new("max_length", Unwrap(a.ConstructorArguments[0])));
            }
            else if (t == typeof(LengthAttribute))
            {
                result.Add(new("min_length", Unwrap(a.ConstructorArguments[0])));
                result.Add(new("max_length", Unwrap(a.ConstructorArguments[1])));
            }
            else if (t == typeof(StringLengthAttribute))
            {
                var min = a.NamedArguments.FirstOrDefault(n => n.MemberName == nameof(StringLengthAttribute.MinimumLength));
                if (min.MemberName is not null && Unwrap(min.TypedValue) is int m && m > 0) result.Add(new("min_length", m));
                result.Add(new("max_length", Unwrap(a.ConstructorArguments[0])));
            }
        }
        return result;
    }

    private static object? Unwrap(CustomAttributeTypedArgument arg) => arg.Value switch
    {
        CustomAttributeTypedArgument inner => Unwrap(inner),
        Type ty => ty,
        var v => v,
    };
}
