#!/usr/bin/env python3
# Install the runtimes first (this script never installs anything itself):
#   python3 -m pip install cel-expr-python cel-python
"""CEL throughput benchmark: the Python half of Bulkhead's CEL comparison.

Runs the Pod Security Standards expressions in benchmarks/cel/expressions.json
against benchmarks/cel/pod.json on two Python-hosted CEL runtimes:

  cel-expr-python  Google's CEL C++ runtime (module cel_expr_python.cel)
  cel-python       pure-Python CEL (module celpy)

Each runtime compiles every expression once, converts the pod once, checks
that every expression yields true, then evaluates ALL expressions over the pod
in a loop for about --seconds. Prints one JSON line per runtime.

Usage: python3 scripts/bench-cel.py [--seconds S] [--runtime cel-expr-python|cel-python|all]
"""
import argparse
import json
import sys
import time
from importlib import metadata
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "cel"


def setup_cel_expr_python(exprs, pod):
    """Return (version, [eval thunks], is_true) for Google's C++ runtime."""
    from cel_expr_python import cel
    # `object` is declared map(string, dyn), like a JSON object; the type
    # checker runs at compile time, so field access below `object` is dyn.
    env = cel.NewEnv(variables={"object": cel.Type.Map(cel.Type.STRING, cel.Type.DYN)})
    programs = compile_all(exprs, env.compile)
    # Conversion outside the loop: yes. The Activation converts the Python dict
    # to C++ CEL values on its first eval() (the true-check below) and keeps
    # them; later edits to the dict are not seen. Results are allocated in the
    # activation's arena, so memory grows (~0.5 KB/eval) until it is dropped.
    activation = env.Activation({"object": pod})
    # eval() returns a cel.Value; .value() unwraps it to a Python bool.
    return metadata.version("cel-expr-python"), [
        (lambda p=p: p.eval(activation).value()) for p in programs], lambda r: r is True


def setup_cel_python(exprs, pod):
    """Return (version, [eval thunks], is_true) for the pure-Python celpy runtime."""
    import celpy
    # Default runner: celpy.InterpretedRunner (walks the lark parse tree).
    # celpy.CompiledRunner (transpiles to Python) is not used: in 0.5.0 it
    # fails on `!has(...)`: its has() yields a plain bool that `!` rejects.
    env = celpy.Environment()
    programs = compile_all(exprs, lambda text: env.program(env.compile(text)))
    # Conversion outside the loop: yes. json_to_cel builds celtypes.MapType /
    # ListType / StringType ... once; the context dict is reused every call.
    context = {"object": celpy.json_to_cel(pod)}
    # evaluate() returns a celtypes.BoolType (an int subclass), or raises.
    return metadata.version("cel-python"), [
        (lambda p=p: p.evaluate(context)) for p in programs], \
        lambda r: isinstance(r, celpy.celtypes.BoolType) and bool(r)


RUNTIMES = {"cel-expr-python": setup_cel_expr_python, "cel-python": setup_cel_python}


class CompileError(Exception):
    pass


def compile_all(exprs, compile_one):
    """Compile every expression; report each failure, raise if any failed."""
    programs, failed = [], []
    for e in exprs:
        try:
            programs.append(compile_one(e["expression"]))
        except Exception as exc:  # each runtime raises its own error types
            failed.append(e["name"])
            print(f"compile failed: {e['name']}: {type(exc).__name__}: {exc}", file=sys.stderr)
    if failed:
        raise CompileError(f"{len(failed)} expression(s) failed to compile: {', '.join(failed)}")
    return programs


def bench(name, exprs, pod, seconds):
    try:
        version, thunks, is_true = RUNTIMES[name](exprs, pod)
    except ImportError as exc:
        return {"runtime": name, "error": f"not importable: {exc}"}
    except CompileError as exc:
        return {"runtime": name, "error": str(exc)}

    wrong = []
    for e, thunk in zip(exprs, thunks):
        try:
            result = thunk()
        except Exception as exc:
            result = f"{type(exc).__name__}: {exc}"
        if not is_true(result):
            wrong.append(f"{e['name']} -> {result!r}")
    if wrong:
        return {"runtime": name, "version": version,
                "error": "not true on pod.json: " + "; ".join(wrong)}

    # Timed loop: one round = every expression once. The clock is read once
    # per round, so its cost is spread over len(exprs) evaluations.
    rounds = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for thunk in thunks:
            thunk()
        rounds += 1
        now = time.perf_counter()
        if now >= deadline:
            break
    elapsed = now - start
    evaluations = rounds * len(thunks)
    return {"runtime": name, "version": version, "expressions": len(thunks),
            "evaluations": evaluations, "seconds": round(elapsed, 3),
            "evaluations_per_second": round(evaluations / elapsed, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--runtime", choices=[*RUNTIMES, "all"], default="all")
    args = ap.parse_args()

    exprs = json.loads((DATA / "expressions.json").read_text())
    pod = json.loads((DATA / "pod.json").read_text())
    names = list(RUNTIMES) if args.runtime == "all" else [args.runtime]
    for name in names:
        print(json.dumps(bench(name, exprs, pod, args.seconds)), flush=True)


if __name__ == "__main__":
    main()
