#!/usr/bin/env python3
"""Write a large, deterministic Bulkhead platform for benchmarks.

    generate-platform.py OUT_DIR [--clusters 50] [--tenants 10000] [--seed 1]
    generate-platform.py OUT_DIR --modify-one

The first form writes OUT_DIR/platform.yaml, clusters.yaml, tiers.yaml and
OUT_DIR/tenants/tenants-NNNN.yaml (100 tenants a file). The same arguments
always give byte-identical files. Cluster capacity is computed from the tenants,
so that any one cluster can hold every tenant of its environment and region, and
placement can't fail whichever cluster it picks.

The second form changes the quota override of exactly one tenant (the one marked
"bench: modify-one target") in place. It is for timing a one-tenant change.
Each run writes a different value.

Python 3 standard library only.
"""

import argparse
import math
import os
import random
import re
import sys

API = "apiVersion: bulkhead.dev/v1alpha1"
ENVIRONMENTS = ["sandbox", "dev", "staging", "prod"]
# How many clusters each environment gets, relative to the others.
ENV_WEIGHT = {"sandbox": 2, "dev": 3, "staging": 3, "prod": 4}
REGIONS = [("us-east-1", "use1"), ("eu-west-1", "euw1"), ("ap-southeast-2", "apse2")]
ACCOUNTS = {"sandbox": "314159265358", "dev": "271828182845",
            "staging": "161803398874", "prod": "141421356237"}
K8S_VERSIONS = ["1.31", "1.32", "1.33", "1.34"]
TENANTS_PER_FILE = 100
MARKER = "# bench: modify-one target"
MODIFY_VALUES = ["3", "4", "5", "6"]  # requests.cpu values that --modify-one cycles through

# Four tiers, none of them dedicated-cluster, so no tenant needs a silo cluster.
# name: (isolation, podSecurity, quota, limitRange max, capacityTypes, families, versioning)
TIERS = {
    "basic": ("shared", "baseline",
              {"requests.cpu": "1", "requests.memory": "2Gi", "limits.cpu": "2",
               "limits.memory": "4Gi", "pods": "10", "requests.ephemeral-storage": "5Gi"},
              ("1", "2Gi"), ["spot"], ["m7g", "c7g"], False),
    "standard": ("shared", "restricted",
                 {"requests.cpu": "2", "requests.memory": "4Gi", "limits.cpu": "8",
                  "limits.memory": "16Gi", "pods": "20", "requests.ephemeral-storage": "20Gi"},
                 ("2", "4Gi"), ["spot", "on-demand"], ["m7i", "c7i"], False),
    "premium": ("dedicated-nodes", "restricted",
                {"requests.cpu": "8", "requests.memory": "32Gi", "limits.cpu": "16",
                 "limits.memory": "64Gi", "pods": "50", "requests.ephemeral-storage": "100Gi"},
                ("8", "32Gi"), ["on-demand"], ["m7i", "r7i"], True),
    "enterprise": ("dedicated-nodes", "restricted",
                   {"requests.cpu": "16", "requests.memory": "64Gi", "limits.cpu": "32",
                    "limits.memory": "128Gi", "pods": "100", "requests.ephemeral-storage": "200Gi"},
                   ("16", "64Gi"), ["on-demand"], ["m7i", "r7i", "c7i"], True),
}
TIER_WEIGHTS = [("basic", 30), ("standard", 50), ("premium", 15), ("enterprise", 5)]
# Environment sets a tenant can ask for (1 or 2 environments), with weights.
ENV_SETS = [(["prod"], 15), (["staging", "prod"], 30), (["dev", "prod"], 20),
            (["dev", "staging"], 10), (["dev"], 10), (["sandbox"], 10), (["sandbox", "dev"], 5)]
WORDS = ["orbit", "falcon", "harbor", "maple", "quartz", "ember", "tundra", "cobalt",
         "meadow", "summit", "lagoon", "cedar", "nova", "pixel", "raven", "willow"]
