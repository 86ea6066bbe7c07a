using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;

namespace Dspy;

/// <summary>
/// One field of a structured CLR type as pydantic sees a model field: its JSON name (snake_case), annotation,
/// whether it is required, its default, description and constraints.
/// </summary>
public sealed record ModelField(string Name, TypeSpec Type, bool Required, object? DefaultValue, string? Description,
    IReadOnlyList<Attribute> Constraints)
{
    /// <summary>The fields of a record or class, in declaration (serialisation) order.</summary>
    public static IReadOnlyList<ModelField> Of(System.Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var info = DspyJson.Options.GetTypeInfo(type);
        if (info.Kind != JsonTypeInfoKind.Object) return [];
        var ctorParams = PrimaryConstructorParameters(type);
        object? prototype = null;
        var triedPrototype = false;
        var fields = new List<ModelField>();
        foreach (var p in info.Properties)
        {
            if (p.Get is null) continue;
            var member = p.AttributeProvider as PropertyInfo;
            var spec = member is not null ? TypeSpecs.FromProperty(member) : TypeSpecs.FromClrType(p.PropertyType);
            var required = true;
            object? defaultValue = null;
            var clrName = member?.Name ?? p.Name;
            if (ctorParams.TryGetValue(clrName, out var param))
            {
                if (param.HasDefaultValue)
                {
                    required = false;
                    defaultValue = ValueModel.FromClr(param.DefaultValue is DBNull ? null : param.DefaultValue);
                }
            }
            else if (member is not null && member.GetCustomAttribute<RequiredMemberAttribute>() is null && member.CanWrite)
            {
                // An optional init property: its default is what a fresh instance holds.
                if (!triedPrototype)
                {
                    triedPrototype = true;
                    prototype = TryCreate(type);
                }
                if (prototype is not null)
                {
                    required = false;
                    defaultValue = ValueModel.FromClr(member.GetValue(prototype));
                }
            }
            var description = (p.AttributeProvider?.GetCustomAttributes(typeof(DescriptionAttribute), true).FirstOrDefault() as DescriptionAttribute)?.Description;
            if (description is null && param is not null) description = param.GetCustomAttribute<DescriptionAttribute>()?.Description;
            var constraints = new List<Attribute>();
            if (p.AttributeProvider is not null) constraints.AddRange(p.AttributeProvider.GetCustomAttributes(typeof(ValidationAttribute), true).Cast<Attribute>());
            if (param is not null) constraints.AddRange(param.GetCustomAttributes<ValidationAttribute>());
            fields.Add(new ModelField(p.Name, spec, required, defaultValue, description, constraints));
        }
        return fields;
    }

    private static Dictionary<string, ParameterInfo> PrimaryConstructorParameters(System.Type type)
    {
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ctor = type.GetConstructors()
            .Where(c => c.GetParameters().Length > 0 && c.GetParameters().All(pa => pa.Name is not null && props.Contains(pa.Name)))
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault();
        var result = new Dictionary<string, ParameterInfo>(StringComparer.OrdinalIgnoreCase);
        if (ctor is null) return result;
        foreach (var pa in ctor.GetParameters()) result[pa.Name!] = pa;
        return result;
    }

    private static object? TryCreate(System.Type type)
    {
        if (type.IsValueType) return Activator.CreateInstance(type);
        var ctor = type.GetConstructor(System.Type.EmptyTypes);
        if (ctor is null) return null;
        try
        {
            return ctor.Invoke(null);
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }
}
