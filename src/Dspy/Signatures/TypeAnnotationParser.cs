using System.Globalization;
using System.Text;

namespace Dspy;

/// <summary>
/// A recursive-descent parser for the Python type annotations allowed in DSPy string signatures
/// (<c>list[str]</c>, <c>dict[str, list[Optional[Tuple[int, str]]]]</c>, <c>Literal['a', 1]</c>, <c>int | None</c>,
/// <c>dspy.Image</c>, <c>Code["java"]</c>). It mirrors DSPy's <c>_parse_type_node</c>: names resolve through
/// <c>custom_types</c>, the <c>typing</c> names, <c>NoneType</c>, the builtins and the <c>dspy</c>/<c>typing</c> modules.
/// </summary>
internal sealed partial class TypeAnnotationParser
{
    private readonly string _text;
    private readonly IReadOnlyDictionary<string, Type>? _customTypes;
    private int _pos;

    private TypeAnnotationParser(string text, IReadOnlyDictionary<string, Type>? customTypes)
    {
        _text = text;
        _customTypes = customTypes;
    }

    /// <summary>Parses one annotation; the whole text must be consumed.</summary>
    public static TypeSpec Parse(string text, IReadOnlyDictionary<string, Type>? customTypes = null)
    {
        var parser = new TypeAnnotationParser(text, customTypes);
        var node = parser.ParseUnion();
        parser.SkipSpace();
        if (parser._pos != text.Length)
        {
            throw new ArgumentException($"Invalid type annotation '{text.Trim()}': unexpected '{text[parser._pos..]}'.");
        }
        return AsType(node, text);
    }

    /// <summary>
    /// Parses the annotation of a signature field. On top of <see cref="Parse"/>, this applies DSPy's
    /// <c>make_signature</c> rules for the annotation as a whole: a bare <c>None</c> means <c>str</c>, and the bare
    /// <c>typing</c> aliases (<c>List</c>, <c>Dict</c>...) and constants are not types.
    /// </summary>
    public static TypeSpec ParseField(string text, IReadOnlyDictionary<string, Type>? customTypes = null)
    {
        var parser = new TypeAnnotationParser(text, customTypes);
        var node = parser.ParseUnion();
        parser.SkipSpace();
        if (parser._pos != text.Length)
        {
            throw new ArgumentException($"Invalid type annotation '{text.Trim()}': unexpected '{text[parser._pos..]}'.");
        }
        return node switch
        {
            // ast.Constant(None) parses to None, and make_signature turns a None type into str.
            ConstantNode { Value: null } => TypeSpec.Str,
            ConstantNode c => throw new ArgumentException($"Field types must be types, but received: {Describe(c)}."),
            GenericNode { Name: "List" or "Dict" or "Set" or "Tuple" or "FrozenSet" or "Sequence" or "Iterable" or "Mapping" } g =>
                throw new ArgumentException($"Field types must be types, but received: typing.{g.Name}."),
            _ => AsType(node, text) is { IsForwardRef: true } forward
                ? throw new ArgumentException($"Field types must be types, but received: {forward.PythonName}.")
                : AsType(node, text),
        };
    }

    // A parsed expression is a resolved type, a generic still waiting for its subscript, or a constant.
    private abstract record Node;

    private sealed record TypeNode(TypeSpec Spec) : Node;

    private sealed record GenericNode(string Name) : Node;

    private sealed record ConstantNode(object? Value) : Node;

    // Python's Ellipsis constant (`...`), only meaningful as a type argument.
    private static readonly object EllipsisValue = new();

    private Node ParseUnion()
    {
        var left = ParsePostfix();
        while (TryConsume('|'))
        {
            var right = ParsePostfix();
            // DSPy turns `X | Y` into typing.Optional[X] / typing.Union[X, Y], so the result renders as Union[...].
            left = new TypeNode(TypeSpec.UnionOf([AsType(left, _text), AsType(right, _text)]));
        }
        return left;
    }

    private Node ParsePostfix()
    {
        var node = ParseAtom();
        while (TryConsume('['))
        {
            List<Node>? args = [];
            SkipSpace();
            // `X[]` is not valid Python; `X[()]` is an empty argument tuple and `X[(a, b)]` the same as `X[a, b]`.
            if (Peek(']')) throw Syntax("invalid syntax");
            var parenthesized = TryConsume('(');
            var close = parenthesized ? ')' : ']';
            SkipSpace();
            if (!parenthesized || !Peek(')'))
            {
                args.Add(ParseUnion());
                while (TryConsume(','))
                {
                    SkipSpace();
                    if (Peek(close)) break; // Python allows a trailing comma in a subscript tuple.
                    args.Add(ParseUnion());
                }
            }
            if (parenthesized)
            {
                Expect(')');
                if (args.Count == 0) args = null;
            }
            Expect(']');
            node = args is null ? EmptySubscript(node) : Subscript(node, args);
        }
        return node;
    }

