#!/usr/bin/env bash
# Runs the micro-benchmarks (BenchmarkDotNet) and leaves JSON and Markdown reports in bench/results/.
# Usage: bash bench/run.sh [BenchmarkDotNet args], e.g. bash bench/run.sh --filter '*ChatAdapter*'
set -euo pipefail
cd "$(dirname "$0")/.."
out="bench/results"
mkdir -p "$out"
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--filter '*')
dotnet run -c Release --project bench/Dspy.Bench -- "${args[@]}" --exporters json markdown --artifacts "$out"
echo "Reports: $out/results/"