TEAMS = ["payments", "shop", "search", "identity", "data", "ml", "messaging", "web",
         "mobile", "risk", "logistics", "support"]
CLASSIFICATIONS = [("public", 20), ("internal", 55), ("pii", 20), ("phi", 5)]
BUCKETS = ["assets", "exports", "uploads", "backups", "reports"]


def pick(rng, weighted):
    """Pick one value from [(value, weight), ...]."""
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def parse_quantity(text):
    """Parse the few Kubernetes quantities used here: plain numbers, m, Gi, Ti."""
    units = {"": 1, "m": 0.001, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    m = re.fullmatch(r"(\d+)([A-Za-z]*)", text)
    return int(m.group(1)) * units[m.group(2)]


def cluster_layout(count):
    """Return [(environment, (region, short))] for `count` clusters.

    Needs at least 4 clusters (one per environment). Below 12 clusters it uses
    fewer regions, so that every environment has a cluster in every region,
    which tenants without `regions` need.
    """
    regions = REGIONS[:min(len(REGIONS), max(1, count // len(ENVIRONMENTS)))]
    cells = [(e, r) for e in ENVIRONMENTS for r in regions]
    total_weight = sum(ENV_WEIGHT[e] for e, _ in cells)
    # Every cell gets one cluster; the rest are shared out by weight
    # (largest remainder), so the result is exact and deterministic.
    spare = count - len(cells)
    shares = [spare * ENV_WEIGHT[e] / total_weight for e, _ in cells]
    extra = [int(s) for s in shares]
    order = sorted(range(len(cells)), key=lambda i: (-(shares[i] - extra[i]), i))
    for i in order[:spare - sum(extra)]:
        extra[i] += 1
    layout = []
    for (env, region), n in zip(cells, extra):
        layout += [(env, region)] * (1 + n)
    return layout


def make_tenants(rng, count, regions):
    tenants = []
    for i in range(count):
        t = {
            "name": f"{WORDS[i % len(WORDS)]}-{i:05d}",  # at most 12 characters
            "tier": pick(rng, TIER_WEIGHTS),
            "team": rng.choice(TEAMS),
            "costCenter": f"CC-{1000 + rng.randrange(400)}",
            "environments": pick(rng, ENV_SETS),
            "classification": pick(rng, CLASSIFICATIONS),
            "regions": None, "quota": None, "apps": [], "buckets": [],
        }
        if rng.random() < 0.10:  # a few tenants stay in one region
            t["regions"] = [rng.choice(regions)]
        if rng.random() < 0.10:  # a few raise their CPU requests
            t["quota"] = str(int(TIERS[t["tier"]][2]["requests.cpu"]) * 2)
        if rng.random() < 0.40:
            t["apps"].append(("api", 8080))
        if rng.random() < 0.15:
            t["apps"].append(("worker", (rng.choice([5, 10, 20]), rng.choice([10, 20, 50]))))
        if rng.random() < 0.20:
            t["buckets"] = sorted(rng.sample(BUCKETS, rng.randint(1, 2)))
        tenants.append(t)
    # The tenant that --modify-one changes: one in the middle, always with an
    # override line, so the edit is a one-line change.
    # Standard tier, so every value in MODIFY_VALUES stays below its limits.cpu.
    target = tenants[count // 2]
    target.update(target=True, tier="standard", quota=MODIFY_VALUES[0])
    return tenants


def tenant_yaml(t):
    lines = [API, "kind: Tenant", f"metadata: {{name: {t['name']}}}", "spec:",
             f"  tier: {t['tier']}",
             f"  owners: [{t['name']}-admins]",
             f"  team: {t['team']}",
             f"  costCenter: {t['costCenter']}",
             f"  environments: [{', '.join(t['environments'])}]"]
    if t["regions"]:
        lines.append(f"  regions: [{', '.join(t['regions'])}]")
    lines.append(f"  dataClassification: {t['classification']}")
    if t["quota"] is not None:
        if t.get("target"):
            lines.append(f"  {MARKER}")
        lines.append(f'  quota: {{requests.cpu: "{t["quota"]}"}}')
    if t["apps"]:
        lines.append("  apps:")
        for name, arg in t["apps"]:
            if name == "api":
                lines.append(f"  - {{name: api, port: {arg}}}")
            else:
                lines.append(f"  - {{name: worker, queue: {{targetLength: {arg[0]}, maxReplicas: {arg[1]}}}}}")
    if t["buckets"]:
        lines.append(f"  buckets: [{', '.join(t['buckets'])}]")
    return "\n".join(lines) + "\n"


def demand(tenants, regions):
    """Sum of quota requests (cpu, memory bytes, pods) per (environment, region)."""
    totals = {}
    for t in tenants:
        quota = dict(TIERS[t["tier"]][2])
        if t["quota"] is not None:
            quota["requests.cpu"] = t["quota"]
        need = (parse_quantity(quota["requests.cpu"]), parse_quantity(quota["requests.memory"]),
                parse_quantity(quota["pods"]))
        for env in t["environments"]:
            for region in t["regions"] or regions:
                cur = totals.get((env, region), (0, 0, 0))
                totals[(env, region)] = tuple(a + b for a, b in zip(cur, need))
    return totals


def round_up(value, step):
    return int(math.ceil(value / step) * step)


def clusters_yaml(rng, layout, totals):
    docs = []
    seen = {}
    for env, (region, short) in layout:
        seen[(env, short)] = seen.get((env, short), 0) + 1
        n = seen[(env, short)]
        name = f"{env}-{short}-{n}"
        cpu, mem, pods = totals.get((env, region), (0, 0, 0))
        # Any one cluster holds every tenant of its cell, with 25% to spare
        # (for --modify-one and rounding), before overcommit.
        cap_cpu = max(64, round_up(cpu * 1.25, 1000))
        cap_mem_gi = max(256, round_up(mem * 1.25 / 2**30, 1024))
        cap_pods = max(1000, round_up(pods * 1.25, 1000))
        location = "region"
        if env == "prod" and short == "use1" and n == 3:
            location = "local-zone"
        elif env == "dev" and short == "use1" and n == 2:
            location = "hybrid"
        karpenter = "1.2.0" if env == "dev" and n == 1 else "1.14.1"
        k8s = "1.32" if karpenter == "1.2.0" else rng.choice(K8S_VERSIONS)
        overcommit = {"sandbox": "2.0", "dev": "2.0", "staging": "1.5", "prod": "1.0"}[env]
        docs.append("\n".join([
            API, "kind: Cluster",
            f"metadata: {{name: {name}, labels: {{cell: {short}-{n}}}}}",
            "spec:",
            f"  environment: {env}",
            f"  region: {region}",
            f"  location: {location}",
            f'  accountId: "{ACCOUNTS[env]}"',
            f'  kubernetesVersion: "{k8s}"',
            f'  addons: {{karpenter: "{karpenter}", keda: "2.20.2"}}',
            f'  capacity: {{cpu: "{cap_cpu}", memory: {cap_mem_gi}Gi, pods: "{cap_pods}"}}',
            f"  overcommit: {overcommit}",
            "  gateway: {name: shared, namespace: gateway}",
        ]) + "\n")
    return "---\n".join(docs)


def tiers_yaml():
    docs = []
    for name, (isolation, pod_security, quota, (max_cpu, max_mem), capacity_types,
               families, versioning) in TIERS.items():
        quota_text = ", ".join(f"{k}: {v}" if v.endswith("i") else f'{k}: "{v}"' for k, v in quota.items())
        docs.append("\n".join([
            API, "kind: Tier", f"metadata: {{name: {name}}}", "spec:",
            f"  isolation: {isolation}",
            f"  podSecurity: {pod_security}",
            f"  quota: {{{quota_text}}}",
            "  limitRange:",
            "    defaultRequest: {cpu: 100m, memory: 128Mi}",
            "    default: {cpu: 500m, memory: 512Mi}",
            f'    max: {{cpu: "{max_cpu}", memory: {max_mem}}}',
            f"  nodes: {{capacityTypes: [{', '.join(capacity_types)}], "
            f"instanceFamilies: [{', '.join(families)}]}}",
            f"  storage: {{versioning: {'true' if versioning else 'false'}}}",
        ]) + "\n")
    return "---\n".join(docs)


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def generate(out, clusters, tenant_count, seed):
    if clusters < len(ENVIRONMENTS):
        sys.exit(f"--clusters must be at least {len(ENVIRONMENTS)} (one per environment)")
    rng = random.Random(seed)
    layout = cluster_layout(clusters)
    regions = sorted({r for _, (r, _) in layout}, key=[r for r, _ in REGIONS].index)
    tenants = make_tenants(rng, tenant_count, regions)
    totals = demand(tenants, regions)

    tenant_dir = os.path.join(out, "tenants")
    os.makedirs(tenant_dir, exist_ok=True)
    # Remove tenant files from an earlier, larger run.
    for old in os.listdir(tenant_dir):
        if re.fullmatch(r"tenants-\d+\.yaml", old):
            os.remove(os.path.join(tenant_dir, old))

    write(os.path.join(out, "platform.yaml"),
          f"# Generated by scripts/generate-platform.py --clusters {clusters} "
          f"--tenants {tenant_count} --seed {seed}\n"
          f"{API}\nkind: Platform\nmetadata: {{name: bench}}\n"
          "spec:\n  gitops: both\n  bucketPrefix: bench\n")
    write(os.path.join(out, "tiers.yaml"), tiers_yaml())
    write(os.path.join(out, "clusters.yaml"), clusters_yaml(rng, layout, totals))
    for start in range(0, tenant_count, TENANTS_PER_FILE):
        chunk = tenants[start:start + TENANTS_PER_FILE]
        write(os.path.join(tenant_dir, f"tenants-{start // TENANTS_PER_FILE:04d}.yaml"),
              "---\n".join(tenant_yaml(t) for t in chunk))
    placements = sum(len(t["environments"]) * len(t["regions"] or regions) for t in tenants)
    print(f"wrote {out}: {clusters} clusters, {tenant_count} tenants, "
          f"{placements} placements", file=sys.stderr)


def modify_one(out):
    """Cycle the marked tenant's requests.cpu override to the next value."""
    tenant_dir = os.path.join(out, "tenants")
    for name in sorted(os.listdir(tenant_dir)):
        path = os.path.join(tenant_dir, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if MARKER not in text:
            continue
        pattern = re.compile(re.escape(MARKER) + r'\n  quota: \{requests\.cpu: "(\d+)"\}')
        m = pattern.search(text)
        if not m:
            sys.exit(f"{path}: marker found but no quota line after it")
        old = m.group(1)
        new = MODIFY_VALUES[(MODIFY_VALUES.index(old) + 1) % len(MODIFY_VALUES)] \
            if old in MODIFY_VALUES else MODIFY_VALUES[0]
        text = text[:m.start(1)] + new + text[m.end(1):]
        tmp = path + ".tmp"
        write(tmp, text)
        os.replace(tmp, path)
        tenant = re.search(r"name: ([a-z0-9-]+)\}\nspec:(?:(?!---).)*" + re.escape(MARKER),
                           text, re.S)
        print(f"modified {path}: tenant {tenant.group(1) if tenant else '?'} "
              f"requests.cpu {old} -> {new}", file=sys.stderr)
        return
    sys.exit(f"no tenant marked '{MARKER}' under {tenant_dir}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--clusters", type=int, default=50)
    parser.add_argument("--tenants", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--modify-one", action="store_true",
                        help="change one tenant's quota override in place, then exit")
    args = parser.parse_args()
    if args.modify_one:
        modify_one(args.out_dir)
    else:
        if args.tenants < 1:
            sys.exit("--tenants must be at least 1")
        generate(args.out_dir, args.clusters, args.tenants, args.seed)


if __name__ == "__main__":
    main()
