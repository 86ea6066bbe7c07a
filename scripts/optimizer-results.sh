#!/usr/bin/env bash
# The README's optimizer results table: for each bundled task and each optimizer, `dspy compile --json` on the
# simulated LM (docs/sim.md), then one Markdown row per run with the dev score before and after and the LM calls
# the compile made. Scores are the simulator's, not a real model's.
#   bash scripts/optimizer-results.sh                     # every task x every optimizer below
#   TASKS="intent" OPTIMIZERS="bootstrap-fewshot" bash scripts/optimizer-results.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tasks="${TASKS:-intent arithmetic}"
optimizers="${OPTIMIZERS:-labeled-fewshot bootstrap-fewshot random-search}"
out="artifacts/optimizer-results"
mkdir -p "$out"
dotnet build src/Client -c Release -nologo -clp:ErrorsOnly >/dev/null
cli="src/Client/bin/Release/net10.0/Dspy.Cli.dll"
caches="$(mktemp -d)"
trap 'rm -rf "$caches"' EXIT

for task in $tasks; do
  for optimizer in $optimizers; do
    # A fresh cache per run, so the LM calls counted are the ones this compile needs.
    DSPY_CACHEDIR="$caches/$task.$optimizer" dotnet "$cli" compile \
      --signature "$(cat "samples/$task/signature.txt")" \
      --train "samples/$task/train.jsonl" --val "samples/$task/dev.jsonl" \
      --metric exact_match --optimizer "$optimizer" --lm sim \
      --out "$out/$task.$optimizer.json" --json >"$out/$task.$optimizer.summary.json" 2>"$out/$task.$optimizer.log"
  done
done

python3 - "$out" $tasks -- $optimizers <<'PY'
import json, sys
out = sys.argv[1]
sep = sys.argv.index("--")
tasks, optimizers = sys.argv[2:sep], sys.argv[sep + 1:]
print("| task | optimizer | dev before | dev after | LM calls to compile |")
print("|---|---|---:|---:|---:|")
for t in tasks:
    for o in optimizers:
        s = json.load(open(f"{out}/{t}.{o}.summary.json"))
        print(f"| {t} | {o} | {s['score_before']}% | {s['score_after']}% | {s['lm_calls']['compile']:,} |")
PY
