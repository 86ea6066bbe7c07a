#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: restore, build, test, then one summary line.
# Services that tests need (the Azurite emulator, Chromium) are installed and started by the tests' fixtures
# through scripts in this folder, never assumed to be running.
set -euo pipefail
cd "$(dirname "$0")/.."

results="$(pwd)/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet build Dspy.Orleans.sln -c Release -nologo -clp:ErrorsOnly

status=0
# A test that hangs is killed after 15 minutes (no test comes near that) and reported as the one that hung, rather than
# holding the run until CI's own limit.
dotnet test Dspy.Orleans.sln -c Release --no-build -nologo \
  --blame-hang-timeout 15m --blame-hang-dump-type none \
  --logger "trx" --results-directory "$results" \
  --logger "console;verbosity=minimal" "$@" || status=$?

# One closing line for CI: sum the outcome counters of every TRX file.
python3 - "$results" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    if c is None:
        continue
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
