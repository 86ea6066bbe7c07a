#!/usr/bin/env bash
# Azurite, the Azure Storage emulator, for local runs and tests (never assumed to be running).
#
#   scripts/azurite.sh install          install azurite from npm into artifacts/tools/azurite if missing
#   scripts/azurite.sh start STATE_DIR  install if needed, start on free ports, wait until it answers, then print
#                                       AZURITE_CONNECTION_STRING=... (also written to STATE_DIR/connection-string)
#   scripts/azurite.sh stop STATE_DIR   stop the instance started with that STATE_DIR
#   eval "$(scripts/azurite.sh start /tmp/az)"   exports the connection string into the current shell
#
# Data lives in memory (--inMemoryPersistence), so a stopped instance leaves nothing behind; STATE_DIR only holds the
# pid, the ports, the log and the connection string. --skipApiVersionCheck: the Azure SDKs send API versions newer
# than the emulator lists. AZURITE_TOOLS_DIR overrides the install folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="${AZURITE_TOOLS_DIR:-$root/artifacts/tools/azurite}"
version="3.37.0"
bin="$tools/node_modules/.bin/azurite"

die() { echo "azurite.sh: $*" >&2; exit 2; }

install() {
  [[ -x "$bin" ]] && return 0
  command -v npm >/dev/null || die "npm is not installed; install Node.js 20+ (apt-get install nodejs npm)."
  mkdir -p "$tools"
  # A lock so parallel test processes do not install into the same folder at once.
  (
    flock 9
    [[ -x "$bin" ]] || npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "azurite@$version" >&2
  ) 9>"$tools/.install.lock"
  [[ -x "$bin" ]] || die "npm install of azurite@$version did not produce $bin."
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() {
  local port=$1 pid=$2
  for _ in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

start() {
  local dir=${1:-}
  [[ -n "$dir" ]] || die "start needs a state folder: scripts/azurite.sh start STATE_DIR"
  install
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    die "an azurite started with $dir is still running (pid $(cat "$dir/pid")); stop it first."
  fi
  local attempt blob queue table pid
  # Ports are picked free but could be taken before azurite binds them; retry with new ones.
  for attempt in 1 2 3; do
    blob=$(free_port); queue=$(free_port); table=$(free_port)
    # Run inside STATE_DIR so anything azurite writes to its working folder stays there.
    (cd "$dir" && exec setsid "$bin" --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
      --tableHost 127.0.0.1 --tablePort "$table" --skipApiVersionCheck --inMemoryPersistence \
      --silent --loose >"$dir/log" 2>&1 < /dev/null) &
    pid=$!
    echo "$pid" > "$dir/pid"
    if wait_port "$table" "$pid" && wait_port "$blob" "$pid" && wait_port "$queue" "$pid"; then
      local account=devstoreaccount1
      # The emulator's well-known public development key (documented by Microsoft; not a secret).
      local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
      local cs="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/$account;QueueEndpoint=http://127.0.0.1:$queue/$account;TableEndpoint=http://127.0.0.1:$table/$account;"
      printf '%s\n' "$cs" > "$dir/connection-string"
      printf 'blob=%s\nqueue=%s\ntable=%s\n' "$blob" "$queue" "$table" > "$dir/ports"
      echo "export AZURITE_CONNECTION_STRING='$cs'"
      return 0
    fi
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
    echo "azurite.sh: start attempt $attempt failed; log:" >&2
    tail -n 20 "$dir/log" >&2 || true
  done
  die "azurite did not start; see $dir/log."
}

stop() {
  local dir=${1:-}
  [[ -n "$dir" ]] || die "stop needs the state folder given to start."
  [[ -f "$dir/pid" ]] || return 0
  local pid
  pid=$(cat "$dir/pid")
  # setsid made azurite a process-group leader, so its group holds only what this script started.
  kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 -- "-$pid" 2>/dev/null || true
  rm -f "$dir/pid"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) die "usage: scripts/azurite.sh install | start STATE_DIR | stop STATE_DIR" ;;
esac
