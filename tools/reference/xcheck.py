"""Cross-check every [expect] value of problem files against the reference solver.

    xcheck.py DIR_OR_FILES...        (TOL=1e-6 sets the relative tolerance, default 2e-6)

Every [expect] / [expect.scenarios.NAME] value (each tier's weighted shortage
and the cost) is compared with `reference.py FILE --all-scenarios`, and an
[expect.plan] table (SPEC §12: `weighted_shortage` by tier and `cost`, both
expected values) with `reference.py plan FILE`'s `expected` figures.
"""
import json, subprocess, sys, tomllib, pathlib, time
TOL = float(__import__("os").environ.get("TOL", "2e-6"))
files = sorted(p for a in sys.argv[1:] for p in (pathlib.Path(a).rglob("*.toml") if pathlib.Path(a).is_dir() else [pathlib.Path(a)]))
bad = 0; n = 0
for f in files:
    doc = tomllib.loads(f.read_text())
    exp = doc.get("expect")
    t0 = time.time()
    out = subprocess.run([sys.executable, str(pathlib.Path(__file__).with_name("reference.py")), str(f), "--all-scenarios"], capture_output=True, text=True)
    dt = time.time() - t0
    if out.returncode != 0:
        print(f"REFERR {f}: {out.stderr.strip()[:500]}"); bad += 1; continue
    res = json.loads(out.stdout); res = res if isinstance(res, list) else [res]
    for r in res:
        sc = r["scenario"]
        e = exp if sc is None else (exp or {}).get("scenarios", {}).get(sc)
        label = f"{f.name} [{sc}]" if sc else f.name
        got = {t["tier"]: t["weighted_shortage"] for t in r["tiers"]}
        if e is None:
            print(f"NOEXP  {label}  ref: {got} cost {r['cost']['total']}"); bad += 1; continue
        pairs = [(f"weighted_shortage.{k}", v, got.get(k)) for k, v in e.get("weighted_shortage", {}).items()] + [("cost", e.get("cost"), r["cost"]["total"])]
        missing = [t for t in got if t not in e.get("weighted_shortage", {})]
        for field, ev, rv in pairs:
            n += 1
            if ev is None or rv is None:
                print(f"MISSING {label} {field}"); bad += 1; continue
            d = abs(ev - rv) / max(1, abs(rv))
            if d > TOL:
                print(f"DIFFER {label} {field}: blessed {ev!r} reference {rv!r} rel {d:.3e}"); bad += 1
        if missing: print(f"MISSINGTIER {label} {missing}"); bad += 1
    ep = (exp or {}).get("plan")
    if ep is not None:
        out = subprocess.run([sys.executable, str(pathlib.Path(__file__).with_name("reference.py")), "plan", str(f)], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"REFERR {f} plan: {out.stderr.strip()[:500]}"); bad += 1; continue
        pl = json.loads(out.stdout)["expected"]
        got = {t["tier"]: t["weighted_shortage"] for t in pl["tiers"]}
        label = f"{f.name} [plan]"
        pairs = [(f"weighted_shortage.{k}", v, got.get(k)) for k, v in ep.get("weighted_shortage", {}).items()] + [("cost", ep.get("cost"), pl["cost"])]
        for field, ev, rv in pairs:
            n += 1
            if ev is None or rv is None:
                print(f"MISSING {label} {field}"); bad += 1; continue
            d = abs(ev - rv) / max(1, abs(rv))
            if d > TOL:
                print(f"DIFFER {label} {field}: blessed {ev!r} reference {rv!r} rel {d:.3e}"); bad += 1
        missing = [t for t in got if t not in ep.get("weighted_shortage", {})]
        if missing: print(f"MISSINGTIER {label} {missing}"); bad += 1
    print(f"# {f.name}: reference {dt:.2f}s, {len(res)} solves")
print(f"{n} values compared, {bad} problems")
sys.exit(1 if bad else 0)
