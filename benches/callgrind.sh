#!/bin/bash
# Instructions per `Engine::handle_json` call for the benchmark's 1,000 chips
# and 1,000 typed recipients (BENCHMARKS.md, "What was tried"), counted by
# callgrind, which gives the same count on every run of a shared machine.
# Usage: benches/callgrind.sh ["chips typed"] [label] (also chips-one-change and
# typed-one-change: the call after one entry changed); the profiles are left
# in $CALLGRIND_DIR (default target/callgrind) for callgrind_annotate.
set -e
cd "$(dirname "$0")/.."
dir=${CALLGRIND_DIR:-target/callgrind}
mkdir -p "$dir"
BIN=$(cargo bench --no-run --locked --no-default-features --bench engine 2>&1 | grep -o 'target/release/deps/engine-[0-9a-f]*' | head -1)
for mix in ${1:-chips typed}; do
  out=$dir/$mix.${2:-latest}.out
  BENCH_CALLGRIND=$mix valgrind --tool=callgrind --toggle-collect='*instructions_of*' --callgrind-out-file="$out" "$BIN" >/dev/null 2>"$dir/valgrind.err"
  echo "$mix: $(grep -E '^summary|^totals' $out | awk '{print $2}' | head -1)"
done
