#!/usr/bin/env python3
"""Writes problems/medical-ventilators-us-states-2020.toml from the public
data of the COVIDAnalytics (MIT) ventilator-allocation study, kept under
tools/ventilators/data/ (see data/README.md for where each file comes from).

    python3 tools/ventilators/make.py [OUT]

The numbers in the problem come from the data files and from the study's
own settings (src/output.jl of its repository): a 3-day transfer delay,
80 % of each state's stock kept at home, at most 3000 ventilators shipped
out of a state a day, a federal surge of 450 ventilators a day on days
4-33, half of each state's estimated ventilators available to COVID-19
patients. Nothing else is assumed; the encoding choices are in the file's
header comment. The `[expect]` values are what allot computes (written by
`allot check --bless`), not numbers from the study: allot solves the LP
relaxation with a lexicographic, leximin-fair objective, the study a
mixed-integer program with a LASSO penalty on transfers.
"""

import csv
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
DEFAULT_OUT = os.path.join(HERE, "..", "..", "problems", "medical-ventilators-us-states-2020.toml")

# The repository the data files were taken from, and the commit.
REPO = "https://github.com/COVIDAnalytics/ventilator-allocation"
COMMIT = "aa49fd1c6509c737756f76a24a402a44e462f1cd"

# The study's settings (src/output.jl, solve_transfers, and src/mip.jl).
LEAD_TIME = 3  # delays = 3 * ones(...)
RESERVE_FRACTION = 0.8  # minimum_stock_fraction = 0.8 (first value tried)
EXPORT_LIMIT = 3000  # max_ship_per_day = 3000.0
SURGE_PER_DAY = 450  # surge_supply = 450 * ones(...)
SURGE_FIRST, SURGE_LAST = 4, 33  # surge_supply[1:3] = 0; surge_supply[34:end] = 0
AVAILABLE_FRACTION = 0.5  # allocate_ventilators(demands, ceil.(base_supply .* 0.5), ...)
DISTANCE_OFFSET = 10  # LASSO weight (distances[s1, s2] + 10) per ventilator moved

USPS = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR",
    "California": "CA", "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE",
    "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID",
    "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS",
    "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
    "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
    "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT",
    "Vermont": "VT", "Virginia": "VA", "Washington": "WA", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY",
}


