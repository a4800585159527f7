#!/usr/bin/env bash
# Stops a cluster started by start-cluster.sh (its pid files under --dir) and the executors it launched.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$root/target/standalone"
[[ ${1:-} == "--dir" ]] && dir=$2
for pidfile in "$dir"/worker-*.pid "$dir"/master.pid; do
  [[ -f $pidfile ]] || continue
  pid=$(cat "$pidfile")
  # A worker's executors are its child processes.
  pkill -TERM -P "$pid" 2>/dev/null
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  rm -f "$pidfile"
done
exit 0
