#!/usr/bin/env python3
"""Seeded generator of `dspy prompt` conformance cases (signature, instructions, adapter, demos, inputs).

Usage: gen_cases.py SEED COUNT > cases.jsonl
Each line: {"id", "adapter", "signature", "instructions" (or null), "demos_jsonl" (text or null), "inputs_json"}.
Inputs and demos are carried as JSON *text* so unusual number spellings (3.0e5, 1E-7, -0.0) reach both sides verbatim.
"""
import json
import random
import sys

NAMES = ["question", "context", "answer", "q", "a", "passages", "score", "isCorrect", "text2number", "HTMLParser",
         "x_1", "summary", "claims", "label", "reasoning", "rating", "items", "meta", "camelCaseName", "value"]

WORDS = ["hello", "Hello, world!", "", " padded ", "multi\nline\ntext", "tab\there", "quote \"double\"", "it's",
         "«guillemets»", "emoji 🚀 ü ß 日本", "trailing newline\n", "\nleading newline", "back\\slash", "a & b < c",
         "<tag>x</tag>", "  \n  ", "[[ ## fake ## ]]", "{\"json\": 1}", "None", "True", "line\r\nbreak", "x" * 3,
         "cr\ronly", "sep\u2028line", "nel\x85char", "ctrl\x01\x1f\x7f", "{braces} and {{double}}", "é 名前 ✓", "»close first«",
         "  leading", "trailing  ", "\t", "a\n\nb", "'single' \"double\"", "\\n literal"]


class Raw:
    """A number spelled exactly as given in the JSON text."""

    def __init__(self, text):
        self.text = text


FLOATS = [Raw("100.0"), Raw("0.1"), Raw("1e-07"), Raw("1e16"), Raw("-0.0"), Raw("3.0e5"), Raw("1E-7"), Raw("2.5"),
          Raw("123456789.123"), Raw("1e22"), Raw("1.5e300"), Raw("0.0001"), Raw("1e-05"), Raw("12345678901234567.0"),
          Raw("1.0"), Raw("-2.5e-10"), Raw("0.30000000000000004"), Raw("5e-324"), Raw("1.7976931348623157e308"), Raw("1e15"),
          Raw("123456789012345678.0"), Raw("0.5E+3"), Raw("-1.0")]
INTS = [0, 1, -5, 42, 10 ** 18, Raw("12345678901234567890"), 7]


