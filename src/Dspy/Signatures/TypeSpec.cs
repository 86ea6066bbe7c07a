using System.Globalization;
using System.Text;

namespace Dspy;

/// <summary>The kinds of field annotation DSPy understands, named after their Python spelling.</summary>
public enum TypeKind
{
    /// <summary><c>str</c></summary>
    Str,
    /// <summary><c>int</c></summary>
    Int,
    /// <summary><c>float</c></summary>
    Float,
    /// <summary><c>bool</c></summary>
    Bool,
    /// <summary><c>typing.Any</c></summary>
    Any,
    /// <summary><c>NoneType</c> (only meaningful inside a union).</summary>
    NoneType,
    /// <summary><c>list[T]</c></summary>
    List,
    /// <summary><c>dict[K, V]</c></summary>
    Dict,
    /// <summary><c>tuple[...]</c></summary>
    Tuple,
    /// <summary><c>set[T]</c></summary>
    Set,
    /// <summary><c>Union[...]</c>, <c>Optional[T]</c> or PEP 604 <c>X | Y</c>.</summary>
    Union,
    /// <summary><c>Literal[...]</c></summary>
    Literal,
    /// <summary>A CLR enum (DSPy: a Python <c>Enum</c>).</summary>
    Enum,
    /// <summary>A structured CLR record or class (DSPy: a pydantic model), described by a JSON schema.</summary>
    Object,
    /// <summary><c>dspy.History</c></summary>
    History,
    /// <summary><c>dspy.Image</c></summary>
    Image,
    /// <summary><c>dspy.Tool</c></summary>
    Tool,
    /// <summary><c>dspy.ToolCalls</c></summary>
    ToolCalls,
    /// <summary><c>dspy.Code</c></summary>
    Code,
    /// <summary><c>dspy.Reasoning</c> (renders as <c>str</c>).</summary>
    Reasoning,
    /// <summary>Any other named type, such as <c>bytes</c>, <c>complex</c> or a <c>custom_types</c> entry.</summary>
    Named,
}

/// <summary>
/// An immutable description of a signature field's type, equivalent to a Python type annotation.
/// It knows how DSPy renders itself in prompts (<see cref="PythonName"/>); adapters use it to format
/// and parse values.
/// </summary>
public sealed class TypeSpec : IEquatable<TypeSpec>
{
    private TypeSpec(TypeKind kind, IReadOnlyList<TypeSpec>? args = null, IReadOnlyList<object?>? literalValues = null,
        Type? clrType = null, string? name = null, bool isPep604 = false, bool isBare = false, bool isSubscripted = false, bool isForwardRef = false)
    {
        IsForwardRef = isForwardRef;
        IsSubscripted = isSubscripted;
        Kind = kind;
        Args = args ?? [];
        LiteralValues = literalValues ?? [];
        ClrType = clrType;
        Name = name;
        IsPep604 = isPep604;
        IsBare = isBare;
    }

    /// <summary>The kind of type.</summary>
    public TypeKind Kind { get; }

    /// <summary>Type arguments: the item of a list or set, key and value of a dict, items of a tuple, members of a union.</summary>
    public IReadOnlyList<TypeSpec> Args { get; }

    /// <summary>The allowed values of a <c>Literal</c>: strings, longs, booleans or null.</summary>
    public IReadOnlyList<object?> LiteralValues { get; }

    /// <summary>The CLR type behind an enum, object or custom type, if any.</summary>
    public Type? ClrType { get; }

    /// <summary>The Python name of a <see cref="TypeKind.Named"/> type, or the name used for an object or enum.</summary>
    public string? Name { get; }

    /// <summary>True for a union written as <c>X | Y</c>, which Python renders as <c>UnionType[...]</c>.</summary>
    public bool IsPep604 { get; }

    /// <summary>True for a generic written without arguments through <c>typing</c>, such as <c>List</c>; it renders as <c>list[]</c>.</summary>
    public bool IsBare { get; }

    /// <summary>
    /// True for <c>Code["lang"]</c> written with an explicit language: DSPy creates a subclass named
    /// <c>Code_lang</c> for it, and that is the name prompts show. Also set on <see cref="EmptyTuple"/>
    /// (<c>tuple[()]</c>), to tell it from a bare <c>typing.Tuple</c>.
    /// </summary>
    public bool IsSubscripted { get; }