    private Node ParseAtom()
    {
        SkipSpace();
        if (_pos >= _text.Length) throw Syntax("unexpected end of annotation");
        var c = _text[_pos];
        if (c is '"' or '\'')
        {
            // Adjacent string literals concatenate, as in Python.
            var text = ReadString();
            while (true)
            {
                SkipSpace();
                if (!Peek('"') && !Peek('\'')) break;
                text += ReadString();
            }
            return new ConstantNode(text);
        }
        if (string.CompareOrdinal(_text, _pos, "...", 0, 3) == 0)
        {
            _pos += 3;
            return new ConstantNode(EllipsisValue);
        }
        if (char.IsAsciiDigit(c)) return new ConstantNode(ReadNumber());
        if (IsIdentifierStart(c))
        {
            var name = ReadIdentifier();
            while (TryConsume('.'))
            {
                SkipSpace();
                if (_pos >= _text.Length || !IsIdentifierStart(_text[_pos])) throw Syntax("expected a name after '.'");
                name += "." + ReadIdentifier();
            }
            return name switch
            {
                "None" => new ConstantNode(null),
                "True" => new ConstantNode(true),
                "False" => new ConstantNode(false),
                _ => Resolve(name),
            };
        }
        throw Syntax($"unexpected '{c}'");
    }

    private Node Resolve(string name)
    {
        if (_customTypes is not null && _customTypes.TryGetValue(name, out var clr))
        {
            return new TypeNode(TypeSpecs.FromClrType(clr));
        }
        // `typing.X` and `dspy.X` resolve by importing the module in DSPy; both modules are known here.
        var local = name.StartsWith("typing.", StringComparison.Ordinal) ? name["typing.".Length..]
            : name.StartsWith("dspy.", StringComparison.Ordinal) ? name["dspy.".Length..]
            : name;
        var fromDspy = name.StartsWith("dspy.", StringComparison.Ordinal);
        var fromTyping = name.StartsWith("typing.", StringComparison.Ordinal);
        var bareName = !fromDspy && !fromTyping;

        if (!fromDspy)
        {
            switch (local)
            {
                case "Any": return new TypeNode(TypeSpec.AnyType);
                case "List" or "Dict" or "Set" or "FrozenSet" or "Tuple" or "Optional" or "Union" or "Literal" or "Annotated"
                    or "Sequence" or "Iterable" or "Mapping":
                    return new GenericNode(local);
            }
        }
        if (bareName)
        {
            switch (local)
            {
                case "NoneType": return new TypeNode(TypeSpec.None);
                case "str": return new TypeNode(TypeSpec.Str);
                case "int": return new TypeNode(TypeSpec.Int);
                case "float": return new TypeNode(TypeSpec.Float);
                case "bool": return new TypeNode(TypeSpec.Bool);
                case "list" or "dict" or "set" or "tuple" or "frozenset": return new GenericNode(local);
                case "complex" or "bytes" or "bytearray": return new TypeNode(TypeSpec.Named(local));
            }
        }
        if (!fromTyping)
        {
            switch (local)
            {
                case "Image": return new TypeNode(TypeSpec.ImageType);
                case "History": return new TypeNode(TypeSpec.HistoryType);
                case "ToolCalls": return new TypeNode(TypeSpec.ToolCallsType);
                case "Tool": return new TypeNode(TypeSpec.ToolType);
                case "Reasoning": return new TypeNode(TypeSpec.ReasoningType);
                case "Code": return new GenericNode("Code");
            }
        }
        // DSPy resolves the module first, so `mod.Foo` fails on `mod`, and a missing attribute of a known module
        // fails as an attribute (its message names the module object; here just the module name).
        if (fromDspy || fromTyping) throw new ArgumentException($"Unknown attribute: {local} on {(fromDspy ? "dspy" : "typing")}");
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        throw new ArgumentException($"Unknown name: {(dot < 0 ? name : name[..dot])}");
    }

