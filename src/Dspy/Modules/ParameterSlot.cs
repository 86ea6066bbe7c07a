using System.Collections;
using System.Globalization;

namespace Dspy;

/// <summary>A discovered predictor with its path and a way to replace it where it is stored.</summary>
internal sealed record ParameterSlot(string Name, IPredictor Predictor, Action<IPredictor> Replace);

/// <summary>
/// DSPy's <c>named_parameters()</c> walk: the module itself if it is a predictor (<c>self</c>), then each attribute —
/// predictors by name, sub-modules recursively (<c>hop.predict1</c>) unless compiled, list items (<c>name[0]</c>) and
/// dictionary values (<c>name['key']</c>). Each predictor is listed once, by identity.
/// </summary>
internal static class ParameterWalker
{
    public static List<ParameterSlot> Walk(Module root)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var result = new List<ParameterSlot>();
        WalkModule(root, "", visited, result, new HashSet<Module>(ReferenceEqualityComparer.Instance), isRoot: true);
        return result;
    }

    private static void WalkModule(Module module, string prefix, HashSet<object> visited, List<ParameterSlot> result, HashSet<Module> stack, bool isRoot)
    {
        // Guard against cycles (a sub-module pointing back at its parent), where DSPy would recurse forever.
        if (!stack.Add(module)) return;
        if (isRoot && module is IPredictor self)
        {
            Add("self", self, _ => throw new InvalidOperationException("A module cannot replace itself."));
        }

        foreach (var (name, value, field) in ModuleMembers.Values(module))
        {
            var path = prefix + name;
            switch (value)
            {
                case IPredictor or Module:
                    AddValue(path, value, v => field.SetValue(module, v));
                    break;
                case IList list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        var index = i;
                        AddValue($"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", list[i], v => list[index] = v);
                    }
                    break;
                case IDictionary dict:
                    foreach (DictionaryEntry entry in dict)
                    {
                        var key = entry.Key;
                        AddValue($"{path}['{Convert.ToString(key, CultureInfo.InvariantCulture)}']", entry.Value, v => dict[key] = v);
                    }
                    break;
            }
        }
        stack.Remove(module);

        void AddValue(string path, object? value, Action<IPredictor> replace)
        {
            if (value is IPredictor p)
            {
                Add(path, p, replace);
            }
            else if (value is Module sub && !sub.Compiled)
            {
                // A compiled sub-module is frozen: its predictors are not parameters of the parent.
                WalkModule(sub, path + ".", visited, result, stack, isRoot: false);
            }
        }

        void Add(string path, IPredictor p, Action<IPredictor> replace)
        {
            if (visited.Add(p)) result.Add(new ParameterSlot(path, p, replace));
        }
    }
}
