#!/usr/bin/env python3
"""Cross-check an allot binary against the independent reference solver.

    compare.py --allot PATH_TO_ALLOT --seeds A..B [--mode solve|compare|marginal|plan]
               [--features LIST | --v1] [--compare-with alone,none] [--units N]
               [--keep DIR] [--tol 2e-6] [--timeout S]

For every seed in A..B (both ends included; a single number is one seed)
gen.py writes a random problem (with the v2 features of --features: a
comma-separated subset of reusable,guarantee,stockpile, default all; --v1
for none), the reference solves it and allot solves it too:

  --mode solve     ALLOT solve FILE --all-scenarios --format json
  --mode compare   ALLOT solve FILE --all-scenarios --compare WITH --format json
  --mode marginal  ALLOT solve FILE --all-scenarios --marginal [--units N] --format json
  --mode plan      ALLOT plan FILE --format json   (--write-check: plan FILE --write OUT ...)

Compared, within tol * max(1, |reference value|) (for a difference of two
optima -- a gain, a cost change, a price of fairness -- the scale is the
largest of 1 and the magnitudes of the optima it is the difference of):

  every solve mode (solve, compare, marginal), per result:
  - the number and order of results and their `problem` / `scenario` fields,
  - `status` == "optimal",
  - each tier's `weighted_shortage` (and its `demand`, which is input data),
  - each `fill_rate` matched by (ally, item, tier), and the set of such
    entries (and each entry's `demand`) -- fill rates only under leximin,
  - `cost.total`,
  - `guarantee` == "alone" when the problem says so (absent or "none" otherwise);
  --mode compare, per result:
  - compare.alone: every tier's `weighted_shortage` and `gain`, `cost`; and
    under leximin only (unique there): the list of (ally, tier) entries with
    their `weighted_shortage`, `alone`, `gain`, and `worse_off`.  Under
    fairness = "none" the per-ally `alone` values (unique) are still
    compared and the entries' set;
  - compare.none: `cost` and `price_of_fairness` (and, when allot prints
    it, `compare.none.tiers[].weighted_shortage`);
  --mode marginal, per result:
  - the (ally, item) entries in file order, their `units`, every tier's
    `gain` and `cost_change`;
  --mode plan:
  - `problem`, `status`, the `expected` tiers (order and weighted_shortage)
    and `expected.cost`; the probability of each case in `scenarios`
    (input data); that `placement` stays within each stockpile's allies and
    budget, and that it is optimal: every case solved with allot's placement
    fixed (fairness "none", no guarantee) gives the optimal expected figures.
    Placements and per-case figures are not unique and are not compared.
    With --write-check, the written file must load, have no [[stockpile]],
    and be the problem with allot's placement added to its supply stock.

One line is printed per mismatch, then a `# exercised:` line (how many
results had the guarantee, a non-empty worse_off, a non-zero price of
fairness, marginal entries with a gain, plans with a placement: a pass
that exercised nothing is no evidence), and a last line `N passed, M failed`.
Failing problem files are copied into --keep DIR, each with the
reference's output beside it (pN.reference.json).

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


def isnum(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def close(ref, got, tol, *scale):
    """|ref - got| <= tol * max(1, |ref|, |scale|...)."""
    return isnum(got) and abs(ref - got) <= tol * max([1.0, abs(ref)] + [abs(x) for x in scale])


def read_doc(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    return json.loads(raw) if path.endswith(".json") else tomllib.loads(raw.decode())


def fairness_of(path):
    return read_doc(path).get("fairness", "leximin")


def compare_results(ref, got, tol, leximin, mode="solve"):
    """List of mismatch descriptions (empty when they agree)."""
    out = []
    if len(ref) != len(got):
        return [f"{len(got)} results, expected {len(ref)}"]
    for r, g in zip(ref, got):
        if not isinstance(g, dict):
            out.append("result is not a JSON object")
            continue
        tag = f"[{r['scenario'] or 'base'}]"
        if r.get("guarantee") == "alone":
            if g.get("guarantee") != "alone":
                out.append(f"{tag} guarantee field {g.get('guarantee')!r}, expected 'alone'")
        elif g.get("guarantee") not in (None, "none"):
            out.append(f"{tag} guarantee field {g.get('guarantee')!r}, expected none")
        if mode == "compare":
            out += [f"{tag} {m}" for m in compare_compare(r, g, tol, leximin)]
        if mode == "marginal":
            out += [f"{tag} {m}" for m in compare_marginal(r, g, tol)]
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


def shortages(res):
    return {t["tier"]: t["weighted_shortage"] for t in res["tiers"]}


def compare_compare(r, g, tol, leximin):
    """Mismatches in the §10 `compare` object."""
    out = []
    rc, gc = r.get("compare", {}), g.get("compare")
    if not isinstance(gc, dict):
        return ["no `compare` object"]
    shared = shortages(r)
    if "alone" in rc:
        ra, ga = rc["alone"], gc.get("alone")
        if not isinstance(ga, dict):
            return out + ["no `compare.alone` object"]
        gt = [t for t in ga.get("tiers", []) if isinstance(t, dict)]
        if [t.get("tier") for t in gt] != [t["tier"] for t in ra["tiers"]]:
            out.append(f"compare.alone.tiers lists {[t.get('tier') for t in gt]}, "
                       f"expected {[t['tier'] for t in ra['tiers']]}")
        for t, x in zip(ra["tiers"], gt):
            a = t["weighted_shortage"]
            if not close(a, x.get("weighted_shortage"), tol):
                out.append(f"compare.alone tier {t['tier']} weighted_shortage: allot "
                           f"{x.get('weighted_shortage')}, reference {a}")
            if not close(t["gain"], x.get("gain"), tol, a, shared[t["tier"]]):
                out.append(f"compare.alone tier {t['tier']} gain: allot {x.get('gain')}, "
                           f"reference {t['gain']}")
        if not close(ra["cost"], ga.get("cost"), tol):
            out.append(f"compare.alone.cost: allot {ga.get('cost')}, reference {ra['cost']}")
        gal = [x for x in ga.get("allies", []) if isinstance(x, dict)]
        keys = [(x.get("ally"), x.get("tier")) for x in gal]
        rkeys = [(x["ally"], x["tier"]) for x in ra["allies"]]
        if sorted(map(str, keys)) != sorted(map(str, rkeys)):
            out.append(f"compare.alone.allies lists {keys}, expected {rkeys}")
        elif keys != rkeys:
            out.append(f"compare.alone.allies order {keys}, expected {rkeys} (file order)")
        gmap = dict(zip(keys, gal))
        for x in ra["allies"]:
            y = gmap.get((x["ally"], x["tier"]))
            if y is None:
                continue
            lab = f"compare.alone ally {x['ally']}/{x['tier']}"
            if not close(x["alone"], y.get("alone"), tol):
                out.append(f"{lab} alone: allot {y.get('alone')}, reference {x['alone']}")
            if not leximin:
                continue
            if not close(x["weighted_shortage"], y.get("weighted_shortage"), tol):
                out.append(f"{lab} weighted_shortage: allot {y.get('weighted_shortage')}, "
                           f"reference {x['weighted_shortage']}")
            if not close(x["gain"], y.get("gain"), tol, x["alone"], x["weighted_shortage"]):
                out.append(f"{lab} gain: allot {y.get('gain')}, reference {x['gain']}")
        if leximin and ga.get("worse_off") != ra["worse_off"]:
            out.append(f"compare.alone.worse_off: allot {ga.get('worse_off')}, "
                       f"reference {ra['worse_off']}")
    if "none" in rc:
        rn, gn = rc["none"], gc.get("none")
        if not isinstance(gn, dict):
            return out + ["no `compare.none` object"]
        if not close(rn["cost"], gn.get("cost"), tol):
            out.append(f"compare.none.cost: allot {gn.get('cost')}, reference {rn['cost']}")
        if not close(rn["price_of_fairness"], gn.get("price_of_fairness"), tol,
                     rn["cost"], r["cost"]["total"]):
            out.append(f"compare.none.price_of_fairness: allot {gn.get('price_of_fairness')}, "
                       f"reference {rn['price_of_fairness']}")
        if isinstance(gn.get("tiers"), list):  # an extra field; compared when allot has it
            gt = {t.get("tier"): t for t in gn["tiers"] if isinstance(t, dict)}
            for t in rn["tiers"]:
                x = gt.get(t["tier"], {})
                if not close(t["weighted_shortage"], x.get("weighted_shortage"), tol):
                    out.append(f"compare.none tier {t['tier']} weighted_shortage: allot "
                               f"{x.get('weighted_shortage')}, reference {t['weighted_shortage']}")
    return out


def compare_marginal(r, g, tol):
    """Mismatches in the §11 `marginal` list."""
    out = []
    gm = g.get("marginal")
    if not isinstance(gm, list):
        return ["no `marginal` list"]
    gm = [x for x in gm if isinstance(x, dict)]
    keys = [(x.get("ally"), x.get("item")) for x in gm]
    rkeys = [(x["ally"], x["item"]) for x in r["marginal"]]
    if keys != rkeys:
        return [f"marginal entries {keys}, expected {rkeys} (file order: allies, then items)"]
    shared = shortages(r)
    for x, y in zip(r["marginal"], gm):
        lab = f"marginal {x['ally']}/{x['item']}"
        if not close(x["units"], y.get("units"), tol):
            out.append(f"{lab} units: allot {y.get('units')}, reference {x['units']}")
        gg = y.get("gain") if isinstance(y.get("gain"), dict) else {}
        if list(gg) != list(x["gain"]):
            out.append(f"{lab} gain tiers {list(gg)}, expected {list(x['gain'])}")
        for tier, v in x["gain"].items():
            if not close(v, gg.get(tier), tol, shared[tier]):
                out.append(f"{lab} gain.{tier}: allot {gg.get(tier)}, reference {v}")
        if not close(x["cost_change"], y.get("cost_change"), tol, r["cost"]["total"]):
            out.append(f"{lab} cost_change: allot {y.get('cost_change')}, "
                       f"reference {x['cost_change']}")
    return out


def compare_plan(ref, got, tol, prob):
    """Mismatches between two §12 plan objects."""
    out = []
    if not isinstance(got, dict):
        return ["plan output is not a JSON object"]
    for key in ("problem", "status"):
        if got.get(key) != ref[key]:
            out.append(f"{key} field {got.get(key)!r}, expected {ref[key]!r}")
    ge = got.get("expected") if isinstance(got.get("expected"), dict) else {}
    gt = [t for t in ge.get("tiers", []) if isinstance(t, dict)]
    if [t.get("tier") for t in gt] != [t["tier"] for t in ref["expected"]["tiers"]]:
        out.append(f"expected.tiers lists {[t.get('tier') for t in gt]}, "
                   f"expected {[t['tier'] for t in ref['expected']['tiers']]}")
    for t, x in zip(ref["expected"]["tiers"], gt):
        if not close(t["weighted_shortage"], x.get("weighted_shortage"), tol):
            out.append(f"expected tier {t['tier']} weighted_shortage: allot "
                       f"{x.get('weighted_shortage')}, reference {t['weighted_shortage']}")
    if not close(ref["expected"]["cost"], ge.get("cost"), tol):
        out.append(f"expected.cost: allot {ge.get('cost')}, reference {ref['expected']['cost']}")
    gs = [x for x in got.get("scenarios", []) if isinstance(x, dict)] \
        if isinstance(got.get("scenarios"), list) else []
    if [x.get("scenario") for x in gs] != [x["scenario"] for x in ref["scenarios"]]:
        out.append(f"scenarios lists {[x.get('scenario') for x in gs]}, "
                   f"expected {[x['scenario'] for x in ref['scenarios']]}")
    else:
        for x, y in zip(ref["scenarios"], gs):
            if not close(x["probability"], y.get("probability"), tol):
                out.append(f"scenario {x['scenario']} probability: allot {y.get('probability')}, "
                           f"reference {x['probability']}")
    placed = {}
    pl = got.get("placement")
    if not isinstance(pl, list):
        out.append("no `placement` list")
        pl = []
    for y in pl:
        if not isinstance(y, dict):
            continue
        a, k, u = y.get("ally"), y.get("item"), y.get("units")
        sp = prob["stockpile"].get(k)
        if not isnum(u) or u < -tol:
            out.append(f"placement {a}/{k}: units {u!r}")
            continue
        if sp is None or a not in sp["allies"]:
            if abs(u) > tol:
                out.append(f"placement {a}/{k}: {u} units where no stockpile may be placed")
            continue
        placed[k] = placed.get(k, 0.0) + u
    for k, v in placed.items():
        b = prob["stockpile"][k]["budget"]
        if v > b + tol * max(1.0, b):
            out.append(f"placement of {k}: {v} units, budget {b}")
    if out:
        return out
    # the placement itself: solving every case with it fixed must give the
    # optimal expected figures (only an optimal placement does)
    fixed = reference.expected_of_placement(
        prob, [y for y in pl if isinstance(y, dict) and y.get("item") in placed])
    for t, x in zip(ref["expected"]["tiers"], fixed["tiers"]):
        if not close(t["weighted_shortage"], x["weighted_shortage"], tol):
            out.append(f"allot's placement gives expected tier {t['tier']} weighted_shortage "
                       f"{x['weighted_shortage']}, optimum {t['weighted_shortage']}")
    if not close(ref["expected"]["cost"], fixed["cost"], tol):
        out.append(f"allot's placement gives expected cost {fixed['cost']}, "
                   f"optimum {ref['expected']['cost']}")
    return out


def reference_doc_keys(prob):
    try:
        return read_doc(prob["path"]).keys()
    except (OSError, ValueError):
        return ()


def compare_written(prob, got, out_path, tol):
    """Mismatches of a `plan --write` file: it must be the problem with allot's
    placement added to the supply stock and no stockpile (§12)."""
    try:
        w = reference.load_problem(out_path)
    except reference.InputError as e:
        return [f"--write file does not load: {e}"]
    except OSError as e:
        return [f"--write file missing: {e}"]
    want = reference.placed_problem(prob, [y for y in got.get("placement", [])
                                           if isinstance(y, dict)])
    out = []
    if w["stockpile"]:
        out.append("--write file still has [[stockpile]] tables")
    if "name" in reference_doc_keys(prob) and w["name"] != prob["name"]:
        out.append(f"--write file problem name {w['name']!r}, expected {prob['name']!r}")
    for key in ("T", "tiers", "fairness", "guarantee", "items", "value", "reusable", "allies",
                "demand", "lanes"):
        if w[key] != want[key]:
            out.append(f"--write file changed `{key}`")
    if [(s["name"], s["probability"]) for s in w["scenarios"]] != \
            [(s["name"], s["probability"]) for s in want["scenarios"]]:
        out.append("--write file changed the scenarios")
    for key in sorted(set(w["supply"]) | set(want["supply"])):
        a, b = w["supply"].get(key), want["supply"].get(key)
        if a is None or b is None:
            # an entry of stock 0 may be left out or written
            if (a or b)["stock"] > tol or any(v for v in (a or b)["production"]):
                out.append(f"--write file supply {key}: {'missing' if a is None else 'unexpected'}")
            continue
        for f in ("stock", "reserve"):
            if not close(b[f], a[f], tol):
                out.append(f"--write file supply {key} {f}: {a[f]}, expected {b[f]}")
        for f in ("production", "surge", "export_limit", "production_cost", "surge_cost"):
            if a[f] != b[f]:
                out.append(f"--write file supply {key} changed `{f}`")
    return out


def run_allot(cmd, path, timeout, extra=("solve", "--all-scenarios")):
    argv = cmd + [extra[0], path] + list(extra[1:]) + ["--format", "json"]
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout}s"
    except OSError as e:
        return None, f"cannot run {cmd[0]}: {e}"
    if p.returncode != 0:
        lines = p.stderr.strip().splitlines() or ["(no stderr)"]
        msg = next((ln for ln in lines if "error" in ln.lower()), lines[0])
        return None, f"exit status {p.returncode}: {msg}"
    try:
        data = json.loads(p.stdout)
    except ValueError as e:
        return None, f"output is not JSON: {e}"
    if extra[0] == "plan":
        return data, None
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
    ap.add_argument("--mode", default="solve", choices=["solve", "compare", "marginal", "plan"],
                    help="what to run and compare (default solve)")
    ap.add_argument("--compare-with", default="alone,none",
                    help="--mode compare: the --compare argument (alone, none or alone,none)")
    ap.add_argument("--write-check", action="store_true",
                    help="--mode plan: also run plan --write OUT and check OUT (§12)")
    ap.add_argument("--units", default=None,
                    help="--mode marginal: pass --units N (default: not passed, N = 1)")
    args = ap.parse_args()
    try:
        cmp_with = reference.parse_compare(args.compare_with)
        units = None if args.units is None else reference.parse_units(args.units)
    except argparse.ArgumentTypeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.mode == "solve":
        extra = ["solve", "--all-scenarios"]
    elif args.mode == "compare":
        extra = ["solve", "--all-scenarios", "--compare", args.compare_with]
    elif args.mode == "marginal":
        extra = ["solve", "--all-scenarios", "--marginal"]
        if args.units is not None:
            extra += ["--units", args.units]
    else:
        extra = ["plan"]
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
    seen = {}  # what the reference results exercised (so a pass is not vacuous)

    def count(key, n=1):
        seen[key] = seen.get(key, 0) + n

    try:
        for seed in seeds:
            path = gen.write(seed, work, feats)
            problems = []
            try:
                if args.mode == "plan":
                    ref = reference.plan_file(path)
                else:
                    ref = reference.solve_file(
                        path, all_scenarios=True,
                        compare=cmp_with if args.mode == "compare" else (),
                        units=(units or 1.0) if args.mode == "marginal" else None)
            except Exception as e:  # a reference bug: report, count as failure
                ref = None
                problems.append(f"reference failed: {type(e).__name__}: {e}")
            if ref is not None:
                count("problems")
                count("with reusable items", bool(reference.load_problem(path)["reusable"]))
                if args.mode == "plan":
                    count("plans")
                    count("with a placement", bool(ref["placement"]))
                else:
                    for r in ref:
                        count("results")
                        count("guarantee", r.get("guarantee") == "alone")
                        c = r.get("compare", {})
                        count("worse_off non-empty", bool(c.get("alone", {}).get("worse_off")))
                        count("price_of_fairness != 0", "none" in c and
                              abs(c["none"]["price_of_fairness"]) > 1e-6)
                        count("marginal entries with a gain",
                              sum(any(abs(v) > 1e-6 for v in x["gain"].values())
                                  for x in r.get("marginal", [])))
                # the written copy in the input's syntax (allot may insist on it)
                wpath = os.path.join(work, "written" + os.path.splitext(path)[1])
                if args.mode == "plan" and args.write_check:
                    if os.path.exists(wpath):
                        os.remove(wpath)
                    got, err = run_allot(cmd, path, args.timeout, extra + ["--write", wpath])
                else:
                    got, err = run_allot(cmd, path, args.timeout, extra)
                if err:
                    problems.append(f"allot {err}")
                elif args.mode == "plan":
                    prob = reference.load_problem(path)
                    problems += compare_plan(ref, got, args.tol, prob)
                    if args.write_check and isinstance(got, dict):
                        problems += compare_written(prob, got, wpath, args.tol)
                else:
                    problems += compare_results(ref, got, args.tol,
                                                fairness_of(path) == "leximin", args.mode)
            if problems:
                failed += 1
                for m in problems:
                    print(f"seed {seed} ({os.path.basename(path)}): {m}")
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    shutil.copy(path, os.path.join(args.keep, os.path.basename(path)))
                    if ref is not None:  # and what the reference says, to diff against
                        stem = os.path.splitext(os.path.basename(path))[0]
                        with open(os.path.join(args.keep, stem + ".reference.json"), "w") as fh:
                            json.dump(ref if args.mode == "plan" or len(ref) != 1 else ref[0],
                                      fh, indent=2)
            else:
                passed += 1
            os.remove(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("# exercised: " + ", ".join(f"{k} {v}" for k, v in seen.items() if v or k in
                                       ("problems", "results", "plans")))
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
