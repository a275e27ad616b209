#!/usr/bin/env python3
"""Independent reference solver for allot problem files (SPEC.md v2).

This is a development tool used to cross-check the Rust `allot` solver.  It is
written from /work/shared/SPEC.md alone and shares no code with the crate.
Speed is not a goal; every step is the plainest correct formulation.

Usage:
    reference.py [solve] PROBLEM_FILE [--scenario NAME]... [--all-scenarios]
                 [--compare alone|none|alone,none] [--marginal [--units N]]
                 [--format json]
    reference.py plan PROBLEM_FILE [--write FILE] [--format json]

Without scenario flags only the base problem is solved.  `--all-scenarios`
solves the base and then every scenario (in file order).  `--scenario NAME`
(repeatable) solves the named scenarios; the base is included only together
with --all-scenarios (or when no scenario is named).  One solve prints one
JSON object, several print a JSON array (base first).

Exit status: 0 solved, 2 bad input/usage, 3 solver failure.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import tomllib

DEFAULT_TIERS = ["critical", "essential", "routine"]

# Numerical settings -------------------------------------------------------
# A held optimum of SH_g is relaxed by this many weighted units (absolute)
# plus a relative part; a held fill rate by FILL_HOLD units of demand.
SH_HOLD_ABS = 1e-9       # weighted units
SH_HOLD_REL = 1e-12       # of the weighted units served
FILL_HOLD = 1e-9          # absolute, in units served
# If HiGHS ever reports a held system infeasible (round-off), all hold
# slacks are multiplied by 10 and the solve is retried, at most this often.
MAX_RELAX = 4
BLOCKED_TOL = 1e-7        # a pair is blocked if max phi_i <= t* + this
# A guarantee row (§9) sum value*u >= sum value*D - A[a,g] is loosened by
# GUAR_ABS + GUAR_REL * sum value*D (A comes from an LP solve).
GUAR_ABS = 1e-9
GUAR_REL = 1e-12
# scenario probabilities may sum to 1 + this (decimal round-off: 0.1+0.2+0.7)
PROB_SUM_TOL = 1e-9
# an ally is worse off (§10) when its gain < -WORSE_TOL * max(1, |alone|)
WORSE_TOL = 1e-6


class InputError(Exception):
    pass


class SolverError(Exception):
    pass


# ---------------------------------------------------------------------------
# Parsing and validation
# ---------------------------------------------------------------------------

def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class Parser:
    def __init__(self, path):
        self.path = path

    def err(self, where, msg):
        raise InputError(f"{self.path}: {where}: {msg}")

    def keys(self, table, where, allowed, required=()):
        if not isinstance(table, dict):
            self.err(where, "expected a table")
        for k in table:
            if k not in allowed:
                self.err(where, f"unknown key `{k}` (allowed: {', '.join(sorted(allowed))})")
        for k in required:
            if k not in table:
                self.err(where, f"missing required key `{k}`")

    def string(self, v, where):
        if not isinstance(v, str):
            self.err(where, "expected a string")
        return v

    def number(self, v, where, positive=False):
        if not _is_num(v) or not math.isfinite(float(v)):
            self.err(where, "expected a finite number")
        v = float(v)
        if v < 0:
            self.err(where, "must be >= 0")
        if positive and v <= 0:
            self.err(where, "must be > 0")
        return v

    def integer(self, v, where, minimum):
        if not isinstance(v, int) or isinstance(v, bool):
            self.err(where, "expected an integer")
        if v < minimum:
            self.err(where, f"must be >= {minimum}")
        return v

    def per_period(self, v, where, T):
        if isinstance(v, list):
            if len(v) != T:
                self.err(where, f"array has {len(v)} entries, expected periods = {T}")
            return [self.number(x, f"{where}[{i}]") for i, x in enumerate(v)]
        return [self.number(v, where)] * T

    def ids(self, v, where, universe, kind, star=True):
        """id, array of ids or "*" -> (list of ids in universe order, was_single)."""
        if isinstance(v, str):
            if v == "*" and star:
                return list(universe), False
            if v not in universe:
                self.err(where, f"unknown {kind} `{v}`")
            return [v], True
        if isinstance(v, list):
            if not v:
                self.err(where, "empty array")
            seen = set()
            for i, x in enumerate(v):
                if not isinstance(x, str):
                    self.err(f"{where}[{i}]", "expected a string id")
                if x not in universe:
                    self.err(f"{where}[{i}]", f"unknown {kind} `{x}`")
                if x in seen:
                    self.err(f"{where}[{i}]", f"duplicate {kind} `{x}`")
                seen.add(x)
            return [u for u in universe if u in seen], False
        self.err(where, "expected an id, an array of ids or \"*\"")


def load_problem(path):
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e}")
    try:
        if path.lower().endswith(".json"):
            data = json.loads(raw.decode("utf-8"))
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: parse error: {e}")
    return parse_problem(data, path)


def parse_problem(data, path="<problem>"):
    P = Parser(path)
    P.keys(data, "top level",
           {"name", "description", "periods", "tiers", "fairness", "items", "allies",
            "supply", "demand", "lanes", "scenarios", "guarantee", "stockpile", "expect"},
           required=("items", "allies"))
    stem = os.path.splitext(os.path.basename(path))[0]
    name = P.string(data["name"], "name") if "name" in data else stem
    if "description" in data:
        P.string(data["description"], "description")
    T = P.integer(data.get("periods", 1), "periods", 1)
    tiers = data.get("tiers", DEFAULT_TIERS)
    if not isinstance(tiers, list) or not tiers:
        P.err("tiers", "expected a non-empty array of strings")
    for i, g in enumerate(tiers):
        P.string(g, f"tiers[{i}]")
    if len(set(tiers)) != len(tiers):
        P.err("tiers", "duplicate tier name")
    tiers = list(tiers)
    fairness = data.get("fairness", "leximin")
    if fairness not in ("leximin", "none"):
        P.err("fairness", "expected \"leximin\" or \"none\"")
    guarantee = data.get("guarantee", "none")
    if guarantee not in ("none", "alone"):
        P.err("guarantee", "expected \"none\" or \"alone\"")

    # items
    if not isinstance(data["items"], list) or not data["items"]:
        P.err("items", "expected a non-empty array of tables")
    items, value, reusable = [], {}, set()
    for i, it in enumerate(data["items"]):
        w = f"items[{i}]"
        P.keys(it, w, {"id", "name", "unit", "value", "reusable"}, required=("id",))
        k = P.string(it["id"], w + ".id")
        if k in value:
            P.err(w + ".id", f"duplicate item id `{k}`")
        for key in ("name", "unit"):
            if key in it:
                P.string(it[key], f"{w}.{key}")
        value[k] = P.number(it.get("value", 1), w + ".value", positive=True)
        ru = it.get("reusable", False)
        if not isinstance(ru, bool):
            P.err(w + ".reusable", "expected true or false")
        if ru:
            reusable.add(k)
        items.append(k)

    # allies
    if not isinstance(data["allies"], list) or not data["allies"]:
        P.err("allies", "expected a non-empty array of tables")
    allies = []
    for i, al in enumerate(data["allies"]):
        w = f"allies[{i}]"
        P.keys(al, w, {"id", "name"}, required=("id",))
        a = P.string(al["id"], w + ".id")
        if a in allies:
            P.err(w + ".id", f"duplicate ally id `{a}`")
        if "name" in al:
            P.string(al["name"], w + ".name")
        allies.append(a)

    def array_of_tables(key):
        v = data.get(key, [])
        if not isinstance(v, list):
            P.err(key, "expected an array of tables")
        return v

    # supply
    supply = {}
    for i, s in enumerate(array_of_tables("supply")):
        w = f"supply[{i}]"
        P.keys(s, w, {"ally", "item", "stock", "reserve", "production", "production_cost",
                      "surge", "surge_cost", "export_limit"}, required=("ally", "item"))
        a = P.string(s["ally"], w + ".ally")
        k = P.string(s["item"], w + ".item")
        if a not in allies:
            P.err(w + ".ally", f"unknown ally `{a}`")
        if k not in items:
            P.err(w + ".item", f"unknown item `{k}`")
        if (a, k) in supply:
            P.err(w, f"duplicate supply entry for ({a}, {k})")
        stock = P.number(s.get("stock", 0), w + ".stock")
        reserve = P.number(s.get("reserve", 0), w + ".reserve")
        if reserve > stock:
            P.err(w + ".reserve", "reserve must not exceed stock")
        supply[(a, k)] = {
            "stock": stock,
            "reserve": reserve,
            "production": P.per_period(s.get("production", 0), w + ".production", T),
            "production_cost": P.number(s.get("production_cost", 0), w + ".production_cost"),
            "surge": P.per_period(s.get("surge", 0), w + ".surge", T),
            "surge_cost": P.number(s.get("surge_cost", 0), w + ".surge_cost"),
            "export_limit": (P.per_period(s["export_limit"], w + ".export_limit", T)
                             if "export_limit" in s else [None] * T),
        }

    # demand
    demand = {}
    for i, d in enumerate(array_of_tables("demand")):
        w = f"demand[{i}]"
        P.keys(d, w, {"ally", "item", "tier", "quantity"}, required=("ally", "item", "quantity"))
        a = P.string(d["ally"], w + ".ally")
        k = P.string(d["item"], w + ".item")
        g = P.string(d.get("tier", tiers[-1]), w + ".tier")
        if a not in allies:
            P.err(w + ".ally", f"unknown ally `{a}`")
        if k not in items:
            P.err(w + ".item", f"unknown item `{k}`")
        if g not in tiers:
            P.err(w + ".tier", f"unknown tier `{g}`")
        if (a, k, g) in demand:
            P.err(w, f"duplicate demand entry for ({a}, {k}, {g})")
        demand[(a, k, g)] = P.per_period(d["quantity"], w + ".quantity", T)

    # lanes
    lanes = []
    for i, ln in enumerate(array_of_tables("lanes")):
        w = f"lanes[{i}]"
        P.keys(ln, w, {"from", "to", "items", "cost", "capacity", "lead_time", "bidirectional"},
               required=("from", "to"))
        frm, fsingle = P.ids(ln["from"], w + ".from", allies, "ally")
        to, tsingle = P.ids(ln["to"], w + ".to", allies, "ally")
        if fsingle and tsingle and frm[0] == to[0]:
            P.err(w, f"lane from `{frm[0]}` to itself")
        if "items" in ln:
            if not isinstance(ln["items"], list):
                P.err(w + ".items", "expected an array of item ids")
            its, _ = P.ids(ln["items"], w + ".items", items, "item", star=False)
        else:
            its = list(items)
        cost = P.number(ln.get("cost", 0), w + ".cost")
        cap = (P.per_period(ln["capacity"], w + ".capacity", T)
               if "capacity" in ln else [None] * T)
        lead = P.integer(ln.get("lead_time", 0), w + ".lead_time", 0)
        bidir = ln.get("bidirectional", False)
        if not isinstance(bidir, bool):
            P.err(w + ".bidirectional", "expected true or false")
        pairs = [(o, d) for o in frm for d in to if o != d]
        if bidir:
            pairs = pairs + [(d, o) for (o, d) in pairs]
        for (o, d) in pairs:
            lanes.append({"from": o, "to": d, "items": list(its), "cost": cost,
                          "capacity": list(cap), "lead_time": lead, "entry": i})

    # scenarios (validated here, applied later)
    scenarios = []
    names = set()
    for i, sc in enumerate(array_of_tables("scenarios")):
        w = f"scenarios[{i}]"
        P.keys(sc, w, {"name", "description", "changes", "probability"}, required=("name",))
        nm = P.string(sc["name"], w + ".name")
        if nm in names:
            P.err(w + ".name", f"duplicate scenario name `{nm}`")
        names.add(nm)
        if "description" in sc:
            P.string(sc["description"], w + ".description")
        changes = sc.get("changes", [])
        if not isinstance(changes, list):
            P.err(w + ".changes", "expected an array of tables")
        parsed = []
        for j, ch in enumerate(changes):
            parsed.append(parse_change(P, ch, f"{w}.changes[{j}]", T, allies, items, tiers))
        prob_s = None
        if "probability" in sc:
            prob_s = P.number(sc["probability"], w + ".probability")
            if prob_s > 1:
                P.err(w + ".probability", "a probability is in [0, 1]")
        scenarios.append({"name": nm, "changes": parsed, "probability": prob_s, "where": w})
    with_p = [sc for sc in scenarios if sc["probability"] is not None]
    if with_p and len(with_p) != len(scenarios):
        lacking = next(sc for sc in scenarios if sc["probability"] is None)
        P.err(lacking["where"], "either every scenario has a `probability` or none has "
              f"(`{with_p[0]['name']}` has one, `{lacking['name']}` has not)")
    if with_p and sum(sc["probability"] for sc in with_p) > 1 + PROB_SUM_TOL:
        P.err("scenarios", "scenario probabilities sum to "
              f"{sum(sc['probability'] for sc in with_p)!r}, more than 1")

    # stockpile (SPEC §12): at most one table per item
    stockpile = {}
    for i, sp in enumerate(array_of_tables("stockpile")):
        w = f"stockpile[{i}]"
        P.keys(sp, w, {"item", "budget", "allies", "cost"}, required=("item", "budget"))
        k = P.string(sp["item"], w + ".item")
        if k not in items:
            P.err(w + ".item", f"unknown item `{k}`")
        if k in stockpile:
            P.err(w + ".item", f"a second [[stockpile]] for item `{k}` (at most one per item)")
        budget = P.number(sp["budget"], w + ".budget")
        where_ok, _ = P.ids(sp.get("allies", "*"), w + ".allies", allies, "ally")
        stockpile[k] = {"budget": budget, "allies": where_ok,
                        "cost": P.number(sp.get("cost", 0), w + ".cost")}

    prob = {"name": name, "T": T, "tiers": tiers, "fairness": fairness, "guarantee": guarantee,
            "stockpile": stockpile, "items": items,
            "value": value, "reusable": reusable, "allies": allies, "supply": supply, "demand": demand,
            "lanes": lanes, "scenarios": scenarios, "path": path}
    # Check that every change matches something (on the problem as changed so
    # far; matching does not depend on earlier changes).
    for sc in scenarios:
        for ch in sc["changes"]:
            if not change_matches(prob, ch):
                P.err(ch["where"], "change matches no entry or lane")
    return prob


def parse_change(P, ch, w, T, allies, items, tiers):
    P.keys(ch, w, {"target", "factor", "periods", "ally", "item", "tier", "from", "to", "items"},
           required=("target", "factor"))
    target = ch["target"]
    if target not in ("production", "surge", "export_limit", "stock", "demand", "lanes"):
        P.err(w + ".target", "expected one of production, surge, export_limit, stock, demand, lanes")
    factor = P.number(ch["factor"], w + ".factor")
    if "periods" in ch:
        if target == "stock":
            P.err(w + ".periods", "a stock change has no periods")
        pr = ch["periods"]
        if (not isinstance(pr, list) or len(pr) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in pr)):
            P.err(w + ".periods", "expected [first, last]")
        if not (1 <= pr[0] <= pr[1] <= T):
            P.err(w + ".periods", f"need 1 <= first <= last <= {T}")
        periods = list(range(pr[0] - 1, pr[1]))
    else:
        periods = list(range(T))
    out = {"target": target, "factor": factor, "periods": periods, "where": w}
    if target == "lanes":
        for key in ("ally", "item", "tier"):
            if key in ch:
                P.err(w + "." + key, f"`{key}` is not used by a lanes change (use from/to/items)")
        out["from"] = set(P.ids(ch.get("from", "*"), w + ".from", allies, "ally")[0])
        out["to"] = set(P.ids(ch.get("to", "*"), w + ".to", allies, "ally")[0])
        out["items"] = (set(P.ids(ch["items"], w + ".items", items, "item")[0])
                        if "items" in ch else None)
    else:
        for key in ("from", "to", "items"):
            if key in ch:
                P.err(w + "." + key, f"`{key}` is only used by a lanes change")
        if "tier" in ch and target != "demand":
            P.err(w + ".tier", "`tier` is only used by a demand change")
        out["ally"] = set(P.ids(ch.get("ally", "*"), w + ".ally", allies, "ally")[0])
        out["item"] = set(P.ids(ch.get("item", "*"), w + ".item", items, "item")[0])
        out["tier"] = (set(P.ids(ch["tier"], w + ".tier", tiers, "tier")[0])
                       if "tier" in ch else set(tiers))
    return out


def _matching(prob, ch):
    t = ch["target"]
    if t == "lanes":
        return [ln for ln in prob["lanes"]
                if ln["from"] in ch["from"] and ln["to"] in ch["to"]
                and (ch["items"] is None or ch["items"] & set(ln["items"]))]
    if t == "demand":
        return [key for key in prob["demand"]
                if key[0] in ch["ally"] and key[1] in ch["item"] and key[2] in ch["tier"]]
    return [key for key in prob["supply"] if key[0] in ch["ally"] and key[1] in ch["item"]]


def change_matches(prob, ch):
    return bool(_matching(prob, ch))


def _scale(q, f):
    """Scale a per-period value; None is unlimited."""
    if q is None:
        return None if f > 0 else 0.0
    return q * f


def apply_scenario(prob, name):
    sc = next((s for s in prob["scenarios"] if s["name"] == name), None)
    if sc is None:
        raise InputError(f"{prob['path']}: no scenario named `{name}`")
    p = copy.deepcopy(prob)
    for ch in sc["changes"]:
        f, t = ch["factor"], ch["target"]
        matched = _matching(p, ch)
        if t == "lanes":
            for ln in matched:
                for i in ch["periods"]:
                    ln["capacity"][i] = _scale(ln["capacity"][i], f)
        elif t == "demand":
            for key in matched:
                for i in ch["periods"]:
                    p["demand"][key][i] *= f
        elif t == "stock":
            for key in matched:
                p["supply"][key]["stock"] *= f
                p["supply"][key]["reserve"] *= f
        else:
            for key in matched:
                arr = p["supply"][key][t]
                for i in ch["periods"]:
                    arr[i] = _scale(arr[i], f)
    return p


# ---------------------------------------------------------------------------
# LP model
# ---------------------------------------------------------------------------

_HIGHS = None


def highs():
    """One HiGHS instance; its banner (printed on stdout at construction) is
    swallowed so that stdout stays pure JSON."""
    global _HIGHS
    if _HIGHS is None:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        try:
            import highspy
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("primal_feasibility_tolerance", 1e-10)
        h.setOptionValue("dual_feasibility_tolerance", 1e-10)
        _HIGHS = (h, highspy)
    return _HIGHS


class LP:
    """Columns with bounds, rows lb <= sum(coef*col) <= ub."""

    def __init__(self):
        self.lb, self.ub, self.names = [], [], []
        self.rows = []  # (lb, ub, {col: coef})

    def col(self, name, lb=0.0, ub=math.inf):
        self.lb.append(lb)
        self.ub.append(ub)
        self.names.append(name)
        return len(self.lb) - 1

    def row(self, lb, ub, coefs):
        self.rows.append((lb, ub, dict(coefs)))

    def solve(self, objective, maximize, extra_rows=()):
        import numpy as np
        h, hp = highs()
        inf = hp.kHighsInf
        h.clearModel()
        n = len(self.lb)
        lb = np.array(self.lb, dtype=np.float64)
        ub = np.array([inf if math.isinf(v) else v for v in self.ub], dtype=np.float64)
        h.addCols(n, np.zeros(n), lb, ub, 0, np.zeros(0, dtype=np.int32),
                  np.zeros(0, dtype=np.int32), np.zeros(0))
        rows = list(self.rows) + list(extra_rows)
        rlb, rub, starts, idx, val = [], [], [], [], []
        for (a, b, coefs) in rows:
            rlb.append(-inf if math.isinf(a) else a)
            rub.append(inf if math.isinf(b) else b)
            starts.append(len(idx))
            for c, v in coefs.items():
                if v != 0:
                    idx.append(c)
                    val.append(v)
        if rows:
            h.addRows(len(rows), np.array(rlb, dtype=np.float64), np.array(rub, dtype=np.float64),
                      len(idx), np.array(starts, dtype=np.int32), np.array(idx, dtype=np.int32),
                      np.array(val, dtype=np.float64))
        cols = sorted(objective)
        if cols:
            h.changeColsCost(len(cols), np.array(cols, dtype=np.int32),
                             np.array([objective[c] for c in cols], dtype=np.float64))
        h.changeObjectiveSense(hp.ObjSense.kMaximize if maximize else hp.ObjSense.kMinimize)
        h.run()
        st = h.getModelStatus()
        if st != hp.HighsModelStatus.kOptimal:
            raise SolverError(f"HiGHS status {h.modelStatusToString(st)}")
        x = list(h.getSolution().col_value)
        obj = sum(objective[c] * x[c] for c in cols)
        return x, obj


def build_lp(prob, lp=None, stock_cols=None):
    """Add the §3 (and §8) model of `prob` to `lp` (a new LP if None).

    `stock_cols` maps (ally, item) to a list of (column, coefficient): extra
    free stock at the start of period 1 that is itself a variable (the
    placement y of §12).  Returns (lp, V, tcol)."""
    T, tiers, items, allies = prob["T"], prob["tiers"], prob["items"], prob["allies"]
    reusable = prob.get("reusable", set())
    stock_cols = stock_cols or {}
    if lp is None:
        lp = LP()
    V = {"x": {}, "p": {}, "s": {}, "u": {}, "r": {}, "w": {}, "f": {}}
    # dispatch x[l,k,t], t = 1..T-L(l)
    for li, ln in enumerate(prob["lanes"]):
        for k in ln["items"]:
            for t in range(1, T - ln["lead_time"] + 1):
                V["x"][(li, k, t)] = lp.col(f"x[{li},{k},{t}]")
    for (a, k), s in prob["supply"].items():
        for t in range(1, T + 1):
            V["p"][(a, k, t)] = lp.col(f"p[{a},{k},{t}]", 0.0, s["production"][t - 1])
            V["s"][(a, k, t)] = lp.col(f"s[{a},{k},{t}]", 0.0, s["surge"][t - 1])
    for (a, k, g), q in prob["demand"].items():
        for t in range(1, T + 1):
            V["u"][(a, k, g, t)] = lp.col(f"u[{a},{k},{g},{t}]", 0.0, q[t - 1])
    for a in allies:
        for k in items:
            for t in range(1, T + 1):
                # a reusable item (§8) has no r, w: its reserve is a constant
                for v in (("f",) if k in reusable else ("r", "w", "f")):
                    V[v][(a, k, t)] = lp.col(f"{v}[{a},{k},{t}]")
    tcol = lp.col("t", 0.0, 1.0)  # helper column for the leximin LPs

    lanes = prob["lanes"]
    for a in allies:
        for k in items:
            sup = prob["supply"].get((a, k))
            stock = sup["stock"] if sup else 0.0
            reserve = sup["reserve"] if sup else 0.0
            reuse = k in reusable
            for t in range(1, T + 1):
                served = {V["u"][(a, k, g, t)]: 1.0 for g in tiers if (a, k, g, t) in V["u"]}
                if not reuse:
                    # reserve: r[t] - r[t-1] + w[t] = 0  (r[0] = reserve)
                    c = {V["r"][(a, k, t)]: 1.0, V["w"][(a, k, t)]: 1.0}
                    rhs = 0.0
                    if t == 1:
                        rhs = reserve
                    else:
                        c[V["r"][(a, k, t - 1)]] = -1.0
                    lp.row(rhs, rhs, c)
                    # w[t] <= sum_g u
                    c = {V["w"][(a, k, t)]: 1.0}
                    for col in served:
                        c[col] = c.get(col, 0.0) - 1.0
                    lp.row(-math.inf, 0.0, c)
                # free stock (on hand, for a reusable item) balance:
                # f[t] - f[t-1] - p - s - arrivals + dispatch [+ sum u - w] = 0
                c = {}

                def add(col, v):
                    c[col] = c.get(col, 0.0) + v
                add(V["f"][(a, k, t)], 1.0)
                rhs = 0.0
                if t == 1:
                    rhs = stock - reserve
                    for (col, coef) in stock_cols.get((a, k), ()):
                        add(col, -coef)
                else:
                    add(V["f"][(a, k, t - 1)], -1.0)
                if (a, k, t) in V["p"]:
                    add(V["p"][(a, k, t)], -1.0)
                    add(V["s"][(a, k, t)], -1.0)
                for li, ln in enumerate(lanes):
                    if k not in ln["items"]:
                        continue
                    if ln["to"] == a and t - ln["lead_time"] >= 1:
                        add(V["x"][(li, k, t - ln["lead_time"])], -1.0)
                    if ln["from"] == a and (li, k, t) in V["x"]:
                        add(V["x"][(li, k, t)], 1.0)
                if not reuse:
                    for col in served:
                        add(col, 1.0)
                    add(V["w"][(a, k, t)], -1.0)
                lp.row(rhs, rhs, c)
                if reuse and served:
                    # §8 serving: sum_g u[t] <= f[t] + reserve
                    c = dict(served)
                    c[V["f"][(a, k, t)]] = -1.0
                    lp.row(-math.inf, reserve, c)
                # export limit
                lim = sup["export_limit"][t - 1] if sup else None
                if lim is not None:
                    c = {}
                    for li, ln in enumerate(lanes):
                        if ln["from"] == a and (li, k, t) in V["x"]:
                            c[V["x"][(li, k, t)]] = 1.0
                    if c:
                        lp.row(-math.inf, lim, c)
    # lane capacity
    for li, ln in enumerate(lanes):
        for t in range(1, T - ln["lead_time"] + 1):
            cap = ln["capacity"][t - 1]
            if cap is not None:
                lp.row(-math.inf, cap, {V["x"][(li, k, t)]: 1.0 for k in ln["items"]})
    return lp, V, tcol


# ---------------------------------------------------------------------------
# Lexicographic solve (SPEC §4)
# ---------------------------------------------------------------------------

def solve_problem(prob, log=None, method="pairs", guarantee=None):
    """Solve per SPEC §3-§4.  `method` picks the leximin algorithm:
    "pairs" (default) is the classic iterative one (maximise the common
    minimum t, then one LP per free pair to see whether it is blocked at t);
    "cumulative" lexicographically maximises, for k = 1..n, the sum of the k
    smallest fill rates (an independent formulation, used by the tests to
    cross-check "pairs")."""
    lp, V, tcol = build_lp(prob)
    T, tiers = prob["T"], prob["tiers"]
    value = prob["value"]
    holds = []  # (target, slack, coefs): rows  sum(coefs) >= target - relax*slack
    if guarantee is not None:
        # §9: for every ally a and tier g,
        # sum_{k,t} value_k (demand - u) <= A[a,g], i.e.
        # sum value_k u >= sum value_k demand - A[a,g]
        for a in prob["allies"]:
            for g in tiers:
                W, dem = {}, 0.0
                for (aa, k, gg), q in prob["demand"].items():
                    if aa != a or gg != g:
                        continue
                    for t in range(1, T + 1):
                        W[V["u"][(a, k, g, t)]] = value[k]
                        dem += value[k] * q[t - 1]
                if dem > 0:
                    holds.append((dem - guarantee[(a, g)], GUAR_ABS + GUAR_REL * dem, W))
    nsolves = 0
    relax = 1.0

    def run(obj, maximize, extra=()):
        nonlocal nsolves, relax
        for attempt in range(MAX_RELAX + 1):
            nsolves += 1
            rows = [(tg - relax * sl, math.inf, c) for (tg, sl, c) in holds]
            rows += [(tg - relax * sl, math.inf, c) for (tg, sl, c) in extra]
            try:
                return lp.solve(obj, maximize, rows)
            except SolverError:
                if attempt == MAX_RELAX:
                    raise
                relax *= 10.0

    for g in tiers:
        pairs = []  # (a, k, D, [u cols])
        for (a, k, gg), q in prob["demand"].items():
            if gg != g:
                continue
            D = sum(q)
            if D > 0:
                pairs.append((a, k, D, [V["u"][(a, k, g, t)] for t in range(1, T + 1)]))
        if not pairs:
            continue
        # 1. minimise SH_g  <=>  maximise weighted served W_g
        W = {}
        for (a, k, D, cols) in pairs:
            for c in cols:
                W[c] = value[k]
        _, wstar = run(W, True)
        slack = SH_HOLD_ABS + SH_HOLD_REL * abs(wstar)
        holds.append((wstar, slack, W))
        if prob["fairness"] != "leximin":
            continue
        if method == "cumulative":
            n = len(pairs)
            for kk in range(1, n + 1):
                # sum of the kk smallest phi = max kk*r - sum_i d_i, d_i >= r - phi_i
                rc = lp.col(f"r{g},{kk}", 0.0, 1.0)
                ds = [lp.col(f"d{g},{kk},{i}") for i in range(n)]
                rows = []
                for i, (a, k, D, cols) in enumerate(pairs):
                    c = {col: 1.0 / D for col in cols}
                    c[ds[i]] = 1.0
                    c[rc] = -1.0
                    rows.append((0.0, 0.0, c))
                obj = {rc: float(kk)}
                for dcol in ds:
                    obj[dcol] = -1.0
                _, best = run(obj, True, rows)
                holds.extend(rows)
                holds.append((best, FILL_HOLD, obj))
            continue
        # 2. exact leximin over the pairs' fill rates
        level = {}
        free = list(range(len(pairs)))

        def fill_row(i, tval):
            # sum_t u_i >= D_i * tval - FILL_HOLD
            a, k, D, cols = pairs[i]
            return (D * tval, FILL_HOLD, {c: 1.0 for c in cols})

        while free:
            fixed_rows = [fill_row(i, level[i]) for i in level]
            # maximise t s.t. phi_i >= t for free i
            t_rows = []
            for i in free:
                a, k, D, cols = pairs[i]
                c = {col: 1.0 for col in cols}
                c[tcol] = -D
                t_rows.append((0.0, 0.0, c))
            _, tstar = run({tcol: 1.0}, True, fixed_rows + t_rows)
            tstar = min(max(tstar, 0.0), 1.0)
            if tstar >= 1.0 - 1e-12:
                for i in free:
                    level[i] = 1.0
                break
            # one LP per free pair: can phi_i rise above t* while the others stay >= t*?
            at_t = [fill_row(j, tstar) for j in free]
            blocked, best = [], {}
            for i in free:
                a, k, D, cols = pairs[i]
                _, m = run({c: 1.0 for c in cols}, True, fixed_rows + at_t)
                best[i] = m / D
                if m / D <= tstar + BLOCKED_TOL:
                    blocked.append(i)
            if not blocked:  # cannot happen in exact arithmetic; be safe
                blocked = [min(free, key=lambda i: best[i])]
            for i in blocked:
                level[i] = tstar
            free = [i for i in free if i not in blocked]
        for i in level:
            holds.append(fill_row(i, level[i]))

    # 3. minimise cost
    C = cost_expr(prob, V)
    x, cstar = run(C, False)
    # Hold nothing further; report from this solution.
    if log is not None:
        log["lp_solves"] = nsolves
        log["relax"] = relax
    return report(prob, V, x)


def cost_expr(prob, V):
    C = {}
    for (li, k, t), c in V["x"].items():
        C[c] = prob["lanes"][li]["cost"]
    for (a, k, t), c in V["p"].items():
        C[c] = prob["supply"][(a, k)]["production_cost"]
    for (a, k, t), c in V["s"].items():
        C[c] = prob["supply"][(a, k)]["surge_cost"]
    return {c: v for c, v in C.items() if v != 0}


def _clean(v):
    if abs(v) < 1e-11:
        return 0.0
    return float(v)


def report(prob, V, x, scenario=None):
    T, tiers, items, allies = prob["T"], prob["tiers"], prob["items"], prob["allies"]
    value = prob["value"]
    tiers_out = []
    for g in tiers:
        dem = served = wsh = 0.0
        for (a, k, gg), q in prob["demand"].items():
            if gg != g:
                continue
            for t in range(1, T + 1):
                u = min(max(x[V["u"][(a, k, g, t)]], 0.0), q[t - 1])
                dem += q[t - 1]
                served += u
                wsh += value[k] * (q[t - 1] - u)
        tiers_out.append({"tier": g, "demand": _clean(dem), "served": _clean(served),
                          "shortage": _clean(dem - served), "weighted_shortage": _clean(wsh)})
    transport = sum(prob["lanes"][li]["cost"] * max(x[c], 0.0) for (li, k, t), c in V["x"].items())
    production = sum(prob["supply"][(a, k)]["production_cost"] * max(x[c], 0.0)
                     for (a, k, t), c in V["p"].items())
    surge = sum(prob["supply"][(a, k)]["surge_cost"] * max(x[c], 0.0)
                for (a, k, t), c in V["s"].items())
    fill = []
    for a in allies:
        for k in items:
            for g in tiers:
                q = prob["demand"].get((a, k, g))
                if q is None or sum(q) <= 0:
                    continue
                D = sum(q)
                s = sum(min(max(x[V["u"][(a, k, g, t)]], 0.0), q[t - 1]) for t in range(1, T + 1))
                fill.append({"ally": a, "item": k, "tier": g, "demand": _clean(D),
                             "served": _clean(s), "fill_rate": _clean(min(s / D, 1.0))})
    shipments = []
    for (li, k, t), c in sorted(V["x"].items(), key=lambda kv: (kv[0][2], kv[0][0],
                                                                  items.index(kv[0][1]))):
        q = x[c]
        if q > 1e-9:
            ln = prob["lanes"][li]
            shipments.append({"from": ln["from"], "to": ln["to"], "item": k, "period": t,
                              "arrives": t + ln["lead_time"], "quantity": float(q),
                              "cost": _clean(q * ln["cost"]), "lane": li})
    return {
        "problem": prob["name"],
        "scenario": scenario,
        "status": "optimal",
        "tiers": tiers_out,
        "cost": {"total": _clean(transport + production + surge), "transport": _clean(transport),
                 "production": _clean(production), "surge": _clean(surge)},
        "fill": fill,
        "shipments": shipments,
    }


# ---------------------------------------------------------------------------
# SPEC §9-§11: guarantee, comparisons, marginal values
# ---------------------------------------------------------------------------

def alone_problem(prob):
    """§9: the same problem with every lane closed (no guarantee: the alone
    plan satisfies its own guarantee trivially)."""
    p = copy.copy(prob)
    p["lanes"] = []
    p["guarantee"] = "none"
    return p


def ally_shortages(prob, res):
    """{(ally, tier): weighted shortage} of a result, from its `fill` entries
    (every (a, k, g) with demand > 0; the others have no shortage)."""
    out = {(a, g): 0.0 for a in prob["allies"] for g in prob["tiers"]}
    for f in res["fill"]:
        out[(f["ally"], f["tier"])] += prob["value"][f["item"]] * (f["demand"] - f["served"])
    return out


def ally_demand(prob):
    out = {(a, g): 0.0 for a in prob["allies"] for g in prob["tiers"]}
    for (a, k, g), q in prob["demand"].items():
        out[(a, g)] += sum(q)
    return out


def solve_full(prob, method="pairs", log=None):
    """§4 solve of a problem (or an applied scenario), with its §9 guarantee.
    Returns (result, alone result or None)."""
    alone = None
    A = None
    if prob["guarantee"] == "alone":
        alone = solve_problem(alone_problem(prob), None, method)
        A = ally_shortages(prob, alone)
    r = solve_problem(prob, log, method, guarantee=A)
    if A is not None:
        r["guarantee"] = "alone"
    return r, alone


def compare_alone(prob, res, alone):
    """The §10 `compare.alone` object of result `res` of problem `prob`."""
    tiers = []
    for ts, ta in zip(res["tiers"], alone["tiers"]):
        tiers.append({"tier": ts["tier"], "weighted_shortage": ta["weighted_shortage"],
                      "gain": _clean(ta["weighted_shortage"] - ts["weighted_shortage"])})
    shared = ally_shortages(prob, res)
    A = ally_shortages(prob, alone)
    dem = ally_demand(prob)
    allies, worse = [], []
    for a in prob["allies"]:
        bad = False
        for g in prob["tiers"]:
            if dem[(a, g)] <= 0:
                continue
            gain = A[(a, g)] - shared[(a, g)]
            allies.append({"ally": a, "tier": g, "weighted_shortage": _clean(shared[(a, g)]),
                           "alone": _clean(A[(a, g)]), "gain": _clean(gain)})
            if gain < -WORSE_TOL * max(1.0, abs(A[(a, g)])):
                bad = True
        if bad:
            worse.append(a)
    out = {"tiers": tiers, "cost": alone["cost"]["total"], "allies": allies, "worse_off": worse}
    # the per-ally shared figures are unique under leximin only (§10)
    out["allies_unique"] = prob["fairness"] == "leximin"
    return out


def with_units(prob, ally, item, units):
    """§11: `units` more units of free stock of `item` at `ally` at the start
    (a supply entry is created if there is none)."""
    p = copy.copy(prob)
    p["supply"] = dict(prob["supply"])
    T = prob["T"]
    old = prob["supply"].get((ally, item))
    if old is None:
        new = {"stock": 0.0, "reserve": 0.0, "production": [0.0] * T, "production_cost": 0.0,
               "surge": [0.0] * T, "surge_cost": 0.0, "export_limit": [None] * T}
    else:
        new = dict(old)
    new["stock"] = new["stock"] + units
    p["supply"][(ally, item)] = new
    return p


def marginal(prob, res, units, method="pairs"):
    """The §11 `marginal` list of result `res` of problem `prob`."""
    out = []
    for a in prob["allies"]:
        for k in prob["items"]:
            r2, _ = solve_full(with_units(prob, a, k, units), method)
            gain = {}
            for t1, t2 in zip(res["tiers"], r2["tiers"]):
                gain[t1["tier"]] = _clean(t1["weighted_shortage"] - t2["weighted_shortage"])
            out.append({"ally": a, "item": k, "units": float(units), "gain": gain,
                        "cost_change": _clean(r2["cost"]["total"] - res["cost"]["total"])})
    return out


def solve_file(path, scenarios=(), all_scenarios=False, method="pairs", log=None,
               compare=(), units=None):
    """Return the list of result objects, base first.  `compare` is a subset
    of {"alone", "none"} (§10); `units` not None asks for §11 marginal values
    of that many units."""
    prob = load_problem(path)
    names = []
    if all_scenarios:
        names = [None] + [s["name"] for s in prob["scenarios"]]
        for n in scenarios:
            if n not in names:
                raise InputError(f"{path}: no scenario named `{n}`")
    elif scenarios:
        for n in scenarios:
            if n not in [s["name"] for s in prob["scenarios"]]:
                raise InputError(f"{path}: no scenario named `{n}`")
        names = list(dict.fromkeys(scenarios))
    else:
        names = [None]
    out = []
    for n in names:
        p = prob if n is None else apply_scenario(prob, n)
        lg = {}
        r, alone = solve_full(p, method, lg)
        if log is not None:
            log.append(lg)
        r["scenario"] = n
        cmp = {}
        if "alone" in compare:
            if alone is None:
                alone = solve_problem(alone_problem(p), None, method)
            cmp["alone"] = compare_alone(p, r, alone)
        if "none" in compare:
            p0 = dict(p)
            p0["fairness"] = "none"
            r0, _ = solve_full(p0, method)
            c0 = r0["cost"]["total"]
            # SPEC says the tier shortages are the same; they are for the top
            # tier only: leximin's held fill rates can cost lower tiers, so
            # the none solve's tiers are reported too (and the price of
            # fairness can be negative)
            cmp["none"] = {"cost": c0, "price_of_fairness": _clean(r["cost"]["total"] - c0),
                           "tiers": [{"tier": t["tier"], "weighted_shortage": t["weighted_shortage"]}
                                     for t in r0["tiers"]]}
        if cmp:
            r["compare"] = cmp
        if units is not None:
            r["marginal"] = marginal(p, r, units, method)
        out.append(r)
    return out


# ---------------------------------------------------------------------------
# SPEC §12: stockpile planning
# ---------------------------------------------------------------------------

def case_probabilities(prob):
    """[P(base), P(scenario 1), ...] per §5: the given probabilities with the
    base taking what is left, or all equally likely."""
    sc = prob["scenarios"]
    if sc and sc[0]["probability"] is not None:
        ps = [s["probability"] for s in sc]
        return [max(0.0, 1.0 - sum(ps))] + ps
    return [1.0 / (len(sc) + 1)] * (len(sc) + 1)


def stock_factor(prob, name, ally, item):
    """Product of the factors of scenario `name`'s stock changes that select
    (ally, item) by their ally/item selectors (supply entry or not, §12)."""
    m = 1.0
    if name is None:
        return m
    sc = next(s for s in prob["scenarios"] if s["name"] == name)
    for ch in sc["changes"]:
        if ch["target"] == "stock" and ally in ch["ally"] and item in ch["item"]:
            m *= ch["factor"]
    return m


def plan_problem(prob, log=None):
    """The §12 extensive-form LP over the base and every scenario, sharing
    the placement y.  Returns the plan JSON object."""
    lp = LP()
    ycols = {}
    for k in prob["items"]:
        sp = prob["stockpile"].get(k)
        if sp is None:
            continue
        cols = [lp.col(f"y[{a},{k}]") for a in sp["allies"]]
        for a, c in zip(sp["allies"], cols):
            ycols[(a, k)] = c
        lp.row(-math.inf, sp["budget"], {c: 1.0 for c in cols})
    names = [None] + [s["name"] for s in prob["scenarios"]]
    probs = case_probabilities(prob)
    cases = []
    for name, P in zip(names, probs):
        p = prob if name is None else apply_scenario(prob, name)
        extra = {(a, k): [(c, stock_factor(prob, name, a, k))] for (a, k), c in ycols.items()}
        _, V, _ = build_lp(p, lp, extra)
        cases.append((name, P, p, V))

    holds = []
    nsolves = 0
    relax = 1.0

    def run(obj, maximize):
        nonlocal nsolves, relax
        for attempt in range(MAX_RELAX + 1):
            nsolves += 1
            rows = [(tg - relax * sl, math.inf, c) for (tg, sl, c) in holds]
            try:
                return lp.solve(obj, maximize, rows)
            except SolverError:
                if attempt == MAX_RELAX:
                    raise
                relax *= 10.0

    for g in prob["tiers"]:
        # minimise sum_s P(s) SH_g(s)  <=>  maximise sum_s P(s) sum value*u
        W = {}
        for (name, P, p, V) in cases:
            if P <= 0:
                continue
            for (a, k, gg), q in p["demand"].items():
                if gg != g:
                    continue
                for t in range(1, p["T"] + 1):
                    W[V["u"][(a, k, g, t)]] = P * p["value"][k]
        if not W:
            continue
        _, wstar = run(W, True)
        holds.append((wstar, SH_HOLD_ABS + SH_HOLD_REL * abs(wstar), W))
    C = {}
    for (a, k), c in ycols.items():
        if prob["stockpile"][k]["cost"]:
            C[c] = prob["stockpile"][k]["cost"]
    for (name, P, p, V) in cases:
        if P <= 0:
            continue
        for c, v in cost_expr(p, V).items():
            C[c] = C.get(c, 0.0) + P * v
    x, _ = run(C, False)
    if log is not None:
        log["lp_solves"] = nsolves
        log["relax"] = relax

    placement = []
    place_cost = 0.0
    for k in prob["items"]:
        if k not in prob["stockpile"]:
            continue
        for a in prob["stockpile"][k]["allies"]:
            y = max(x[ycols[(a, k)]], 0.0)
            place_cost += prob["stockpile"][k]["cost"] * y
            if y > 1e-9:
                placement.append({"ally": a, "item": k, "units": float(y)})
    exp_sh = {g: 0.0 for g in prob["tiers"]}
    exp_cost = place_cost
    scen_out = []
    for (name, P, p, V) in cases:
        r = report(p, V, x, name)
        for t in r["tiers"]:
            exp_sh[t["tier"]] += P * t["weighted_shortage"]
        exp_cost += P * r["cost"]["total"]
        scen_out.append({"scenario": name, "probability": P,
                         "tiers": [{"tier": t["tier"], "weighted_shortage": t["weighted_shortage"]}
                                   for t in r["tiers"]],
                         "cost": r["cost"]["total"]})
    return {
        "problem": prob["name"],
        "status": "optimal",
        "placement": placement,
        "expected": {"tiers": [{"tier": g, "weighted_shortage": _clean(exp_sh[g])}
                               for g in prob["tiers"]],
                     "cost": _clean(exp_cost),
                     "placement_cost": _clean(place_cost)},
        "scenarios": scen_out,
    }


def plan_file(path, log=None):
    return plan_problem(load_problem(path), log)


def placed_problem(prob, placement):
    """The problem with `placement` ([{ally, item, units}]) added to its
    supply stock (entries created where needed) and no stockpile: what
    `plan --write` writes (§12)."""
    p = copy.deepcopy(prob)
    T = p["T"]
    for y in placement:
        key = (y["ally"], y["item"])
        if key not in p["supply"]:
            p["supply"][key] = {"stock": 0.0, "reserve": 0.0, "production": [0.0] * T,
                                "production_cost": 0.0, "surge": [0.0] * T, "surge_cost": 0.0,
                                "export_limit": [None] * T}
        p["supply"][key]["stock"] += float(y["units"])
    p["stockpile"] = {}
    return p


def expected_of_placement(prob, placement):
    """Expected figures (§12) of a fixed placement: each case of the placed
    problem solved on its own (§4 with fairness "none", no guarantee, which is
    what the planning LP does once y is fixed), weighted by its probability,
    plus the placement cost.  Equal to the plan's `expected` figures exactly
    when the placement is optimal."""
    placed = placed_problem(prob, placement)
    placed["fairness"] = "none"
    placed["guarantee"] = "none"
    names = [None] + [s["name"] for s in prob["scenarios"]]
    probs = case_probabilities(prob)
    sh = {g: 0.0 for g in prob["tiers"]}
    cost = sum(prob["stockpile"][y["item"]]["cost"] * float(y["units"]) for y in placement
               if y["item"] in prob["stockpile"])
    for name, P in zip(names, probs):
        if P <= 0:
            continue
        p = placed if name is None else apply_scenario(placed, name)
        r = solve_problem(p)
        for t in r["tiers"]:
            sh[t["tier"]] += P * t["weighted_shortage"]
        cost += P * r["cost"]["total"]
    return {"tiers": [{"tier": g, "weighted_shortage": sh[g]} for g in prob["tiers"]],
            "cost": cost}


_BARE = __import__("re").compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(k):
    return k if _BARE.match(k) else json.dumps(k)


def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def to_toml(doc):
    """A problem document as TOML: scalars and plain arrays first, then one
    [[table]] per entry of an array of tables, then tables."""
    out = []
    def is_aot(v):
        return isinstance(v, list) and v and all(isinstance(x, dict) for x in v)
    for k, v in doc.items():
        if not is_aot(v) and not isinstance(v, dict):
            out.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for k, v in doc.items():
        if is_aot(v):
            for entry in v:
                out.append("")
                out.append(f"[[{_toml_key(k)}]]")
                for kk, vv in entry.items():
                    out.append(f"{_toml_key(kk)} = {_toml_value(vv)}")
    for k, v in doc.items():
        if isinstance(v, dict):
            out.append("")
            out.append(f"[{_toml_key(k)}]")
            for kk, vv in v.items():
                out.append(f"{_toml_key(kk)} = {_toml_value(vv)}")
    return "\n".join(out) + "\n"


def write_placed(path, placement, out_path):
    """`plan --write`: the problem file with the placement added to its
    supply stock (entries appended where there is none) and no [[stockpile]]
    tables, as TOML (or JSON for a .json name)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    doc = (json.loads(raw.decode("utf-8")) if path.lower().endswith(".json")
           else tomllib.loads(raw.decode("utf-8")))
    doc.pop("stockpile", None)
    supply = doc.setdefault("supply", [])
    for y in placement:
        e = next((s for s in supply if s["ally"] == y["ally"] and s["item"] == y["item"]), None)
        if e is None:
            supply.append({"ally": y["ally"], "item": y["item"], "stock": float(y["units"])})
        else:
            e["stock"] = float(e.get("stock", 0)) + float(y["units"])
    if "name" not in doc:  # keep the problem's name (the file stem) in the copy
        doc = {"name": os.path.splitext(os.path.basename(path))[0], **doc}
    text = (json.dumps(doc, indent=2) + "\n" if out_path.lower().endswith(".json")
            else to_toml(doc))
    try:
        with open(out_path, "w") as fh:
            fh.write(text)
    except OSError as e:
        raise InputError(f"{out_path}: cannot write: {e}")


