#!/usr/bin/env bash
# The cache's figures for BENCHMARKS.md ("Cache"), measured in release on this machine:
#   1. `floktu attendees EVENT --offline --search Q` over a cached event of
#      ATTENDEES attendees against `fzf --filter Q` over the same table rows
#      (what `floktu attendees EVENT --offline` prints), whole processes, hyperfine;
#   2. peak RSS of each (/usr/bin/time -v);
#   3. opening the cached event (`Cache::load` to an indexed list + first search);
#   4. the TUI opening it in fresh processes: Enter to the attendees view drawn.
# Needs hyperfine and fzf (Debian: apt-get install -y hyperfine fzf).
# Usage: bash benches/cache.sh        (ATTENDEES=100000, QUERIES="mar martin 512345")
set -euo pipefail
cd "$(dirname "$0")/.."

ATTENDEES=${ATTENDEES:-100000}
read -r -a queries <<<"${QUERIES:-mar martin 512345}"
RUNS=${RUNS:-30}

cargo build --release --quiet --example cache_figures --bin floktu
figures=$PWD/target/release/examples/cache_figures
floktu=$PWD/target/release/floktu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A private home: an account of its own, no keyring, nothing of the user's.
export HOME=$work XDG_CACHE_HOME=$work/cache XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
export FLOKTU_API_BASE=http://127.0.0.1:9/api/v2 FLOKTU_TOKEN=bench-token FLOKTU_KEYRING=none

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(hyperfine --version), $(fzf --version | cut -d' ' -f1)"
event=$("$figures" write "$XDG_CACHE_HOME/floktu" "$ATTENDEES")
"$floktu" attendees "$event" --offline 2>/dev/null | tail -n +2 >"$work/rows.txt"
echo "rows for fzf: $(wc -l <"$work/rows.txt") ($(du -h "$work/rows.txt" | cut -f1))"

echo
echo "== 1. search: floktu --offline --search vs fzf --filter (whole process)"
for q in "${queries[@]}"; do
  hits_floktu=$("$floktu" attendees "$event" --offline --search "$q" 2>/dev/null | tail -n +2 | wc -l)
  hits_fzf=$(fzf --filter "$q" <"$work/rows.txt" | wc -l)
  hyperfine --style basic --warmup 3 --runs "$RUNS" --export-json "$work/h.json" \
    -n floktu "$floktu attendees $event --offline --search '$q'" \
    -n fzf "fzf --filter '$q' < $work/rows.txt" >"$work/h.txt"
  python3 - "$work/h.json" "$q" "$hits_floktu" "$hits_fzf" <<'EOF'
import json, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
f, z = runs["floktu"], runs["fzf"]
ms = lambda r: f'{r["mean"] * 1000:.1f} ± {r["stddev"] * 1000:.1f} ms'
print(f'  {sys.argv[2]!r}: floktu {ms(f)} ({sys.argv[3]} rows), fzf {ms(z)} ({sys.argv[4]} rows)'
      f' -> floktu / fzf = {f["mean"] / z["mean"]:.3f}x (median {f["median"] / z["median"]:.3f}x)')
EOF
done

echo
echo "== 2. peak RSS (/usr/bin/time -v), query ${queries[0]}"
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p'; }
kb=$(rss "$floktu" attendees "$event" --offline --search "${queries[0]}")
echo "  floktu attendees --offline --search: $((kb / 1024)) MiB ($kb kB)"
kb=$(rss sh -c "fzf --filter '${queries[0]}' < $work/rows.txt")
echo "  fzf --filter:                        $((kb / 1024)) MiB ($kb kB)"
kb=$(rss "$floktu" attendees "$event" --offline)
echo "  floktu attendees --offline (all):    $((kb / 1024)) MiB ($kb kB)"

echo
echo "== 3. opening the cached event"
"$figures" open "$XDG_CACHE_HOME/floktu" "$event" 15

echo
opens=${OPENS:-10}
echo "== 4. the TUI opening the cached event (Enter to the attendees view drawn), $opens fresh processes"
for _ in $(seq "$opens"); do "$figures" tui "$XDG_CACHE_HOME/floktu" "$event"; done | python3 -c '
import re, statistics, sys
lines = sys.stdin.read().splitlines()
took = [float(re.search(r": ([0-9.]+) ms to", l).group(1)) for l in lines]
load = [float(re.search(r"load ([0-9.]+) ms", l).group(1)) for l in lines]
what = lines[0].split(":")[0]
print(f"  {what}")
print(f"  to the view drawn: median {statistics.median(took):.1f} ms, fastest {min(took):.1f}, slowest {max(took):.1f}")
print(f"  of which Cache::load: median {statistics.median(load):.1f} ms")'
