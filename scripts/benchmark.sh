#!/usr/bin/env bash
# Times `bulkhead apply` on a large generated platform and checks the targets.
#
#   scripts/benchmark.sh                      # 10000 tenants on 50 clusters
#   TENANTS=500 CLUSTERS=12 scripts/benchmark.sh
#
# Environment:
#   TENANTS, CLUSTERS  size of the generated platform (default 10000, 50)
#   SEED               generator seed (default 1)
#   BULKHEAD           path to a bulkhead binary that is already built; skips the build
#   STRICT=1           exit 1 if any target is missed (default: only print)
#   KUSTOMIZE_TIMEOUT  seconds before the kubectl kustomize comparison is stopped (default 200)
#   ONE_ROUNDS         one-tenant changes to time (default 5)
#
# Steps: build once (swift build -c release), generate the platform, then time
#   1. a full apply into an empty git repository
#   2. a no-op apply (the same command again)
#   3. a one-tenant change (generate-platform.py --modify-one, then apply), ONE_ROUNDS times
#      (default 5); the median is checked against the target
#   4. cp -r of the repository, and kubectl kustomize of its largest cluster folder,
# and print a table with PASS/MISS for each target. A command that fails stops the
# run, except kubectl kustomize, which is only a comparison.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TENANTS=${TENANTS:-10000}
CLUSTERS=${CLUSTERS:-50}
SEED=${SEED:-1}
STRICT=${STRICT:-0}

# Targets.
FULL_MAX_S=30
FULL_MAX_CP_RATIO=3
NOOP_MAX_S=2
ONE_MAX_S=1
RSS_MAX_KB=$((1024 * 1024))   # 1 GiB

log() { printf '==> %s\n' "$*" >&2; }

# --- tools ------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  log "installing GNU time (Debian package 'time') for peak RSS"
  if [[ $(id -u) -ne 0 ]]; then
    echo "/usr/bin/time is missing: run 'apt-get install time' as root" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
fi

if [[ -n ${BULKHEAD:-} ]]; then
  BIN=$BULKHEAD
  log "using prebuilt $BIN"
else
  log "swift build -c release"
  (cd "$ROOT" && swift build -c release)
  BIN=$ROOT/.build/release/bulkhead
fi
[[ -x $BIN ]] || { echo "no bulkhead binary at $BIN" >&2; exit 1; }

# Commits need an identity; don't depend on the machine's git config.
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-bulkhead-bench} GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-bench@bulkhead.invalid}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-bulkhead-bench} GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-bench@bulkhead.invalid}

# --- work area, removed on exit ---------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PLATFORM=$WORK/platform
REPO=$WORK/repo
COPY=$WORK/copy

log "generating $TENANTS tenants on $CLUSTERS clusters"
python3 "$ROOT/scripts/generate-platform.py" "$PLATFORM" \
  --tenants "$TENANTS" --clusters "$CLUSTERS" --seed "$SEED"
mkdir -p "$REPO"
git init -q "$REPO"

# --- measuring --------------------------------------------------------------
declare -A SECS RSS_KB OK
now() { date +%s.%N; }

# measure KEY COMMAND...: wall seconds into SECS[KEY], peak RSS into RSS_KB[KEY],
# OK[KEY]=1 on exit 0. Output goes to $WORK/KEY.out.
measure() {
  local key=$1; shift
  local t0 t1 status=0
  t0=$(now)
  /usr/bin/time -v -o "$WORK/$key.time" "$@" >"$WORK/$key.out" 2>&1 || status=$?
  t1=$(now)
  SECS[$key]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  RSS_KB[$key]=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/$key.time")
  if [[ $status -eq 0 ]]; then OK[$key]=1; else OK[$key]=0; fi
  log "$key: ${SECS[$key]} s, peak RSS ${RSS_KB[$key]:-?} kB, exit $status"
  return $status
}

# must KEY COMMAND...: like measure, but stop the run if the command fails.
must() {
  local key=$1
  if ! measure "$@"; then
    echo "FAILED: ${*:2}" >&2
    tail -n 30 "$WORK/$key.out" >&2
    exit 1
  fi
}

commits() { git -C "$REPO" rev-list --count HEAD 2>/dev/null || echo 0; }

log "full apply into an empty repository"
must full "$BIN" apply "$PLATFORM" --repo "$REPO"
COMMITS_FULL=$(commits)

# The full apply leaves about a gigabyte of written files for the kernel to flush; the later
# runs are timed once that is done, as they would be on a repository in use (not timed).
sync

log "no-op apply"
must noop "$BIN" apply "$PLATFORM" --repo "$REPO"
COMMITS_NOOP=$(commits)

# One change is one sample on a noisy machine: ONE_ROUNDS changes (default 5), each a new
# requests.cpu for the same tenant; the median is reported, every round is printed.
ONE_ROUNDS=${ONE_ROUNDS:-5}
ONE_TIMES=()
for round in $(seq 1 "$ONE_ROUNDS"); do
  log "one-tenant change ($round of $ONE_ROUNDS)"
  python3 "$ROOT/scripts/generate-platform.py" "$PLATFORM" --modify-one
  must "one$round" "$BIN" apply "$PLATFORM" --repo "$REPO"
  ONE_TIMES+=("${SECS[one$round]}")
  (( ${RSS_KB[one$round]:-0} > ${RSS_KB[one]:-0} )) && RSS_KB[one]=${RSS_KB[one$round]}
