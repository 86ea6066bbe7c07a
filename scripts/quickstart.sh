#!/usr/bin/env bash
# The main job: optimize a DSPy program on an embedded in-process silo (the cluster's grains in this process). Without a provider key it runs on the simulated LM (`sim`,
# see docs/sim.md), so the scores are the simulator's, not a real model's. Extra arguments go to `dspy compile`,
# e.g. --lm openai/gpt-4o-mini, --module cot, --optimizer labeled-fewshot.
set -euo pipefail
cd "$(dirname "$0")/.."
task="${TASK:-intent}"
mkdir -p artifacts
dotnet run --project src/Client -c Release -- compile \
  --signature "$(cat "samples/$task/signature.txt")" \
  --train "samples/$task/train.jsonl" --val "samples/$task/dev.jsonl" \
  --metric exact_match --optimizer bootstrap-fewshot \
  --out "artifacts/$task.optimized.json" "$@"
