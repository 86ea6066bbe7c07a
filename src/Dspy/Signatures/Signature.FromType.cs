using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;

namespace Dspy;

public sealed partial class Signature
{
    private static readonly ConcurrentDictionary<Type, Signature> TypeCache = new();

    /// <summary>
    /// A signature from a C# class or record whose public properties carry <see cref="InputFieldAttribute"/> or
    /// <see cref="OutputFieldAttribute"/> (on the property or on a record's positional parameter). This is DSPy's
    /// class-based signature: the name is the type name, field names are snake_case member names in declaration
    /// order (base type members first), and the instructions come from <see cref="InstructionsAttribute"/> or
    /// <see cref="DescriptionAttribute"/>, cleaned like <c>inspect.cleandoc</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A public property is neither an input nor an output, or a type cannot be mapped.</exception>
    public static Signature FromType<T>() => FromType(typeof(T));

    /// <inheritdoc cref="FromType{T}"/>
    public static Signature FromType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return TypeCache.GetOrAdd(type, Build);
    }

    private static Signature Build(Type type)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .OrderBy(p => InheritanceDepth(p.DeclaringType!))
            .ThenBy(p => p.MetadataToken)
            .ToList();
        var parameters = PrimaryConstructorParameters(type, properties);
        var defaults = new Lazy<object?>(() => CreateDefaultInstance(type));

        var fields = new List<Field>();
        foreach (var property in properties)
        {
            parameters.TryGetValue(property.Name, out var parameter);
            var attribute = property.GetCustomAttribute<SignatureFieldAttribute>()
                ?? parameter?.GetCustomAttribute<SignatureFieldAttribute>();
            if (attribute is null)
            {
                throw new ArgumentException(
                    $"Field `{SignatureNaming.ToSnakeCase(property.Name)}` in `{type.Name}` must be declared with InputField or OutputField " +
                    $"(mark the property {property.Name} with [InputField] or [OutputField]).");
            }

            var name = attribute.Name ?? SignatureNaming.ToSnakeCase(property.Name);
            var spec = TypeSpecs.FromProperty(property);
            var description = attribute.Desc
                ?? property.GetCustomAttribute<DescriptionAttribute>()?.Description
                ?? parameter?.GetCustomAttribute<DescriptionAttribute>()?.Description;
            var constraintData = property.GetCustomAttributesData().AsEnumerable();
            if (parameter is not null) constraintData = constraintData.Concat(parameter.GetCustomAttributesData());
            var constraints = FieldConstraints.Format(FieldConstraints.Read(constraintData));

            var field = new Field(name, attribute.Kind, spec, description, attribute.Prefix) { Constraints = constraints };
            var (hasDefault, defaultValue) = FindDefault(property, parameter, attribute, defaults);
            if (hasDefault) field = field with { HasDefault = true, DefaultValue = ValueModel.FromClr(defaultValue) };
            fields.Add(field);
        }

        return new Signature(fields, ReadInstructions(type), type.Name);
    }

    private static string? ReadInstructions(Type type)
    {
        // The constructor applies inspect.cleandoc, once, as DSPy does when it reads the docstring.
        return type.GetCustomAttribute<InstructionsAttribute>(inherit: true)?.Text
            ?? type.GetCustomAttribute<DescriptionAttribute>(inherit: true)?.Description;
    }

    private static int InheritanceDepth(Type t)
    {
        var depth = 0;
        for (var b = t.BaseType; b is not null; b = b.BaseType) depth++;
        return depth;
    }

    /// <summary>A record's positional parameters, matched to properties by name and type.</summary>
    private static Dictionary<string, ParameterInfo> PrimaryConstructorParameters(Type type, List<PropertyInfo> properties)
    {
        var result = new Dictionary<string, ParameterInfo>(StringComparer.Ordinal);
        var byName = properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var ctor in type.GetConstructors(BindingFlags.Public | BindingFlags.Instance).OrderByDescending(c => c.GetParameters().Length))
        {
            foreach (var p in ctor.GetParameters())
            {
                if (p.Name is not null && byName.TryGetValue(p.Name, out var prop) && prop.PropertyType == p.ParameterType)
                {
                    result.TryAdd(p.Name, p);
                }
            }
        }
        return result;
    }

    private static (bool, object?) FindDefault(PropertyInfo property, ParameterInfo? parameter, SignatureFieldAttribute attribute, Lazy<object?> instance)
    {
        if (attribute is OutputFieldAttribute { HasDefault: true } output) return (true, output.Default);
        var dv = property.GetCustomAttribute<DefaultValueAttribute>() ?? parameter?.GetCustomAttribute<DefaultValueAttribute>();
        if (dv is not null) return (true, dv.Value);
        if (parameter is { HasDefaultValue: true }) return (true, parameter.DefaultValue);
        // A property initializer shows up as a non-default value on a freshly constructed instance.
        if (instance.Value is { } obj && property.CanRead)
        {
            var value = property.GetValue(obj);
            var typeDefault = property.PropertyType.IsValueType ? Activator.CreateInstance(property.PropertyType) : null;
            if (!Equals(value, typeDefault)) return (true, value);
        }
        return (false, null);
    }

    private static object? CreateDefaultInstance(Type type)
    {
        if (type.IsAbstract || type.IsInterface) return null;
        if (type.IsValueType) return Activator.CreateInstance(type);
        var ctor = type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (ctor is null) return null;
        try
        {
            return ctor.Invoke(null);
        }
        catch (TargetInvocationException)
        {
            // A constructor with side effects or required arguments cannot tell us about initializers.
            return null;
        }
    }
}