done
SECS[one]=$(printf '%s\n' "${ONE_TIMES[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
COMMITS_ONE=$(commits)
CHANGED_ONE="?"
if git -C "$REPO" rev-parse -q --verify HEAD~1 >/dev/null 2>&1; then
  CHANGED_ONE=$(git -C "$REPO" diff --name-only HEAD~1 HEAD | wc -l)
fi

log "cp -r of the repository"
must cp cp -r "$REPO" "$COPY"

# The cluster folder with the most files; kustomize it like Argo CD or Flux would.
LARGEST=""
if [[ -d $REPO/clusters ]]; then
  LARGEST=$(for d in "$REPO"/clusters/*/; do
              printf '%s %s\n' "$(find "$d" -type f | wc -l)" "$(basename "$d")"
            done | sort -k1,1nr -k2,2 | head -n 1 | cut -d' ' -f2)
fi
if [[ -n $LARGEST ]] && command -v kubectl >/dev/null; then
  log "kubectl kustomize clusters/$LARGEST"
  # Only a comparison: stopped after KUSTOMIZE_TIMEOUT seconds (default 200) so the run ends.
  measure kustomize timeout "${KUSTOMIZE_TIMEOUT:-200}" kubectl kustomize "$REPO/clusters/$LARGEST" ||
    { echo "kubectl kustomize failed (comparison only):" >&2; tail -n 5 "$WORK/kustomize.out" >&2; }
else
  log "skipping kubectl kustomize (no clusters/ folder or no kubectl)"
fi

# --- report -----------------------------------------------------------------
REPO_FILES=$(find "$REPO" -path "$REPO/.git" -prune -o -type f -print | wc -l)
REPO_SIZE=$(du -sh --apparent-size --exclude=.git "$REPO" | cut -f1)
mib() { [[ -n ${1:-} ]] && awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }' || echo "-"; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
RATIO=$(awk -v a="${SECS[full]}" -v b="${SECS[cp]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
PEAK_KB=0
for k in full noop one; do
  (( ${RSS_KB[$k]:-0} > PEAK_KB )) && PEAK_KB=${RSS_KB[$k]}
done

echo
echo "Bulkhead benchmark: $TENANTS tenants, $CLUSTERS clusters (seed $SEED)"
echo "repository: $REPO_FILES files, $REPO_SIZE without .git; commits after full/no-op/one: $COMMITS_FULL/$COMMITS_NOOP/$COMMITS_ONE; files changed by the one-tenant commit: $CHANGED_ONE"
[[ $COMMITS_NOOP != "$COMMITS_FULL" ]] && echo "note: the no-op apply made a commit"
echo
printf '%-34s %10s %12s\n' "measurement" "seconds" "peak RSS"
printf '%-34s %10s %12s\n' "full apply (empty repo)" "${SECS[full]}" "$(mib "${RSS_KB[full]}")"
printf '%-34s %10s %12s\n' "no-op apply" "${SECS[noop]}" "$(mib "${RSS_KB[noop]}")"
printf '%-34s %10s %12s\n' "one-tenant change (median of $ONE_ROUNDS)" "${SECS[one]}" "$(mib "${RSS_KB[one]}")"
printf '%-34s %s\n' "  each round" "${ONE_TIMES[*]}"
printf '%-34s %10s %12s\n' "cp -r repo" "${SECS[cp]}" "$(mib "${RSS_KB[cp]}")"
if [[ -n ${SECS[kustomize]:-} ]]; then
  status=""; [[ ${OK[kustomize]} == 1 ]] || status=" (failed)"
  printf '%-34s %10s %12s\n' "kubectl kustomize $LARGEST$status" "${SECS[kustomize]}" "$(mib "${RSS_KB[kustomize]}")"
fi
printf '%-34s %10s\n' "ratio full apply / cp -r" "${RATIO}x"

MISSES=0
check() { # LABEL VALUE LIMIT SHOWN
  local result=PASS
  le "$2" "$3" || { result=MISS; MISSES=$((MISSES + 1)); }
  printf '%-34s %12s   %s\n' "$1" "$4" "$result"
}
echo
printf '%-34s %12s   %s\n' "target" "measured" "result"
check "full apply <= ${FULL_MAX_S} s" "${SECS[full]}" "$FULL_MAX_S" "${SECS[full]} s"
check "full apply <= ${FULL_MAX_CP_RATIO}x cp -r" "$RATIO" "$FULL_MAX_CP_RATIO" "${RATIO}x"
check "no-op apply <= ${NOOP_MAX_S} s" "${SECS[noop]}" "$NOOP_MAX_S" "${SECS[noop]} s"
check "one-tenant change <= ${ONE_MAX_S} s" "${SECS[one]}" "$ONE_MAX_S" "${SECS[one]} s"
check "peak RSS <= 1 GiB" "$PEAK_KB" "$RSS_MAX_KB" "$(mib "$PEAK_KB")"
echo
echo "$MISSES target(s) missed"
if [[ $STRICT == 1 && $MISSES -gt 0 ]]; then exit 1; fi
