#!/usr/bin/env bash
# Measures `bulkhead serve` on a platform of 1,000 placed tenants, in one run:
#   1. tenant creation latency through the API, concurrency 1 (CREATES_C1 tenants) and
#      concurrency 8 (CREATES_C8 tenants, 200 by default: also the no-lost-update check);
#   2. a bare `git add` + `git commit` of the same files each create changed, replayed by a
#      script in clones (the floor the API is compared with);
#   3. wrk on GET /v1/tenants/{name}.
# Prints the figures and the targets (creation p99 < 50 ms and <= 3x the bare commit,
# >= 10,000 reads/s, no lost update).
#
# Environment: BULKHEAD (a built binary; default: swift build -c release), TENANTS (1000),
# CLUSTERS (20), CREATES_C1 (50), CREATES_C8 (200), WRK_SECONDS (10).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TENANTS=${TENANTS:-1000}
CLUSTERS=${CLUSTERS:-20}
CREATES_C1=${CREATES_C1:-50}
CREATES_C8=${CREATES_C8:-200}
WRK_SECONDS=${WRK_SECONDS:-10}

log() { printf '==> %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  log "apt-get install wrk"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if [[ -n ${BULKHEAD:-} ]]; then
  BIN=$BULKHEAD
else
  log "swift build -c release"
  (cd "$ROOT" && swift build -c release --product bulkhead)
  BIN=$ROOT/.build/release/bulkhead
fi

export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-bulkhead-bench} GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-bench@bulkhead.invalid}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-bulkhead-bench} GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-bench@bulkhead.invalid}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-bench-service.XXXXXX")
SERVER_PID=""
cleanup() { [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
PLATFORM=$WORK/platform
REPO=$WORK/gitops

log "generating $TENANTS tenants on $CLUSTERS clusters and placing them (bulkhead apply)"
python3 "$ROOT/scripts/generate-platform.py" "$PLATFORM" --tenants "$TENANTS" --clusters "$CLUSTERS" >/dev/null
"$BIN" apply "$PLATFORM" --repo "$REPO" >/dev/null
SECRET=$("$BIN" token create --repo "$REPO" --name bench --role platform-admin -o json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')

log "starting bulkhead serve"
"$BIN" serve --platform "$PLATFORM" --repo "$REPO" --port 0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 600); do
  PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/serve.out" 2>/dev/null | grep -o '[0-9]*$' || true)
  [[ -n $PORT ]] && break
  sleep 0.1
done
[[ -n $PORT ]] || { echo "the server did not start:"; cat "$WORK/serve.err"; exit 1; }
URL=http://127.0.0.1:$PORT

count_commits() { git -C "$1" rev-list --count HEAD; }
GITOPS_BEFORE=$(count_commits "$REPO")
PLATFORM_BEFORE=$(count_commits "$PLATFORM")

log "creating $CREATES_C1 tenants one at a time"
python3 "$ROOT/scripts/bench-service.py" create "$URL" "$SECRET" c1 "$CREATES_C1" 1 >"$WORK/c1.json"
log "creating $CREATES_C8 tenants, 8 at a time"
python3 "$ROOT/scripts/bench-service.py" create "$URL" "$SECRET" c8 "$CREATES_C8" 8 >"$WORK/c8.json"

log "checking for lost updates"
LISTED=$(curl -s -H "Authorization: Bearer $SECRET" "$URL/v1/tenants?team=bench&limit=1000" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')
GITOPS_NEW=$(( $(count_commits "$REPO") - GITOPS_BEFORE ))
PLATFORM_NEW=$(( $(count_commits "$PLATFORM") - PLATFORM_BEFORE ))
FILES_NEW=$(ls "$PLATFORM"/tenants/c1-*.yaml "$PLATFORM"/tenants/c8-*.yaml 2>/dev/null | wc -l)

log "bare git commits of the same files"
curl -s -H "Authorization: Bearer $SECRET" "$URL/v1/audit?limit=10000" | python3 -c '
import json, sys
records = json.load(sys.stdin)["items"]
pairs = [{"gitops": r["entry"]["gitopsCommitAfter"], "platform": r["entry"]["platformCommitAfter"]}
         for r in records if r["entry"]["action"] == "tenant.create" and r["entry"]["result"] == "ok"
         and (r["entry"].get("tenant") or "").startswith("c1-")]
json.dump(pairs, sys.stdout)' >"$WORK/pairs.json"
python3 "$ROOT/scripts/bench-service.py" bare-commit "$REPO" "$PLATFORM" "$WORK/pairs.json" >"$WORK/bare.json"

log "wrk GET /v1/tenants/{name} for ${WRK_SECONDS}s"
NAME=$(ls "$PLATFORM"/tenants/c1-*.yaml | head -n 1 | xargs basename | sed 's/\.yaml$//')
wrk -t2 -c16 -d"${WRK_SECONDS}s" -H "Authorization: Bearer $SECRET" "$URL/v1/tenants/$NAME" >"$WORK/wrk.txt"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SECRET" "$URL/v1/tenants/$NAME")

VERIFY=$("$BIN" audit-log verify --repo "$REPO" 2>&1 || true)

python3 - "$WORK" "$CREATES_C1" "$CREATES_C8" "$LISTED" "$GITOPS_NEW" "$PLATFORM_NEW" "$FILES_NEW" "$STATUS" "$VERIFY" <<'EOF'
import json, re, sys
work, c1n, c8n, listed, gitops_new, platform_new, files_new, status, verify = sys.argv[1:]
def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")
c1 = json.load(open(f"{work}/c1.json")); c8 = json.load(open(f"{work}/c8.json")); bare = json.load(open(f"{work}/bare.json"))
wrk = open(f"{work}/wrk.txt").read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
expected = int(c1n) + int(c8n)
print()
print(f"Bulkhead service benchmark: 1,000-tenant platform; {c1n} creates at concurrency 1, {c8n} at concurrency 8")
print(f"{'measurement':44} {'p50 ms':>9} {'p99 ms':>9}")
for label, data in (("create, concurrency 1", c1["latencies_ms"]), ("create, concurrency 8", c8["latencies_ms"]),
                    ("bare git add+commit of the same files", bare["latencies_ms"])):
    print(f"{label:44} {pct(data, 50):9.1f} {pct(data, 99):9.1f}")
print(f"creates/s at concurrency 8: {len(c8['latencies_ms']) / c8['seconds']:.1f}; statuses c1 {c1['statuses']}, c8 {c8['statuses']}")
slowest = sorted(enumerate(c1["latencies_ms"], 1), key=lambda item: -item[1])[:3]
print("slowest creates at concurrency 1: " + ", ".join(f"#{n} {ms:.0f} ms" for n, ms in slowest))
ratio = pct(c1["latencies_ms"], 99) / pct(bare["latencies_ms"], 99)
print(f"ratio create p99 (c1) / bare commit p99: {ratio:.2f}x")
print(f"GET /v1/tenants/{{name}} with wrk -t2 -c16: {rps:,.0f} requests/s (status {status}; non-2xx: {non2xx.group(1) if non2xx else 0})")
print(f"after the creates: {listed} listed of {expected}, {files_new} declaration files, {gitops_new} GitOps commits, {platform_new} platform commits")
print(f"audit-log verify: {verify}")
lost = not (int(listed) == expected == int(files_new) == int(gitops_new) == int(platform_new))
print()
for label, ok, shown in (("create p99 < 50 ms", pct(c1["latencies_ms"], 99) < 50 and pct(c8["latencies_ms"], 99) < 50,
                          f"{pct(c1['latencies_ms'], 99):.1f} / {pct(c8['latencies_ms'], 99):.1f} ms"),
                         ("create p99 <= 3x bare commit", ratio <= 3, f"{ratio:.2f}x"),
                         (">= 10,000 reads/s", rps >= 10000, f"{rps:,.0f}/s"),
                         ("no lost update", not lost and "intact" in verify, "yes" if not lost else "LOST")):
    print(f"{label:34} {shown:>22}   {'PASS' if ok else 'MISS'}")
EOF