def parse_units(text):
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"--units must be a finite number > 0, got {text!r}")
    return v


def parse_compare(text):
    parts = [x.strip() for x in text.split(",")]
    if not parts or any(x not in ("alone", "none") for x in parts) or len(set(parts)) != len(parts):
        raise argparse.ArgumentTypeError(
            f"expected alone, none or alone,none, got {text!r}")
    return set(parts)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = "solve"
    if argv and argv[0] in ("solve", "plan"):  # drop-in for `allot solve` / `allot plan`
        cmd, argv = argv[0], argv[1:]
    ap = argparse.ArgumentParser(prog=f"reference.py {cmd}",
                                 description="Independent reference solver for allot problems")
    ap.add_argument("problem")
    ap.add_argument("--format", default="json", choices=["json"])
    if cmd == "plan":
        ap.add_argument("--write", metavar="FILE")
    if cmd == "solve":
        ap.add_argument("--scenario", action="append", default=[])
        ap.add_argument("--all-scenarios", action="store_true")
        ap.add_argument("--compare", type=parse_compare, default=set())
        ap.add_argument("--marginal", action="store_true")
        ap.add_argument("--units", type=parse_units)
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        if cmd == "plan":
            res = [plan_file(args.problem)]
            if args.write:
                write_placed(args.problem, res[0]["placement"], args.write)
        else:
            if args.units is not None and not args.marginal:
                print("error: --units needs --marginal", file=sys.stderr)
                return 2
            res = solve_file(args.problem, args.scenario, args.all_scenarios,
                             compare=args.compare,
                             units=(args.units or 1.0) if args.marginal else None)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except SolverError as e:
        print(f"error: solver failed: {e}", file=sys.stderr)
        return 3
    print(json.dumps(res[0] if len(res) == 1 else res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