    private TypeNode Subscript(Node target, List<Node> args)
    {
        if (target is not GenericNode g)
        {
            throw new ArgumentException($"Invalid type annotation '{_text.Trim()}': {Describe(target)} is not subscriptable.");
        }
        switch (g.Name)
        {
            case "Optional":
                if (args.Count != 1) throw new ArgumentException("Optional must have exactly one type argument");
                return new TypeNode(TypeSpec.Optional(ArgType(args[0], typingForm: true)));
            case "Union":
                return new TypeNode(TypeSpec.UnionOf(args.Select(a => ArgType(a, typingForm: true))));
            case "Literal":
                return new TypeNode(MakeLiteral(args));
            case "Annotated":
                // pydantic moves Annotated metadata off the field, so DSPy sees (and prints) only the annotated type.
                if (args.Count < 2) throw new ArgumentException("Annotated[...] should be used with at least two arguments (a type and an annotation).");
                return new TypeNode(AsType(args[0], _text));
            case "Code":
                if (args.Count != 1 || args[0] is not ConstantNode { Value: string language })
                {
                    throw new ArgumentException($"Invalid type annotation '{_text.Trim()}': Code[...] takes one language string.");
                }
                return new TypeNode(TypeSpec.CodeSubscript(language));
        }
        // Builtin generics keep a string argument as it is; typing's generics wrap it in a ForwardRef.
        var types = args.Select(a => ArgType(a, typingForm: char.IsUpper(g.Name[0]))).ToArray();
        return g.Name switch
        {
            "list" or "List" => new TypeNode(TypeSpec.Generic(TypeKind.List, types)),
            "dict" or "Dict" => new TypeNode(TypeSpec.Generic(TypeKind.Dict, types)),
            "set" or "Set" => new TypeNode(TypeSpec.Generic(TypeKind.Set, types)),
            "tuple" or "Tuple" => new TypeNode(TypeSpec.Generic(TypeKind.Tuple, types)),
            "frozenset" or "FrozenSet" => new TypeNode(TypeSpec.NamedGeneric("frozenset", types)),
            // typing's abstract collections print by their collections.abc name: Sequence[int], Mapping[str, int].
            "Sequence" or "Iterable" or "Mapping" => new TypeNode(TypeSpec.NamedGeneric(g.Name, types)),
            _ => throw new ArgumentException($"Invalid type annotation '{_text.Trim()}': {g.Name} is not subscriptable."),
        };
    }

    private TypeSpec ArgType(Node node, bool typingForm) =>
        node is ConstantNode { Value: string s } ? TypeSpec.ForwardRef(s, typingForm) : AsType(node, _text);

    // `tuple[()]` / `Tuple[()]`: a tuple of no items, which DSPy renders as `tuple[]`.
    private TypeNode EmptySubscript(Node target) => target is GenericNode { Name: "tuple" or "Tuple" }
        ? new TypeNode(TypeSpec.EmptyTuple)
        : throw new ArgumentException($"Invalid type annotation '{_text.Trim()}': {Describe(target)}[()] is not supported.");

    private TypeSpec MakeLiteral(List<Node> args)
    {
        // typing.Literal flattens nested Literals and drops repeated values (True and 1 stay distinct).
        var values = new List<object?>();
        foreach (var a in args)
        {
            IEnumerable<object?> items = a switch
            {
                ConstantNode c => [c.Value],
                TypeNode { Spec.Kind: TypeKind.Literal } t => t.Spec.LiteralValues,
                _ => throw new ArgumentException($"Invalid type annotation '{_text.Trim()}': Literal values must be constants."),
            };
            foreach (var v in items)
            {
                if (!values.Any(x => Equals(x, v) && x?.GetType() == v?.GetType())) values.Add(v);
            }
        }
        return TypeSpec.LiteralOf([.. values]);
    }

    private static TypeSpec AsType(Node node, string text) => node switch
    {
        TypeNode t => t.Spec,
        // A None in type position is NoneType, as typing does in unions and Optional.
        ConstantNode { Value: null } => TypeSpec.None,
        ConstantNode c when ReferenceEquals(c.Value, EllipsisValue) => TypeSpec.EllipsisType,
        // Bare typing generics (List, Dict...) render with empty brackets; builtins without brackets as their name.
        GenericNode { Name: "List" } => TypeSpec.Generic(TypeKind.List, [], bare: true),
        GenericNode { Name: "Dict" } => TypeSpec.Generic(TypeKind.Dict, [], bare: true),
        GenericNode { Name: "Set" } => TypeSpec.Generic(TypeKind.Set, [], bare: true),
        GenericNode { Name: "Tuple" } => TypeSpec.Generic(TypeKind.Tuple, [], bare: true),
        GenericNode { Name: "FrozenSet" } => TypeSpec.NamedGeneric("frozenset", [], bare: true),
        GenericNode { Name: "Sequence" or "Iterable" or "Mapping" } g => TypeSpec.NamedGeneric(g.Name, [], bare: true),
        GenericNode { Name: "list" } => TypeSpec.BareList,
        GenericNode { Name: "dict" } => TypeSpec.BareDict,
        GenericNode { Name: "set" } => TypeSpec.Generic(TypeKind.Set, []),
        GenericNode { Name: "tuple" } => TypeSpec.Generic(TypeKind.Tuple, []),
        GenericNode { Name: "frozenset" } => TypeSpec.Named("frozenset"),
        GenericNode { Name: "Code" } => TypeSpec.CodeOf(),
        GenericNode g => throw new ArgumentException($"Invalid type annotation '{text.Trim()}': {g.Name} needs type arguments."),
        ConstantNode c => throw new ArgumentException($"Invalid type annotation '{text.Trim()}': the constant {TypeSpec.LiteralToPython(c.Value)} is not a type."),
        _ => throw new InvalidOperationException("Unknown annotation node."),
    };

    private static string Describe(Node node) => node switch
    {
        ConstantNode c when ReferenceEquals(c.Value, EllipsisValue) => "Ellipsis",
        TypeNode t => t.Spec.PythonName,
        ConstantNode c => TypeSpec.LiteralToPython(c.Value),
        GenericNode g => g.Name,
        _ => "?",
    };
}
