#!/usr/bin/env python3
"""Cross-check an allot binary against the independent reference solver.

    compare.py --allot PATH_TO_ALLOT --seeds A..B [--keep DIR] [--tol 2e-6]
               [--features LIST | --v1]

For every seed in A..B (both ends included; a single number is one seed)
gen.py writes a random problem (with the v2 features of --features, default
all that gen.py knows; --v1 for none), reference.py solves it (base and all
scenarios) and `ALLOT solve FILE --all-scenarios --format json` solves it
too.  Compared, within tol * max(1, |reference value|):

  - the number and order of results and their `problem` / `scenario` fields,
  - each tier's `weighted_shortage` (and its `demand`, which is input data),
  - each `fill_rate` matched by (ally, item, tier), and the set of such
    entries (and each entry's `demand`),
  - `cost.total`,
  - `status` == "optimal".

Fill rates are unique only under leximin fairness, so with fairness = "none"
they are not compared.  One line is printed per mismatch and a last line
`N passed, M failed`.  Failing problem files are copied into --keep DIR.

--allot is split like a shell command line, so the reference can be checked
against itself:  compare.py --allot "python3 tools/reference/reference.py" --seeds 1..50
Exit status: 0 all passed, 1 some failed, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gen  # noqa: E402
import reference  # noqa: E402


def parse_seeds(s):
    if ".." in s:
        a, b = s.split("..", 1)
        a, b = int(a), int(b)
    else:
        a = b = int(s)
    if b < a:
        raise ValueError("empty seed range")
    return range(a, b + 1)


def close(ref, got, tol):
    return isinstance(got, (int, float)) and not isinstance(got, bool) \
        and abs(ref - got) <= tol * max(1.0, abs(ref))


def fairness_of(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    data = json.loads(raw) if path.endswith(".json") else tomllib.loads(raw.decode())
    return data.get("fairness", "leximin")


def compare_results(ref, got, tol, leximin):
    """List of mismatch descriptions (empty when they agree)."""
    out = []
    if len(ref) != len(got):
        return [f"{len(got)} results, expected {len(ref)}"]
    for r, g in zip(ref, got):
        if not isinstance(g, dict):
            out.append("result is not a JSON object")
            continue
        tag = f"[{r['scenario'] or 'base'}]"
        if g.get("scenario") != r["scenario"]:
            out.append(f"{tag} scenario field {g.get('scenario')!r}, expected {r['scenario']!r}")
        if g.get("problem") != r["problem"]:
            out.append(f"{tag} problem field {g.get('problem')!r}, expected {r['problem']!r}")
        if g.get("status") != "optimal":
            out.append(f"{tag} status {g.get('status')!r}, expected 'optimal'")
        gt = {t.get("tier"): t for t in g.get("tiers", []) if isinstance(t, dict)}
        order = [t.get("tier") for t in g.get("tiers", []) if isinstance(t, dict)]
        if order != [t["tier"] for t in r["tiers"]]:
            out.append(f"{tag} tiers listed {order}, expected {[t['tier'] for t in r['tiers']]}")
        for t in r["tiers"]:
            x = gt.get(t["tier"])
            if x is None:
                continue
            for key in ("weighted_shortage", "demand"):
                if not close(t[key], x.get(key), tol):
                    out.append(f"{tag} tier {t['tier']} {key}: allot {x.get(key)}, "
                               f"reference {t[key]}")
        gf = {}
        for f in g.get("fill", []):
            if isinstance(f, dict):
                gf[(f.get("ally"), f.get("item"), f.get("tier"))] = f
        rf = {(f["ally"], f["item"], f["tier"]): f for f in r["fill"]}
        for key in sorted(set(rf) - set(gf)):
            out.append(f"{tag} fill {'/'.join(key)}: missing in allot output")
        for key in sorted(set(gf) - set(rf), key=str):
            out.append(f"{tag} fill {'/'.join(map(str, key))}: not expected (no demand)")
        for key in sorted(set(rf) & set(gf)):
            f, x = rf[key], gf[key]
            if not close(f["demand"], x.get("demand"), tol):
                out.append(f"{tag} fill {'/'.join(key)} demand: allot {x.get('demand')}, "
                           f"reference {f['demand']}")
            if leximin and not close(f["fill_rate"], x.get("fill_rate"), tol):
                out.append(f"{tag} fill {'/'.join(key)} fill_rate: allot {x.get('fill_rate')}, "
                           f"reference {f['fill_rate']}")
        gc = g.get("cost", {}).get("total") if isinstance(g.get("cost"), dict) else None
        if not close(r["cost"]["total"], gc, tol):
            out.append(f"{tag} cost.total: allot {gc}, reference {r['cost']['total']}")
    return out


def run_allot(cmd, path, timeout):
    argv = cmd + ["solve", path, "--all-scenarios", "--format", "json"]
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout}s"
    except OSError as e:
        return None, f"cannot run {cmd[0]}: {e}"
    if p.returncode != 0:
        msg = (p.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        return None, f"exit status {p.returncode}: {msg}"
    try:
        data = json.loads(p.stdout)
    except ValueError as e:
        return None, f"output is not JSON: {e}"
    return (data if isinstance(data, list) else [data]), None


def main():
    ap = argparse.ArgumentParser(description="cross-check allot against the reference solver")
    ap.add_argument("--allot", required=True,
                    help="allot binary (or a command line, split like a shell would)")
    ap.add_argument("--seeds", required=True, help="A..B (inclusive) or N")
    ap.add_argument("--keep", help="copy failing problem files into this directory")
    ap.add_argument("--tol", type=float, default=2e-6)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per allot run")
    ap.add_argument("--features", default="all",
                    help="v2 features gen.py puts in the problems: comma-separated subset of "
                         f"{','.join(gen.FEATURES)}, or all (default)")
    ap.add_argument("--v1", action="store_true", help="v1 problems only (= --features none)")
    args = ap.parse_args()
    try:
        feats = frozenset() if args.v1 else gen.parse_features(args.features)
    except ValueError as e:
        print(f"error: --features: {e}", file=sys.stderr)
        return 2
    try:
        seeds = parse_seeds(args.seeds)
    except ValueError:
        print(f"error: bad --seeds {args.seeds!r}; expected A..B or N", file=sys.stderr)
        return 2
    cmd = shlex.split(args.allot)
    if len(cmd) == 1 and os.path.sep not in cmd[0] and shutil.which(cmd[0]) is None \
            and os.path.exists(cmd[0]):
        cmd[0] = os.path.abspath(cmd[0])
    work = tempfile.mkdtemp(prefix="allot-compare-")
    passed = failed = 0
    try:
        for seed in seeds:
            path = gen.write(seed, work, feats)
            problems = []
            try:
                ref = reference.solve_file(path, all_scenarios=True)
            except Exception as e:  # a reference bug: report, count as failure
                ref = None
                problems.append(f"reference failed: {type(e).__name__}: {e}")
            if ref is not None:
                got, err = run_allot(cmd, path, args.timeout)
                if err:
                    problems.append(f"allot {err}")
                else:
                    problems += compare_results(ref, got, args.tol,
                                                fairness_of(path) == "leximin")
            if problems:
                failed += 1
                for m in problems:
                    print(f"seed {seed} ({os.path.basename(path)}): {m}")
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    shutil.copy(path, os.path.join(args.keep, os.path.basename(path)))
            else:
                passed += 1
            os.remove(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