def dump(v):
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, list):
        return "[" + ", ".join(dump(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " + dump(x) for k, x in v.items()) + "}"
    return json.dumps(v, ensure_ascii=False)


def r_str(r):
    return r.choice(WORDS)


def r_int(r):
    return r.choice(INTS)


def r_float(r):
    return r.choice(FLOATS)


def r_bool(r):
    return r.choice([True, False])


def r_list(gen, r, maxn=4):
    return [gen(r) for _ in range(r.choice([0, 1, 1, 2, 3, maxn]))]


def r_any(r):
    return r.choice([r_str, r_int, r_float, r_bool, lambda r: None, lambda r: r_list(r_int, r, 2),
                     lambda r: {"k": r_str(r), "n": r_float(r)}])(r)


def r_dict(gen, r):
    keys = r.sample(["a", "b", "key with space", "ключ", "z", "1", 'q"uote', "new\nline", "back\\slash", "", "«k»"], r.choice([0, 1, 2, 3]))
    return {k: gen(r) for k in keys}


def opt(gen):
    return lambda r: None if r.random() < 0.3 else gen(r)


TYPES = [
    ("str", r_str), ("int", r_int), ("float", r_float), ("bool", r_bool),
    ("list[str]", lambda r: r_list(r_str, r)), ("list[int]", lambda r: r_list(r_int, r)),
    ("list[float]", lambda r: r_list(r_float, r)), ("dict[str, int]", lambda r: r_dict(r_int, r)),
    ("dict[str, Any]", lambda r: r_dict(r_any, r)), ("dict[str, list[str]]", lambda r: r_dict(lambda r: r_list(r_str, r, 2), r)),
    ("Optional[int]", opt(r_int)), ("Optional[str]", opt(r_str)), ("str | None", opt(r_str)), ("int | None", opt(r_int)),
    ("float | None", opt(r_float)), ("Union[int, str]", lambda r: r.choice([r_int, r_str])(r)),
    ("Union[str, int, None]", opt(lambda r: r.choice([r_int, r_str])(r))),
    ("Literal['a', 'b']", lambda r: r.choice(["a", "b"])),
    ("Literal[\"it's\", 'say \"hi\"']", lambda r: r.choice(["it's", 'say "hi"'])),
    ("Literal['pos', \"n'e\\\"g\"]", lambda r: r.choice(["pos", "n'e\"g"])),
    ("Literal[1, 2, 3]", lambda r: r.choice([1, 2, 3])), ("Literal[True, False]", r_bool),
    ("Literal['x', None]", lambda r: r.choice(["x", None])),
    ("tuple[int, str]", lambda r: [r_int(r), r_str(r)]), ("tuple[int, ...]", lambda r: r_list(r_int, r)),
    ("set[str]", lambda r: r_list(r_str, r)), ("list[dict[str, int]]", lambda r: r_list(lambda r: r_dict(r_int, r), r, 2)),
    ("dict[str, list[int]]", lambda r: r_dict(lambda r: r_list(r_int, r, 2), r)), ("list[list[int]]", lambda r: r_list(lambda r: r_list(r_int, r, 2), r, 2)),
    ("list[Optional[int]]", lambda r: r_list(opt(r_int), r)), ("Any", r_any), ("List[str]", lambda r: r_list(r_str, r)),
    ("Dict[str, int]", lambda r: r_dict(r_int, r)), ("list", lambda r: r_list(r_any, r)), ("dict", lambda r: r_dict(r_any, r)),
    ("typing.List[int]", lambda r: r_list(r_int, r)), ("frozenset[int]", lambda r: r_list(r_int, r)),
    ("int | str | None", opt(lambda r: r.choice([r_int, r_str])(r))), ("None | int", opt(r_int)),
    ("Optional[list[str]]", opt(lambda r: r_list(r_str, r))), ("dict[str, Optional[float]]", lambda r: r_dict(opt(r_float), r)),
    ("Tuple[str, float]", lambda r: [r_str(r), r_float(r)]), ("bytes", r_str), ("complex", r_str),
    ("Literal['only']", lambda r: "only"), ("Union[int]", r_int), ("Optional[Literal['a', 'b']]", opt(lambda r: r.choice(["a", "b"]))),
    ("dict[int, str]", lambda r: {"1": r_str(r)}),
    ("Union[list[int], dict[str, int]]", lambda r: r.choice([lambda r: r_list(r_int, r), lambda r: r_dict(r_int, r)])(r)),
    ("tuple", lambda r: r_list(r_int, r)), ("None", r_str), ("typing.Optional[int]", opt(r_int)),
    ("dspy.Code", r_str), ("dspy.Reasoning", r_str), ("dspy.ToolCalls", lambda r: {"tool_calls": [{"name": "search", "args": {"q": r_str(r)}}]}),
    ("dspy.Image", lambda r: {"url": "https://example.com/x.png"}), ("Literal['a'] | None", opt(lambda r: "a")),
    ("list[Literal['x', 'y']]", lambda r: r_list(lambda r: r.choice(["x", "y"]), r)), ("dict[str, dict[str, float]]", lambda r: r_dict(lambda r: r_dict(r_float, r), r)),
    ("Optional[dict[str, Any]]", opt(lambda r: r_dict(r_any, r))), ("list[tuple[int, str]]", lambda r: r_list(lambda r: [r_int(r), r_str(r)], r, 2)),
    ("list[bool]", lambda r: r_list(r_bool, r)), ("set[int]", lambda r: r_list(r_int, r)),
    ("Sequence[str]", lambda r: r_list(r_str, r)), ("Mapping[str, float]", lambda r: r_dict(r_float, r)), ("Iterable[int]", lambda r: r_list(r_int, r)),
    ("Annotated[int, 'meta']", r_int), ("Annotated[Optional[str], 'm']", opt(r_str)),
]
UNTYPED = ("", r_str)

INSTRUCTIONS = [
    None, None, None, "", "Answer the question.", "Answer questions with short factoid answers.",
    "Line one.\nLine two.", "  Indented first line.\n    indented more\n  back", "\n\nLeading blank lines.\n\n",
    "Summarize.\n\n    - point one\n    - point two\n\nDone.", "Tabs:\n\tindented with tab\n\tagain",
    "Use «quotes» and \"double\" and 'single'.", "Trailing spaces   \nnext line  ", "\n    Docstring style:\n    do the thing.\n\n    Then more.\n    ",
    "Windows\r\nline endings", "Unicode line\u2028separator", "single\n", "x", "   ", "First\n  Second\n    Third\n  Fourth",
    "Emoji 🚀 task.\nSecond ✓.", "Form\x0cfeed",
    "  mixed\n\t tab and spaces\n    four", "a\n  \n  b", "Curly {braces} here.", "Line\rCR only", "last line has spaces\n   ",
    "\tTab first\n\tTab second", "NEL\x85char", "    Both lines\n    indented alike", "Trailing backslash \\",
]

# Signature strings at the edge of DSPy's parser: some DSPy rejects, some it accepts in surprising ways.
INVALID_SIGS = ["a:int->b:float", "question ->answer", "a: list[str] -> b: dict[str, list[Optional[int]]]", "a: 'x' -> b",
                "a: Union[] -> b", "a: list[] -> b", "a: int, -> b", "a -> b: int | None | str", "a: typing.Any -> b: typing.Dict[str, int]",
                "a: dspy.History -> b", "a -> b: dspy.Nope", "a: nope.Thing -> b", "a: int[str] -> b", "a: Literal['a'] -> b: Literal[\"q'\\\"\"]",
                "é -> ü", "a: set -> b: frozenset", "a: (int, str) -> b", "a: [int] -> b", "a: list[int] | None -> b: dict[str, int] | None",
                "a: Optional[Optional[int]] -> b: Union[int, Union[str, None]]", "a: Literal['x'] | Literal['y'] -> b", "async -> b",
                "a: NoneType -> b: NoneType", "a -> b: list['x']", "a: List['x'] -> b", "a: Optional['x'] -> b: Union['y', int]",
                "a: Union['x'] -> b", "a: tuple['x', int] -> b: dict[str, 'z']", "q -> b: Sequence['y']", "_a -> b", "a -> _", "instructions -> b", "a -> fields", "a -> model_dump", "model_fields -> b",
                "a,\n b -> c", "a # c -> b", "a: list [int] -> b", "a -> b: Literal[('x', 'y')]", "a -> b: Union[int, bool]", "a: Tuple[()] -> b", "a: tuple[()] -> b","a -> b -> c", "a b -> c", "a: UnknownType -> b", "a, a -> b", "a -> a", "class -> b", "a: list[int -> b",
                "a: 'str' -> b", "a: 5 -> b", "a: Optional[int, str] -> b", "a -> b: Literal[-1, 1]", "question answer",
                "a: int = 3 -> b", "*args -> b", "a, -> b", " -> b", "a -> ", "a: None -> b: None", "a: list[int] -> b: foo.Bar",
                "a -> b, c,", "a:int->b:float", "  a  ,  b  ->  c  ", "a: dict[str, 'x'] -> b", "1a -> b", "a: List -> b", "a, *, b -> c", "a, /, b -> c", "**kw -> b", "a = 1, b -> c", "a: int = 3, b: str = 'x' -> c", "a, *rest: int, b -> c", "a -> b: tuple[int, ...]", "a: None | int -> b: None | str", "a: Optional -> b", "a: Literal -> b", "a -> b: Literal['x', 2, None, True]", "a -> b: Dict", "a -> b: Literal[1.5, 'x']"]


def make_sig(r):
    n_in = r.choice([1, 1, 2, 2, 3])
    n_out = r.choice([1, 1, 2, 3])
    names = r.sample(NAMES, n_in + n_out)
    fields = []
    for i, name in enumerate(names):
        t = UNTYPED if r.random() < 0.25 else r.choice(TYPES)
        fields.append((name, t, i < n_in))
    return fields


def sig_text(fields):
    def one(f):
        name, (ann, _), _ = f
        return f"{name}: {ann}" if ann else name
    ins = ", ".join(one(f) for f in fields if f[2])
    outs = ", ".join(one(f) for f in fields if not f[2])
    return f"{ins} -> {outs}"


def str_list_value(r):
    return [r_str(r) for _ in range(r.choice([0, 1, 2, 3]))]


def value_for(f, r):
    name, (ann, gen), _ = f
    if r.random() < 0.07:
        return r_any(r)  # a value of another type: adapters render it as it is
    if ann in ("", "str") and r.random() < 0.2:
        return str_list_value(r)  # list into a str field: DSPy's numbered «» list
    if r.random() < 0.05:
        return None
    return gen(r)


def make_case(i, r):
    adapter = r.choice(["chat", "chat", "json", "xml", "two-step"])
    if r.random() < 0.06:
        sig = r.choice(INVALID_SIGS)
        return {"id": i, "adapter": adapter, "signature": sig, "instructions": None, "demos_jsonl": None,
                "inputs_json": dump({"a": "x"})}
    fields = make_sig(r)
    if r.random() < 0.03:
        fields = [f for f in fields if not f[2]]  # only a history input
    history = r.random() < 0.1
    sig = sig_text(fields)
    if history:
        ins, outs = sig.split(" -> ")
        sig = f"{ins}, history: dspy.History -> {outs}"
    inputs = {f[0]: value_for(f, r) for f in fields if f[2] and r.random() < 0.95}
    if history:
        msgs = []
        for _ in range(r.choice([0, 1, 2])):
            m = {f[0]: value_for(f, r) for f in fields if r.random() < 0.85}
            msgs.append(m)
        inputs["history"] = {"messages": msgs}
    demos = None
    if r.random() < 0.45:
        demos = []
        for _ in range(r.choice([1, 2, 3])):
            kind = r.random()
            d = {}
            for f in fields:
                if kind < 0.5 or r.random() < 0.6:
                    d[f[0]] = value_for(f, r)
            if r.random() < 0.1:
                d["extra_key"] = "ignored"
            if history and r.random() < 0.4:
                d["history"] = {"messages": [{f[0]: value_for(f, r) for f in fields if r.random() < 0.7}]}
            demos.append(d)
    return {"id": i, "adapter": adapter, "signature": sig, "instructions": r.choice(INSTRUCTIONS),
            "demos_jsonl": None if demos is None else "\n".join(dump(d) for d in demos) + "\n",
            "inputs_json": dump(inputs)}


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    r = random.Random(seed)
    for i in range(count):
        print(json.dumps(make_case(i, r), ensure_ascii=False))
    # Every edge-case signature once, with inputs for the fields it may have.
    for j, sig in enumerate(INVALID_SIGS):
        adapter = ["chat", "json", "xml", "two-step"][j % 4]
        print(json.dumps({"id": count + j, "adapter": adapter, "signature": sig, "instructions": None, "demos_jsonl": None,
                          "inputs_json": dump({"a": "x", "b": 2, "args": [1]})}, ensure_ascii=False))


if __name__ == "__main__":
    main()
