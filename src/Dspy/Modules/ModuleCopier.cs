using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Dspy;

/// <summary>
/// The deep copy behind <c>Module.DeepCopy()</c>. What is copied and what is shared:
/// <list type="bullet">
/// <item>copied: modules (every field), <see cref="Example"/>/<see cref="Prediction"/> objects, arrays, and
/// <c>List&lt;T&gt;</c>, <c>Dictionary&lt;K,V&gt;</c>, <c>OrderedDictionary&lt;K,V&gt;</c>, <c>HashSet&lt;T&gt;</c> —
/// so a copy's predictors have their own demos, config and state lists;</item>
/// <item>shared by reference: everything else — LMs (as DSPy shares LM objects between copies; they carry caches and
/// clients), adapters, callbacks, signatures, fields and type specs (immutable), records and other CLR objects
/// (treated as immutable values), delegates, locks;</item>
/// <item>value types and strings are values.</item>
/// </list>
/// The object graph is copied with a memo, so shared sub-objects stay shared and cycles are preserved.
/// </summary>
internal sealed class ModuleCopier
{
    private readonly Dictionary<object, object> _memo = new(ReferenceEqualityComparer.Instance);

    public T Copy<T>(T value) where T : class => (T)Copy((object)value)!;

    public object? Copy(object? value)
    {
        if (value is null or string) return value;
        var type = value.GetType();
        if (type.IsValueType) return value;
        if (_memo.TryGetValue(value, out var done)) return done;

        switch (value)
        {
            case Module or Example:
                return CopyFields(value, type);
            case Array array:
                return CopyArray(array, type);
        }

        if (type.IsGenericType)
        {
            var def = type.GetGenericTypeDefinition();
            if (def == typeof(Dictionary<,>) || def == typeof(OrderedDictionary<,>)) return CopyDictionary((IDictionary)value, type);
            if (def == typeof(List<>)) return CopyList((IList)value, type);
            if (def == typeof(HashSet<>)) return CopySet(value, type);
        }
        return value;
    }

    private object CopyFields(object source, Type type)
    {
        var clone = RuntimeHelpers.GetUninitializedObject(type);
        _memo[source] = clone;
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                f.SetValue(clone, Copy(f.GetValue(source)));
            }
        }
        if (clone is Module m) m.InitializeAfterCopy();
        return clone;
    }

    private Array CopyArray(Array source, Type type)
    {
        if (source.Rank != 1)
        {
            var shallow = (Array)source.Clone();
            _memo[source] = shallow;
            return shallow;
        }
        var element = type.GetElementType()!;
        var clone = Array.CreateInstance(element, source.Length);
        _memo[source] = clone;
        for (var i = 0; i < source.Length; i++) clone.SetValue(Copy(source.GetValue(i)), i);
        return clone;
    }

    private IList CopyList(IList source, Type type)
    {
        var clone = (IList)Activator.CreateInstance(type, source.Count)!;
        _memo[source] = clone;
        foreach (var item in source) clone.Add(Copy(item));
        return clone;
    }

    private IDictionary CopyDictionary(IDictionary source, Type type)
    {
        var comparer = type.GetProperty("Comparer")!.GetValue(source);
        var clone = (IDictionary)Activator.CreateInstance(type, comparer)!;
        _memo[source] = clone;
        foreach (DictionaryEntry entry in source) clone[entry.Key] = Copy(entry.Value);
        return clone;
    }

    private object CopySet(object source, Type type)
    {
        var comparer = type.GetProperty("Comparer")!.GetValue(source);
        var clone = Activator.CreateInstance(type, source, comparer)!;
        _memo[source] = clone;
        return clone;
    }
}
