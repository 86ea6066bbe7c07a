#!/usr/bin/env python3
"""Runs every case through the `dspy prompt` CLI and compares its messages with DSPy's, byte for byte.

Usage: compare.py CLI_DLL cases.jsonl dspy.jsonl [--out cli.jsonl] [--show N]
CLI_DLL is the built Dspy.Cli.dll (run with `dotnet`). dspy.jsonl comes from run_dspy.py on the same cases.
A case matches when both produce the same [{role, content}] list, or when DSPy raises and the CLI exits non-zero
with one line on stderr. Prints each mismatch (first N in full) and a summary; exits 1 on any mismatch.
"""
import argparse
import concurrent.futures
import difflib
import json
import os
import subprocess
import sys
import tempfile


def run_cli(dll, case):
    args = ["dotnet", dll, "prompt", "--signature", case["signature"], "--adapter", case["adapter"],
            "--inputs", case["inputs_json"]]
    if case["instructions"] is not None:
        args += ["--instructions", case["instructions"]]
    demo_path = None
    try:
        if case["demos_jsonl"] is not None:
            fd, demo_path = tempfile.mkstemp(suffix=".jsonl")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(case["demos_jsonl"])
            args += ["--demos", demo_path]
        p = subprocess.run(args, capture_output=True, timeout=60)
    finally:
        if demo_path:
            os.unlink(demo_path)
    out = {"id": case["id"], "rc": p.returncode, "stderr": p.stderr.decode("utf-8", "replace")}
    if p.returncode == 0:
        out["messages"] = json.loads(p.stdout.decode("utf-8"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dll")
    ap.add_argument("cases")
    ap.add_argument("dspy")
    ap.add_argument("--out")
    ap.add_argument("--show", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    cases = [json.loads(l) for l in open(a.cases, encoding="utf-8")]
    expected = {d["id"]: d for d in (json.loads(l) for l in open(a.dspy, encoding="utf-8"))}
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        results = list(pool.map(lambda c: run_cli(a.dll, c), cases))
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            for r in results:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    bad = 0
    for case, got in zip(cases, results):
        want = expected[case["id"]]
        if "error" in want:
            ok = got["rc"] != 0 and len(got["stderr"].strip().splitlines()) == 1
        else:
            ok = got["rc"] == 0 and got["messages"] == want["messages"]
        if ok:
            continue
        bad += 1
        if bad > a.show:
            print(f"MISMATCH case {case['id']} ({case['adapter']}): {case['signature']}")
            continue
        print("=" * 100)
        print(f"MISMATCH case {case['id']}: " + json.dumps(case, ensure_ascii=False))
        if "error" in want or got["rc"] != 0:
            print("  dspy:", want.get("error", "(ok)"))
            print("  cli rc", got["rc"], got["stderr"].strip()[:500])
            continue
        w, g = want["messages"], got["messages"]
        if len(w) != len(g):
            print(f"  message count dspy={len(w)} cli={len(g)}")
        for i, (mw, mg) in enumerate(zip(w, g)):
            if mw != mg:
                print(f"  message {i} ({mw['role']}/{mg['role']}):")
                for d in difflib.unified_diff(json.dumps(mw["content"], ensure_ascii=False).replace("\\n", "\\n\n").splitlines(),
                                              json.dumps(mg["content"], ensure_ascii=False).replace("\\n", "\\n\n").splitlines(),
                                              "dspy", "cli", lineterm="", n=1):
                    print("    " + d)
    print(f"{len(cases) - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