    /// <summary><c>str</c>.</summary>
    public static TypeSpec Str { get; } = new(TypeKind.Str);
    /// <summary><c>int</c>.</summary>
    public static TypeSpec Int { get; } = new(TypeKind.Int);
    /// <summary><c>float</c>.</summary>
    public static TypeSpec Float { get; } = new(TypeKind.Float);
    /// <summary><c>bool</c>.</summary>
    public static TypeSpec Bool { get; } = new(TypeKind.Bool);
    /// <summary><c>typing.Any</c>.</summary>
    public static TypeSpec AnyType { get; } = new(TypeKind.Any);
    /// <summary><c>NoneType</c>, as a member of unions.</summary>
    public static TypeSpec None { get; } = new(TypeKind.NoneType);
    /// <summary><c>dspy.History</c>.</summary>
    public static TypeSpec HistoryType { get; } = new(TypeKind.History);
    /// <summary><c>dspy.Image</c>.</summary>
    public static TypeSpec ImageType { get; } = new(TypeKind.Image);
    /// <summary><c>dspy.Tool</c>.</summary>
    public static TypeSpec ToolType { get; } = new(TypeKind.Tool);
    /// <summary><c>dspy.ToolCalls</c>.</summary>
    public static TypeSpec ToolCallsType { get; } = new(TypeKind.ToolCalls);
    /// <summary><c>dspy.Reasoning</c> (renders as <c>str</c>).</summary>
    public static TypeSpec ReasoningType { get; } = new(TypeKind.Reasoning);

    /// <summary>
    /// Python's <c>...</c> (Ellipsis) as a type argument, as in <c>tuple[int, ...]</c>; it renders as <c>Ellipsis</c>
    /// because DSPy prints a non-type argument with <c>str()</c>.
    /// </summary>
    public static TypeSpec EllipsisType { get; } = new(TypeKind.Named, name: "Ellipsis");

    /// <summary>
    /// True for a string used as a type argument, as in <c>dict[str, 'Item']</c>: Python keeps it unresolved (a forward
    /// reference), DSPy prints it, and pydantic cannot build a schema for it.
    /// </summary>
    public bool IsForwardRef { get; }

