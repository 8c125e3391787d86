#!/usr/bin/env bash
# The guest list's figures for BENCHMARKS.md, measured in release on this machine:
#   1. full load of N orders at latency L with C at once, against the ideal ⌈N/C⌉·L
#      and against C = 1, in the same run;
#   2. opening a cached event of 10,000 orders;
#   3. resident memory of 100,000 attendees, opened from the cache and loaded over
#      HTTP from a demo server running as its own process;
#   4. search per keystroke over 100,000 attendees (criterion), unless --no-search.
# Usage: bash benches/load.sh [--no-search]   (N, L, C: env N=2000 L=20 C=8)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-2000}
L=${L:-20}
C=${C:-8}
ATTENDEES=${ATTENDEES:-100000}

cargo build --release --quiet --example guestlist_figures --bin floktu
figures=target/release/examples/guestlist_figures
floktu=target/release/floktu
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== 1. full load (machine: $(nproc) cores)"
"$figures" load "$N" "$L" "$C"

echo
echo "== 2. opening a cached event"
"$figures" cache 10000

echo
echo "== 3a. memory: $ATTENDEES attendees opened from the cache (fresh process)"
event=$("$figures" write-cache "$work/cache" "$ATTENDEES")
"$figures" memory-cache "$work/cache" "$event"

echo
echo "== 3b. memory: $ATTENDEES attendees loaded over HTTP (demo server in another process)"
orders=$("$figures" orders-for "$ATTENDEES")
"$floktu" demo-server --port 0 --events 1 --orders "$orders" >"$work/server.log" 2>&1 &
server_pid=$!
# The server prints its address once it listens; wait for that line, at most 30 s.
url=""
for _ in $(seq 300); do
  url=$(sed -n 's/^Floktu demo server on \(http[^ ]*\).*/\1/p' "$work/server.log")
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done
[[ -n "$url" ]] || { echo "the demo server did not start"; exit 1; }
"$figures" memory-http "$url"
kill "$server_pid"
server_pid=""

if [[ "${1:-}" != "--no-search" ]]; then
  echo
  echo "== 4. search over 100,000 attendees (criterion)"
  cargo bench --quiet --bench search 2>&1 | grep -E "^search|time:"
fi