def read_csv(name):
    with open(os.path.join(DATA, name), newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def demand():
    """{state: [ventilators in use, day by day]} and the days, from the
    DELPHI (ODE) projection."""
    rows = read_csv("predicted_ode_AllStates.csv")
    head = rows[0]
    s, d, v = head.index("State"), head.index("Day"), head.index("Ventilators")
    days = sorted({r[d] for r in rows[1:]})
    by_state = {}
    for r in rows[1:]:
        by_state.setdefault(r[s], {})[r[d]] = int(r[v])
    for state, series in by_state.items():
        assert sorted(series) == days, f"{state}: days missing"
    return {state: [series[day] for day in days] for state, series in by_state.items()}, days


def supply():
    """{state: estimated ventilators in 2019 (VentCalc_2019)}."""
    rows = read_csv("ventilator_table_calculated.csv")
    head = rows[0]
    n, c = head.index("STNAME"), head.index("VentCalc_2019")
    return {r[n]: int(r[c]) for r in rows[1:]}


def distances():
    """{(state, state): distance between the states' centres (degrees)}."""
    rows = read_csv("state_distances.csv")
    names = rows[0][1:]
    out = {}
    for r in rows[1:]:
        for name, x in zip(names, r[1:]):
            out[(r[0], name)] = float(x)
    return out


def per_period(values):
    return "[" + ", ".join(str(v) for v in values) + "]"


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    need, days = demand()
    have = supply()
    dist = distances()
    states = sorted(need)
    assert len(states) == 50 and all(s in USPS for s in states), states
    periods = len(days)
    surge = [SURGE_PER_DAY if SURGE_FIRST <= t <= SURGE_LAST else 0 for t in range(1, periods + 1)]

    stock = {s: math.ceil(have[s] * AVAILABLE_FRACTION) for s in states}
    reserve = {s: math.floor(RESERVE_FRACTION * stock[s]) for s in states}

    lines = []
    w = lines.append
    w(f"""# medical-ventilators-us-states-2020 — sharing ventilators among the 50 US
# states, {days[0]} to {days[-1]} ({periods} days), with a federal surge.
#
# GENERATED by tools/ventilators/make.py from tools/ventilators/data/; do not
# edit by hand (run `python3 tools/ventilators/make.py`, then
# `allot check --bless` on this file).
#
# Source: the COVIDAnalytics (MIT) ventilator-allocation study, D. Bertsimas
# et al., "From predictions to prescriptions: A data-driven response to
# COVID-19", Health Care Management Science 24 (2021) 253-272,
# doi:10.1007/s10729-020-09542-0; data and settings from its repository
# {REPO}
# at commit {COMMIT}:
#   processed/predicted_ode/AllStates.csv   column Ventilators: the DELPHI
#       (ODE) model's projection of ventilators in use per state and day,
#       run of 2020-04-16 (demand, day by day);
#   processed/ventilator_table_calculated.csv   column VentCalc_2019: each
#       state's ventilators, the 2010 estimate (62 188 in all) scaled by
#       population growth to 2019 (stock);
#   processed/state_distances.csv   distance between state centres, in
#       degrees (lane costs);
#   src/output.jl, src/mip.jl   the study's settings used below.
#
# Encoding:
#   periods      days 1..{periods} = {days[0]} .. {days[-1]}; one tier, critical.
#   item         `vent`, reusable (SPEC §8): a ventilator serves every day
#                it is on hand; demand = ventilators needed in use that day,
#                shortage in ventilator-days.
#   stock        ceil(0.5 x VentCalc_2019): the study makes half of each
#                state's ventilators available to COVID-19 patients.
#   reserve      floor(0.8 x stock): the study's minimum_stock_fraction 0.8,
#                the part of its stock a state never ships.
#   export_limit {EXPORT_LIMIT} a day per state (max_ship_per_day).
#   lanes        every ordered pair of states, lead time {LEAD_TIME} days (the
#                study's delays); cost per ventilator = distance + {DISTANCE_OFFSET},
#                the weight of the study's LASSO penalty on transfers, so
#                that among plans as good and as fair, shorter moves win.
#   FED          the federal stockpile: produces {SURGE_PER_DAY} a day on days
#                {SURGE_FIRST}-{SURGE_LAST} (the study's surge_supply), shipped to any state
#                the same day at no cost (the study adds surge units to a
#                state's supply the day they are allotted); no demand.
#   Not encoded: the study's integer transfers, its "only send excess"
#   rule, its 10-day hold on received units and its robustness buffer
#   (alpha = 0 in the run above); allot solves the LP.
#
# Scenarios:
#   no-federal-surge  FED's production x 0.
#   each-state-alone  every lane closed: each state with its own stock.
#
# What to look for: see problems/README.md.

name = "medical-ventilators-us-states-2020"
description = \"\"\"
Ventilators shared among the 50 US states from {days[0]} to {days[-1]}
(DELPHI projections of ventilators in use, 2019 state supply estimates), with
a 3-day transfer delay, 80 % of each state's stock kept at home, at most 3000
shipped out of a state a day and a federal surge of 450 a day on days 4-33.
Data: COVIDAnalytics ventilator-allocation (Bertsimas et al. 2021).
\"\"\"
periods = {periods}
tiers = ["critical"]

[[items]]
id = "vent"
name = "ICU ventilators"
unit = "ventilator"
reusable = true

[[allies]]
id = "FED"
name = "Federal stockpile (surge)"
""")
    for s in states:
        w(f'[[allies]]\nid = "{USPS[s]}"\nname = "{s}"\n')
    w(f'[[supply]]\nally = "FED"\nitem = "vent"\nproduction = {per_period(surge)}\n')
    for s in states:
        w(
            f'[[supply]]\nally = "{USPS[s]}"\nitem = "vent"\nstock = {stock[s]}\n'
            f"reserve = {reserve[s]}\nexport_limit = {EXPORT_LIMIT}\n"
        )
    for s in states:
        w(
            f'[[demand]]\nally = "{USPS[s]}"\nitem = "vent"\ntier = "critical"\n'
            f"quantity = {per_period(need[s])}\n"
        )
    w('[[lanes]]\nfrom = "FED"\nto = "*"\nlead_time = 0\n')
    for i, a in enumerate(states):
        for b in states[i + 1 :]:
            d = dist[(a, b)]
            assert abs(d - dist[(b, a)]) < 1e-9
            cost = round(d + DISTANCE_OFFSET, 3)
            w(
                f'[[lanes]]\nfrom = "{USPS[a]}"\nto = "{USPS[b]}"\nbidirectional = true\n'
                f"lead_time = {LEAD_TIME}\ncost = {cost}\n"
            )
    w(
        """[[scenarios]]
name = "no-federal-surge"
description = "No federal surge: FED's production x 0"
changes = [{ target = "production", ally = "FED", item = "vent", factor = 0 }]

[[scenarios]]
name = "each-state-alone"
description = "Every lane closed: each state alone with its own stock"
changes = [{ target = "lanes", from = "*", to = "*", factor = 0 }]
"""
    )
    text = "\n".join(lines)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    total_need = sum(sum(v) for v in need.values())
    print(
        f"wrote {out_path}: {len(states)} states + FED, {periods} days, "
        f"stock {sum(stock.values())}, reserve {sum(reserve.values())}, "
        f"demand {total_need} ventilator-days",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
