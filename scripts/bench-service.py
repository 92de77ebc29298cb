#!/usr/bin/env python3
"""Drives `bulkhead serve` for scripts/bench-service.sh and prints figures as JSON.

  bench-service.py create URL SECRET PREFIX COUNT CONCURRENCY
      POSTs COUNT new basic-tier tenants named PREFIX-<n>, CONCURRENCY at a time, and prints
      {"latencies_ms": [...], "statuses": {...}, "seconds": total}.
  bench-service.py bare-commit REPO PLATFORM_REPO COMMITS_JSON
      Replays, in throwaway clones, the files each listed commit pair changed (the GitOps
      commit and the platform commit of one create) as a bare `git add` + `git commit`, and
      prints {"latencies_ms": [...]}.
"""
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse


def create(url, secret, prefix, count, concurrency):
    parsed = urllib.parse.urlparse(url)
    latencies, statuses, lock = [], {}, threading.Lock()
    names = [f"{prefix}-{n:04d}" for n in range(count)]

    def worker(chunk):
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        for name in chunk:
            body = json.dumps({"metadata": {"name": name}, "spec": {
                "tier": "basic", "owners": [f"{name}-admins"], "team": "bench", "costCenter": "CC-9000",
                "environments": ["dev"], "dataClassification": "internal"}})
            started = time.perf_counter()
            connection.request("POST", "/v1/tenants", body=body, headers={
                "Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1

    chunks = [names[i::concurrency] for i in range(concurrency)]
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"latencies_ms": latencies, "statuses": statuses, "seconds": time.perf_counter() - started}))


def git(repo, *args, input=None):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, input=input).stdout


def bare_commit(repo, platform_repo, pairs_file):
    pairs = json.load(open(pairs_file))
    latencies = []
    work = tempfile.mkdtemp(prefix="bare-commit-")
    try:
        clones = {}
        for key, source in (("gitops", repo), ("platform", platform_repo)):
            target = os.path.join(work, key)
            subprocess.run(["git", "clone", "-q", "--no-local", source, target], check=True)
            # Back to the state before the first replayed commit, so each replay adds what it added.
            if pairs:
                subprocess.run(["git", "-C", target, "reset", "-q", "--hard", pairs[0][key] + "^"], check=True)
            clones[key] = target
        for pair in pairs:
            # The files each commit of the pair changed, with their contents after it.
            staged = []
            for key, commit in (("gitops", pair["gitops"]), ("platform", pair["platform"])):
                source = repo if key == "gitops" else platform_repo
                names = git(source, "diff-tree", "--no-commit-id", "--name-only", "-r", "-z", commit).split(b"\0")
                for name in filter(None, names):
                    path = name.decode()
                    try:
                        data = git(source, "show", f"{commit}:{path}")
                    except subprocess.CalledProcessError:
                        data = None  # removed by the commit
                    staged.append((clones[key], path, data))
            started = time.perf_counter()
            for clone, path, data in staged:
                full = os.path.join(clone, path)
                if data is None:
                    if os.path.exists(full):
                        os.remove(full)
                    continue
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "wb") as handle:
                    handle.write(data)
            for clone in clones.values():
                subprocess.run(["git", "-C", clone, "add", "-A"], check=True)
                subprocess.run(["git", "-C", clone, "commit", "-q", "-m", "bare"], check=True)
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"latencies_ms": latencies}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "create":
        create(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif mode == "bare-commit":
        bare_commit(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown mode {mode}")
