#!/usr/bin/env bash
# Instructions per operation of a BulkheadBench loop, counted by valgrind's callgrind: the same
# binary and input give the same count however busy the machine is, so two commits compare
# exactly. Runs the loop 10 rounds (1,000 operations for --parse and --review, 12,000
# evaluations for the CEL loop) and 0 rounds, and divides the difference.
#
#   bash scripts/count-instructions.sh [BulkheadBench] --parse REVIEW.json
#   bash scripts/count-instructions.sh [BulkheadBench] --review POLICY_DIR NAMESPACE.json REVIEW.json
#   (also --review-parse and --review-whole, see BulkheadBench)
set -euo pipefail
BENCH=.build/release/BulkheadBench
if [[ ${1:-} != --* ]]; then BENCH=$1; shift; fi
command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
# valgrind cannot read the debug information Swift writes; the symbol table is enough.
STRIPPED=$(mktemp)
trap 'rm -f "$STRIPPED"' EXIT
strip --strip-debug -o "$STRIPPED" "$BENCH"
count() {
  local rounds=$1; shift
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$STRIPPED" --rounds "$rounds" "$@" 2>&1 >/dev/null | awk '/Collected/ {print $4}'
}
base=$(count 0 "$@")
loop=$(count 10 "$@")
per=1000
[[ ${1:-} == --parse || ${1:-} == --review* ]] || per=12000
echo "$(( (loop - base) / per )) instructions per operation ($*)"
