#!/usr/bin/env bash
# The README's optimizer results table: for each bundled task and each optimizer, `dspy compile --json` on the
# simulated LM (docs/sim.md), then one Markdown row per run with the dev score before and after and the LM calls
# the compile made. Scores are the simulator's, not a real model's. Each compile trains on the first $TRAIN_SIZE
# (default 100) training examples and is scored on the whole dev set. bootstrap-finetune and better-together fine-tune
# through OpenAI's API, so they run against `dspy sim serve` (its fine-tuning endpoints, docs/sim.md) as openai/sim.
#   bash scripts/optimizer-results.sh                     # every task x every optimizer below
#   TASKS="intent" OPTIMIZERS="bootstrap-fewshot" bash scripts/optimizer-results.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tasks="${TASKS:-intent arithmetic}"
optimizers="${OPTIMIZERS:-labeled-fewshot bootstrap-fewshot random-search knn-fewshot copro mipro gepa simba infer-rules bootstrap-finetune better-together}"
train_size="${TRAIN_SIZE:-100}"
out="artifacts/optimizer-results"
mkdir -p "$out"
dotnet build src/Client -c Release -nologo -clp:ErrorsOnly >/dev/null
cli="src/Client/bin/Release/net10.0/Dspy.Cli.dll"
caches="$(mktemp -d)"
server=""
trap 'rm -rf "$caches"; [ -n "$server" ] && kill "$server" 2>/dev/null' EXIT
# The simulator over HTTP for the fine-tuning optimizers; it prints its address once listening.
dotnet "$cli" sim serve --port 0 >"$caches/server.out" 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q "^Simulated LM" "$caches/server.out" && break; sleep 0.2; done
api_base="$(sed -n 's/.*API at \(http[^ ]*\).*/\1/p' "$caches/server.out" | head -1)"
[ -n "$api_base" ] || { echo "dspy sim serve did not start:" >&2; cat "$caches/server.out" >&2; exit 1; }

for task in $tasks; do
  head -n "$train_size" "samples/$task/train.jsonl" >"$caches/$task.train.jsonl"
  for optimizer in $optimizers; do
    # GEPA reflects on the metric's feedback text; the others take the plain score.
    metric=exact_match
    [ "$optimizer" = gepa ] && metric=exact_match_feedback
    lm=(--lm sim)
    case "$optimizer" in bootstrap-finetune|better-together) lm=(--lm openai/sim --api-base "$api_base") ;; esac
    # BootstrapFinetune traces a teacher shown 16 labeled examples (DSPy's usual teacher= argument); traced by the
    # student alone it would only learn the examples the student already answers right.
    # COPRO shows its proposer 16 training examples (--max-labeled 16, opt-in and not DSPy 3.3's COPRO, whose proposer
    # sees only the instruction: the simulator knows no task, so DSPy's COPRO leaves the program unchanged on sim).
    extra=()
    [ "$optimizer" = bootstrap-finetune ] && extra=(--max-labeled 16)
    [ "$optimizer" = copro ] && extra=(--max-labeled 16)
    # A fresh cache per run, so the LM calls counted are the ones this compile needs.
    DSPY_CACHEDIR="$caches/$task.$optimizer" dotnet "$cli" compile \
      --signature "$(cat "samples/$task/signature.txt")" \
      --train "$caches/$task.train.jsonl" --val "samples/$task/dev.jsonl" \
      --metric "$metric" --optimizer "$optimizer" "${lm[@]}" ${extra[@]+"${extra[@]}"} \
      --out "$out/$task.$optimizer.json" --json >"$out/$task.$optimizer.summary.json" 2>"$out/$task.$optimizer.log" \
      || { echo "$task / $optimizer failed:" >&2; tail -3 "$out/$task.$optimizer.log" >&2; exit 1; }
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