    /// <summary>
    /// A forward reference: <paramref name="expression"/> as written inside a builtin generic (<c>list['X']</c>, printed
    /// <c>X</c>), or wrapped by a <c>typing</c> generic (<c>List['X']</c>, printed <c>ForwardRef('X')</c>).
    /// </summary>
    public static TypeSpec ForwardRef(string expression, bool typingForm)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return new TypeSpec(TypeKind.Named, name: typingForm ? "ForwardRef(" + PythonRepr.Repr(expression) + ")" : expression, isForwardRef: true);
    }

    /// <summary>
    /// <c>tuple[()]</c>: the tuple of no items, which DSPy prints as <c>tuple[]</c> (like a bare <c>typing.Tuple</c>)
    /// but whose schema allows no items.
    /// </summary>
    public static TypeSpec EmptyTuple { get; } = new(TypeKind.Tuple, isBare: true, isSubscripted: true);

    /// <summary>True for a variable-length tuple <c>tuple[X, ...]</c>: any number of items of <c>X</c>.</summary>
    public bool IsVariadicTuple => Kind == TypeKind.Tuple && Args.Count == 2 && Args[1].Kind == TypeKind.Named && Args[1].Name == "Ellipsis" && Args[1].Args.Count == 0;

    /// <summary><c>list</c> without arguments (the builtin), rendered <c>list</c>.</summary>
    public static TypeSpec BareList { get; } = new(TypeKind.List);

    /// <summary><c>dict</c> without arguments (the builtin), rendered <c>dict</c>.</summary>
    public static TypeSpec BareDict { get; } = new(TypeKind.Dict);

    /// <summary><c>list[item]</c>.</summary>
    public static TypeSpec ListOf(TypeSpec item) => new(TypeKind.List, [item]);
    /// <summary><c>set[item]</c>.</summary>
    public static TypeSpec SetOf(TypeSpec item) => new(TypeKind.Set, [item]);
    /// <summary><c>dict[key, value]</c>.</summary>
    public static TypeSpec DictOf(TypeSpec key, TypeSpec value) => new(TypeKind.Dict, [key, value]);
    /// <summary><c>tuple[items...]</c>.</summary>
    public static TypeSpec TupleOf(params TypeSpec[] items) => new(TypeKind.Tuple, items);

    /// <summary>A generic of the given kind with explicit arguments, or bare (<c>typing.List</c> alone) when <paramref name="bare"/> is set.</summary>
    public static TypeSpec Generic(TypeKind kind, IReadOnlyList<TypeSpec> args, bool bare = false) => new(kind, args, isBare: bare && args.Count == 0);

    /// <summary><c>Code["language"]</c>; the default language is python.</summary>
    public static TypeSpec CodeOf(string language = "python") => new(TypeKind.Code, name: language);

    /// <summary>
    /// <c>Code["language"]</c> written with a subscript, as in the string signature <c>code: Code["java"]</c>.
    /// DSPy names the generated class <c>Code_java</c>, so it renders differently from a bare <c>Code</c>.
    /// </summary>
    public static TypeSpec CodeSubscript(string language)
    {
        ArgumentException.ThrowIfNullOrEmpty(language);
        return new TypeSpec(TypeKind.Code, name: language, isSubscripted: true);
    }

    /// <summary>The language of a <see cref="TypeKind.Code"/> type (python unless given).</summary>
    public string CodeLanguage => Kind == TypeKind.Code ? Name ?? "python" : throw new InvalidOperationException("Not a Code type.");

    /// <summary>A named type DSPy does not interpret further (<c>bytes</c>, <c>complex</c>, a custom type).</summary>
    public static TypeSpec Named(string name, Type? clrType = null) => new(TypeKind.Named, clrType: clrType, name: name);

    /// <summary>
    /// A named generic DSPy does not interpret further, such as <c>frozenset[int]</c>; <paramref name="bare"/>
    /// marks the <c>typing</c> spelling without arguments (<c>FrozenSet</c>), which renders as <c>frozenset[]</c>.
    /// </summary>
    public static TypeSpec NamedGeneric(string name, IReadOnlyList<TypeSpec> args, bool bare = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(args);
        return new TypeSpec(TypeKind.Named, args, name: name, isBare: bare && args.Count == 0);
    }

    /// <summary>A CLR enum.</summary>
    public static TypeSpec EnumOf(Type enumType)
    {
        ArgumentNullException.ThrowIfNull(enumType);
        if (!enumType.IsEnum) throw new ArgumentException($"{enumType} is not an enum.", nameof(enumType));
        return new TypeSpec(TypeKind.Enum, clrType: enumType, name: enumType.Name);
    }

    /// <summary>A structured CLR type (record or class), rendered by its class name and described by its JSON schema.</summary>
    public static TypeSpec ObjectOf(Type type, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        return new TypeSpec(TypeKind.Object, clrType: type, name: name ?? type.Name);
    }

    /// <summary><c>Literal[...]</c> over strings, integers (as <see cref="long"/>), booleans or null.</summary>
    public static TypeSpec LiteralOf(params object?[] values) => new(TypeKind.Literal, literalValues: values.Select(NormalizeLiteral).ToArray());

    /// <summary><c>Optional[T]</c>, which Python represents as <c>Union[T, None]</c>.</summary>
    public static TypeSpec Optional(TypeSpec inner) => UnionOf([inner, None], pep604: false);

    /// <summary>
    /// A union, flattened and de-duplicated as <c>typing.Union</c> does. A union of one member is that member.
    /// <paramref name="pep604"/> marks the <c>X | Y</c> spelling.
    /// </summary>
    public static TypeSpec UnionOf(IEnumerable<TypeSpec> members, bool pep604 = false)
    {
        var flat = new List<TypeSpec>();
        foreach (var m in members)
        {
            // typing.Union flattens nested unions of either spelling; X | Y flattens only X | Y unions.
            IEnumerable<TypeSpec> parts = m.Kind == TypeKind.Union && (!pep604 || m.IsPep604) ? m.Args : [m];
            foreach (var p in parts)
            {
                if (!flat.Contains(p)) flat.Add(p);
            }
        }
        return flat.Count == 1 ? flat[0] : new TypeSpec(TypeKind.Union, flat, isPep604: pep604);
    }

    /// <summary>True if <c>None</c> is an allowed value (a union with <c>NoneType</c>, <c>Any</c>, or <c>NoneType</c> itself).</summary>
    public bool AllowsNone => Kind switch
    {
        TypeKind.NoneType or TypeKind.Any => true,
        TypeKind.Union => Args.Any(a => a.AllowsNone),
        TypeKind.Literal => LiteralValues.Any(v => v is null),
        _ => false,
    };

    /// <summary>For <c>Optional[T]</c> (a union of exactly one type and None), T; otherwise null.</summary>
    public TypeSpec? OptionalInner => Kind == TypeKind.Union && Args.Count == 2 && Args.Count(a => a.Kind == TypeKind.NoneType) == 1
        ? Args.First(a => a.Kind != TypeKind.NoneType)
        : null;

    /// <summary>
    /// The type's name as DSPy prints it in prompts (<c>get_annotation_name</c>): <c>str</c>, <c>list[str]</c>,
    /// <c>dict[str, int]</c>, <c>Literal['yes', 'no']</c>, <c>Union[str, NoneType]</c>, <c>UnionType[str, NoneType]</c>.
    /// </summary>
    public string PythonName
    {
        get
        {
            var sb = new StringBuilder();
            AppendPythonName(sb);
            return sb.ToString();
        }
    }

    private void AppendPythonName(StringBuilder sb)
    {
        switch (Kind)
        {
            case TypeKind.Str: sb.Append("str"); break;
            case TypeKind.Int: sb.Append("int"); break;
            case TypeKind.Float: sb.Append("float"); break;
            case TypeKind.Bool: sb.Append("bool"); break;
            case TypeKind.Any: sb.Append("Any"); break;
            case TypeKind.NoneType: sb.Append("NoneType"); break;
            case TypeKind.History: sb.Append("History"); break;
            case TypeKind.Image: sb.Append("Image"); break;
            case TypeKind.Tool: sb.Append("Tool"); break;
            case TypeKind.ToolCalls: sb.Append("ToolCalls"); break;
            case TypeKind.Reasoning: sb.Append("str"); break;
            case TypeKind.Code:
                sb.Append("Code");
                if (IsSubscripted) sb.Append('_').Append(Name);
                break;
            case TypeKind.Enum:
            case TypeKind.Object:
                sb.Append(Name);
                break;
            case TypeKind.Named: AppendGeneric(sb, Name ?? ""); break;
            case TypeKind.List: AppendGeneric(sb, "list"); break;
            case TypeKind.Set: AppendGeneric(sb, "set"); break;
            case TypeKind.Dict: AppendGeneric(sb, "dict"); break;
            case TypeKind.Tuple: AppendGeneric(sb, "tuple"); break;
            case TypeKind.Union: AppendGeneric(sb, IsPep604 ? "UnionType" : "Union"); break;
            case TypeKind.Literal:
                sb.Append("Literal[");
                for (var i = 0; i < LiteralValues.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(LiteralToPython(LiteralValues[i]));
                }
                sb.Append(']');
                break;
            default:
                throw new InvalidOperationException($"Unknown type kind {Kind}.");
        }
    }

    private void AppendGeneric(StringBuilder sb, string name)
    {
        sb.Append(name);
        if (Args.Count == 0 && !IsBare) return;
        sb.Append('[');
        for (var i = 0; i < Args.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            Args[i].AppendPythonName(sb);
        }
        sb.Append(']');
    }

    /// <summary>
    /// Renders one <c>Literal</c> member as DSPy does: strings in single quotes, double quotes when the
    /// string contains a single quote, single quotes with <c>\'</c> when it contains both; other values as Python's <c>str</c>.
    /// </summary>
    public static string LiteralToPython(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        string s when s.Contains('\'') && s.Contains('"') => "'" + s.Replace("'", "\\'", StringComparison.Ordinal) + "'",
        string s when s.Contains('\'') => "\"" + s + "\"",
        string s => "'" + s + "'",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => PythonFloat.Repr(d),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static object? NormalizeLiteral(object? v) => v switch
    {
        null or string or bool or long => v,
        int i => (long)i,
        short s => (long)s,
        byte b => (long)b,
        _ => v,
    };

    /// <inheritdoc/>
    public bool Equals(TypeSpec? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        return Kind == other.Kind && IsPep604 == other.IsPep604 && IsBare == other.IsBare && IsSubscripted == other.IsSubscripted
            && IsForwardRef == other.IsForwardRef
            && ClrType == other.ClrType
            && Name == other.Name && Args.SequenceEqual(other.Args) && LiteralValues.SequenceEqual(other.LiteralValues);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TypeSpec);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Kind);
        h.Add(Name);
        h.Add(ClrType);
        foreach (var a in Args) h.Add(a);
        foreach (var v in LiteralValues) h.Add(v);
        return h.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => PythonName;
}
