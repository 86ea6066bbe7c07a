namespace Dspy;

/// <summary>
/// A DSPy signature: named, typed input and output fields plus instructions. Immutable: every
/// <c>With*</c>/<c>Prepend</c>/<c>Append</c>/<c>Insert</c>/<c>Delete</c> returns a new signature, as DSPy's class methods return new classes.
/// Build one from DSPy's string syntax with <c>Signature.Parse</c> or from a C# type with <c>Signature.FromType</c>.
/// </summary>
public sealed partial class Signature
{
    /// <summary>The class name DSPy gives signatures made from strings.</summary>
    public const string DefaultName = "StringSignature";

    /// <summary>Creates a signature from fields. Inputs are kept before outputs, each in the given order.</summary>
    /// <exception cref="ArgumentException">A field name occurs twice.</exception>
    public Signature(IEnumerable<Field> fields, string? instructions = null, string name = DefaultName)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var all = fields.ToList();
        var duplicates = all.GroupBy(f => f.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new ArgumentException(
                $"Signature inputs and outputs must have distinct names, but found duplicates: {string.Join(", ", duplicates.Select(d => $"'{d}'"))}.");
        }

        InputFields = all.Where(f => f.IsInput).ToArray();
        OutputFields = all.Where(f => f.IsOutput).ToArray();
        Fields = [.. InputFields, .. OutputFields];
        Name = name;
        // DSPy reads instructions through inspect.cleandoc, so indentation and surrounding blank lines never reach prompts.
        Instructions = string.IsNullOrEmpty(instructions) ? DefaultInstructions(InputFields, OutputFields) : SignatureNaming.CleanDoc(instructions);
    }

    /// <summary>The signature's class name (<c>StringSignature</c> for strings, the C# type name otherwise).</summary>
    public string Name { get; }

    /// <summary>The instructions (DSPy: the docstring, or the default instructions).</summary>
    public string Instructions { get; }

    /// <summary>All fields: inputs first, then outputs.</summary>
    public IReadOnlyList<Field> Fields { get; }

    /// <summary>The input fields in order.</summary>
    public IReadOnlyList<Field> InputFields { get; }

    /// <summary>The output fields in order.</summary>
    public IReadOnlyList<Field> OutputFields { get; }

    /// <summary>The field with this name, or null.</summary>
    public Field? this[string name] => Fields.FirstOrDefault(f => f.Name == name);

    /// <summary>DSPy's <c>.signature</c>: <c>"input1, input2 -> output"</c>.</summary>
    public string SignatureText =>
        string.Join(", ", InputFields.Select(f => f.Name)) + " -> " + string.Join(", ", OutputFields.Select(f => f.Name));

    /// <summary>DSPy's default instructions: <c>Given the fields `a`, `b`, produce the fields `c`.</c></summary>
    public static string DefaultInstructions(IEnumerable<Field> inputs, IEnumerable<Field> outputs) =>
        $"Given the fields {string.Join(", ", inputs.Select(f => $"`{f.Name}`"))}, produce the fields {string.Join(", ", outputs.Select(f => $"`{f.Name}`"))}.";

    // Like DSPy, every derived signature is built through make_signature and so is named StringSignature.

    /// <summary>A new signature with the same fields and these instructions. Like DSPy's, it is named <c>StringSignature</c>.</summary>
    public Signature WithInstructions(string instructions) => new(Fields, instructions);

    /// <summary>A new signature whose instructions are the old ones, a blank line, then <paramref name="text"/>.</summary>
    public Signature AppendInstructions(string text) => new(Fields, Instructions + "\n\n" + text);

    /// <summary>
    /// A new signature with one field changed (DSPy's <c>with_updated_fields(name, type_=None, **kwargs)</c>):
    /// <paramref name="update"/> maps the old field to the new one, typically with a <c>with</c> expression.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    public Signature WithUpdatedField(string name, Func<Field, Field> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (this[name] is null) throw new KeyNotFoundException($"Field '{name}' is not in the signature.");
        return new Signature(Fields.Select(f => f.Name == name ? update(f) : f), Instructions);
    }

    /// <summary>
    /// DSPy's <c>with_updated_fields(name, type_=None, desc=..., prefix=...)</c>: a new signature in which the named
    /// field has the given description, prefix or type; arguments left null keep their value.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    public Signature WithUpdatedField(string name, string? desc = null, string? prefix = null, TypeSpec? type = null) =>
        WithUpdatedField(name, f => f with
        {
            Description = desc ?? f.Description,
            Prefix = prefix ?? f.Prefix,
            Type = type ?? f.Type,
        });

    /// <summary>Adds a field at the start of its section (inputs or outputs, as the field's kind says).</summary>
    public Signature Prepend(Field field) => Insert(0, field);

    /// <summary>Adds a field at the end of its section.</summary>
    public Signature Append(Field field) => Insert(-1, field);

    /// <summary>
    /// Adds a field at <paramref name="index"/> within its section. A negative index <c>i</c> is read as
    /// <c>i + count + 1</c>, so -1 appends.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the section.</exception>
    public Signature Insert(int index, Field field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var inputs = InputFields.ToList();
        var outputs = OutputFields.ToList();
        var section = field.IsInput ? inputs : outputs;
        var position = index < 0 ? index + section.Count + 1 : index;
        if (position < 0 || position > section.Count)
        {
            // DSPy's message, including its report of the already-shifted index and its range text.
            var kind = field.IsInput ? "input" : "output";
            throw new ArgumentOutOfRangeException(null,
                $"Invalid index to insert: {position}, index must be in the range of [{section.Count - 1}, {section.Count}] for {kind} fields, but received: {position}.");
        }
        section.Insert(position, field);
        return new Signature([.. inputs, .. outputs], Instructions);
    }

    /// <summary>A new signature without the named field; no error if it is absent.</summary>
    public Signature Delete(string name) => new(Fields.Where(f => f.Name != name), Instructions);

    /// <summary>
    /// DSPy's structural <c>equals</c>: same instructions, same field names, and every field's DSPy metadata
    /// (kind, description, prefix, constraints, whether a string-signature input was untyped) equal.
    /// Types and order are not compared, as in DSPy.
    /// </summary>
    public bool StructurallyEquals(Signature? other)
    {
        if (other is null) return false;
        if (Instructions != other.Instructions) return false;
        var mine = Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var theirs = other.Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        if (mine.Count != theirs.Count || !mine.Keys.All(theirs.ContainsKey)) return false;
        return mine.All(kv =>
        {
            var o = theirs[kv.Key];
            return kv.Value.Kind == o.Kind && kv.Value.Description == o.Description && kv.Value.Prefix == o.Prefix
                && kv.Value.Constraints == o.Constraints && kv.Value.IsTypeUndefined == o.IsTypeUndefined;
        });
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}({SignatureText}\n    instructions={Instructions}\n)";
}
