using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace Dspy;

/// <summary>
/// The attributes of a module as DSPy sees its <c>__dict__</c>: every instance field of the module's own classes
/// (not <see cref="Module"/>'s bookkeeping), base classes first, each in declaration order. Auto-property backing fields
/// and captured primary-constructor parameters are named after their property or parameter.
/// </summary>
internal static class ModuleMembers
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<(string Name, FieldInfo Field)>> s_cache = new();

    public static IReadOnlyList<(string Name, FieldInfo Field)> Of(Type type) => s_cache.GetOrAdd(type, Discover);

    /// <summary>The attributes of <paramref name="module"/> with their current values.</summary>
    public static IEnumerable<(string Name, object? Value, FieldInfo Field)> Values(Module module)
    {
        foreach (var (name, field) in Of(module.GetType())) yield return (name, field.GetValue(module), field);
    }

    private static IReadOnlyList<(string, FieldInfo)> Discover(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(Module) && t != typeof(object); t = t.BaseType) chain.Add(t);
        chain.Reverse();

        var result = new List<(string, FieldInfo)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in chain)
        {
            var fields = t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .OrderBy(f => f.MetadataToken);
            foreach (var f in fields)
            {
                var name = NameOf(t, f);
                if (name is null || !names.Add(name)) continue;
                result.Add((name, f));
            }
        }
        return result;
    }

    private static string? NameOf(Type declaring, FieldInfo field)
    {
        MemberInfo member = field;
        var raw = field.Name;
        if (raw.StartsWith('<'))
        {
            var end = raw.IndexOf('>', StringComparison.Ordinal);
            if (end < 0) return null;
            var suffix = raw[(end + 1)..];
            raw = raw[1..end];
            if (suffix == "k__BackingField")
            {
                var prop = declaring.GetProperty(raw, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
                if (prop is not null) member = prop;
            }
            else if (suffix != "P")
            {
                return null; // other compiler-generated state
            }
        }
        if (member.IsDefined(typeof(DspyIgnoreAttribute), inherit: true) || field.IsDefined(typeof(DspyIgnoreAttribute), inherit: true)) return null;
        var explicitName = member.GetCustomAttribute<DspyNameAttribute>(inherit: true) ?? field.GetCustomAttribute<DspyNameAttribute>(inherit: true);
        if (explicitName is not null) return explicitName.Name;
        var trimmed = raw.TrimStart('_');
        if (trimmed.Length == 0) return null;
        return JsonNamingPolicy.SnakeCaseLower.ConvertName(trimmed);
    }
}
