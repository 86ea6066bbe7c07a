#!/usr/bin/env python3
"""Runs each case through DSPy's own adapters and prints DSPy's messages (or its error) as JSONL.

Usage: run_dspy.py DSPY_CHECKOUT cases.jsonl > dspy.jsonl
DSPY_CHECKOUT is a directory holding DSPy's `dspy` package (3.3.1). `import dspy` must work: install DSPy's
dependencies, or put your own import-only stand-ins for the ones formatting never calls on PYTHONPATH
(see README.md). Nothing of DSPy is part of this repository.
"""
import json
import sys


def main():
    checkout, cases_path = sys.argv[1], sys.argv[2]
    sys.path.insert(0, checkout)
    import logging

    logging.disable(logging.CRITICAL)
    try:
        import dspy
    except ModuleNotFoundError as e:
        sys.exit(f"cannot import dspy from {checkout}: {e}. Install DSPy's dependencies or put stand-ins on PYTHONPATH.")
    from dspy.adapters import ChatAdapter, JSONAdapter, TwoStepAdapter, XMLAdapter

    class _NoLM(dspy.BaseLM):
        def __init__(self):
            super().__init__(model="none")

        def forward(self, *args, **kwargs):
            raise RuntimeError("format never calls the extraction model")

    adapters = {"chat": ChatAdapter, "json": JSONAdapter, "xml": XMLAdapter, "two-step": lambda: TwoStepAdapter(_NoLM())}

    with open(cases_path, encoding="utf-8") as f:
        for line in f:
            case = json.loads(line)
            out = {"id": case["id"]}
            try:
                sig = dspy.Signature(case["signature"], case["instructions"])
                inputs = json.loads(case["inputs_json"])
                for name, field in sig.input_fields.items():
                    if field.annotation is dspy.History and isinstance(inputs.get(name), dict):
                        inputs[name] = dspy.History(**inputs[name])
                demos = []
                if case["demos_jsonl"] is not None:
                    demos = [dspy.Example(**json.loads(l)) for l in case["demos_jsonl"].split("\n") if l.strip()]
                messages = adapters[case["adapter"]]().format(sig, demos, inputs)
                out["messages"] = [{"role": m["role"], "content": m["content"]} for m in messages]
            except Exception as e:  # DSPy rejects the case: the CLI must fail too
                out["error"] = f"{type(e).__name__}: {e}"
            print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
