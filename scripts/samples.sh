#!/usr/bin/env bash
# Runs the DSPy homepage samples (samples/<name>): one by name, or all of them.
#   bash scripts/samples.sh [math|sentiment|extraction|article|rag|agent|all] [sample options, e.g. --lm openai/gpt-4o-mini]
# Without a provider key (OPENAI_API_KEY, or --lm / DSPY_LM) the samples run on `sim`, the deterministic simulated LM
# (docs/sim.md): its answers are the simulator's, not a real model's.
set -euo pipefail
cd "$(dirname "$0")/.."

known=(math sentiment extraction article rag agent)
choice="${1:-all}"
[ $# -gt 0 ] && shift

available=()
for name in "${known[@]}"; do
  # rag and agent are listed once their folders exist.
  compgen -G "samples/$name/*.csproj" > /dev/null && available+=("$name")
done

if [ "$choice" = "all" ]; then
  selected=("${available[@]}")
elif printf '%s\n' "${available[@]}" | grep -qx -- "$choice"; then
  selected=("$choice")
else
  echo "samples.sh: unknown sample '$choice' (expected one of: ${available[*]}, all)" >&2
  exit 2
fi

status=0
for name in "${selected[@]}"; do
  echo "=== samples/$name"
  dotnet run --project "samples/$name" -c Release -- "$@" || status=$?
  echo
done
exit $status
