"""Benchmark: the reach cuts of the permanence models, with and without.

The permanence models (:class:`planner.optimise.services.PermanenceModel` and
:class:`planner.optimise.services.JointModel`) used to call ``add_reach_cuts``, adding one cut
``y[i,k] ≤ width_k · (stops and series reaching i) + home visits in i`` per value group. It never
added any: it read the width as ``v.proto.domain[-1]``, which is 0 with ortools 9.15 (a negative
index on that repeated field). This bench adds the cuts (width read right, :func:`add_reach_cuts`
below) to the models as they are and measures what they do; the figures decided their removal.

Cases: the default Vierzon season (2027-01-04 → 2027-06-25, the default bus) with permanences
monthly (rhythm chosen), « 2e mardi du mois », fortnightly, weekly, mixed (permanence in the
morning, parcours in the afternoon) and mixed with home visits — the cases of
``bench/permanences.py`` and of ``tests/optimise/test_permanences_solve.py``. Each is built as
:func:`planner.optimise.services.solve_services` builds it and solved with the parameters of
``services._search`` (``linearization_level=2`` for large stops), 1 worker, several seeds, a
**deterministic** time limit and a wall-clock safety limit, in two modes (:data:`MODES`): to the
production gap target (0.5 %), and with no gap target for a fixed deterministic effort.

Figures: level-1 objective and bound (people, as in a plan's metrics), the bound when the first
solution is found, the wall time to the first solution and to the end, the deterministic time.
The machine is 2 shared cores: wall times are noisy, the deterministic times are not.

Results: ``bench/results/reach_cuts.json`` and ``bench/results/reach_cuts.md``.

Usage: ``python bench/reach_cuts.py [case …]`` (``report`` rewrites the Markdown from the JSON).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from ortools.sat.python import cp_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.model import DOMICILE, PARCOURS, PERMANENCE, HostRequest  # noqa: E402
from planner.optimise import services  # noqa: E402
from planner.optimise.candidates import build_candidates, require_windows  # noqa: E402
from planner.optimise.cpsat import level_one, level_one_bound  # noqa: E402
from planner.optimise.greedy import greedy_choice  # noqa: E402
from planner.optimise.objective import group_size  # noqa: E402
from planner.optimise.permanence_model import MORNING, build_stops  # noqa: E402
from planner.problem import PlanningProblem, default_problem  # noqa: E402

RESULTS = ROOT / "bench" / "results"
START, END = date(2027, 1, 4), date(2027, 6, 25)
SEEDS = (0, 1, 2)
WALL = 90.0  # wall-clock safety limit of one solve
#: (gap target, deterministic time limit): the time to the production gap target, and the bound
#: and objective at a fixed effort
MODES = {"gap": (0.005, 30.0), "race": (0.0, 10.0)}
NONE, CUTS, LIN1 = "sans coupes", "avec coupes", "sans coupes, linéarisation 1"
VARIANTS = (NONE, CUTS, LIN1)
HOME = (HostRequest("18100", home_visits=2), HostRequest("18124", home_visits=3))  # Genouilly, Lazenay

CASES = {
    "mensuel (au choix)": dict(services=(PERMANENCE,)),
    "2e mardi du mois": dict(services=(PERMANENCE,), permanence_rhythm="2e mardi du mois"),
    "tous les 15 jours": dict(services=(PERMANENCE,), permanence_rhythm="tous les 15 jours"),
    "hebdomadaire": dict(services=(PERMANENCE,), permanence_rhythm="hebdomadaire"),
    "mixte": dict(services=(PARCOURS, PERMANENCE)),
    "mixte + visites à domicile": dict(services=(PARCOURS, PERMANENCE, DOMICILE)),
}


def case_problem(settings: dict) -> PlanningProblem:
    base = default_problem(start=START, end=END)
    bus = replace(base.resources[0], **settings)
    return replace(base, resources=(bus,), requests=HOME if DOMICILE in bus.services else ())


def build(p: PlanningProblem):
    """The model ``solve_services`` builds for ``p`` (one resource), and its stops."""
    (r,) = p.resources
    g = group_size(p)
    if PARCOURS not in r.services:
        positions = (MORNING, 1) if r.max_sessions_per_day >= 2 else (MORNING,)
        stops = build_stops(p, r, positions)
        return services.PermanenceModel(p, stops), stops, g
    stops = build_stops(p, r, (MORNING,), services.afternoon_start(r))
    sub = replace(p, resources=(services.afternoon_resource(r),), locked=())
    cands = build_candidates(sub, None, group=g)
    require_windows(sub, cands)
    model = services.JointModel(sub, cands, stops, p)
    hint = greedy_choice(sub, cands)
    if hint:
        model.hint(hint)
    return model, stops, g


def add_reach_cuts(model) -> int:
    """The reach cuts ``y[i,k] ≤ width_k · (stops and series reaching i) + home visits in i``, as
    the models added them before 2026-11-27 (with the width read right); returns how many."""
    perm = model.perm
    reach: dict[str, list] = defaultdict(list)
    for j, s in enumerate(perm.stops):
        for i, cap in perm.pools.get((s.host, s.resource), {}).items():
            if cap > 0:
                reach[i].append(perm.x[j])
    if isinstance(model, services.JointModel):
        for h, rid, i in model.p:
            reach[i].append(model.series_count((h, rid)))
    added = 0
    for (i, _), v in model.y.items():
        domain = v.proto.domain
        width = domain[len(domain) - 1]
        if width <= 0:
            continue
        rhs = width * sum(reach[i])
        if i in perm.z:
            rhs = rhs + perm.z[i]
        model.m.add(v <= rhs)
        added += 1
    return added


class Recorder(cp_model.CpSolverSolutionCallback):
    """The first solution's times and the bound at that moment."""

    def __init__(self) -> None:
        super().__init__()
        self.first: tuple[float, float] | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = (self.wall_time, self.best_objective_bound)


def run_one(settings: dict, variant: str, seed: int, gap: float, dtime: float) -> dict | None:
    """One solve; ``None`` for the variant ``LIN1`` of a case without large stops (it is ``NONE``)."""
    model, stops, g = build(case_problem(settings))
    large = max(s.capacity for s in stops) > services.BIG_STOP_GROUPS * g  # as services._search
    if variant == LIN1 and not large:
        return None
    cuts = add_reach_cuts(model) if variant == CUTS else 0
    solver = cp_model.CpSolver()
    if large and variant != LIN1:
        solver.parameters.linearization_level = 2
    solver.parameters.max_deterministic_time = dtime
    solver.parameters.max_time_in_seconds = WALL
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.relative_gap_limit = gap
    rec = Recorder()
    code = solver.solve(model.m, rec)
    found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    lex = model.lex
    obj = level_one(solver.objective_value, lex) if found else None
    bound = level_one_bound(solver.best_objective_bound, lex)
    return {
        "cuts": cuts,
        "status": solver.status_name(code),
        "objective": obj,
        "bound": bound,
        "first_bound": level_one_bound(rec.first[1], lex) if rec.first else None,
        "gap_percent": 100 * (bound - obj) / bound if found and bound > 0 else None,
        "first_s": rec.first[0] if rec.first else None,
        "wall_s": solver.wall_time,
        "dtime": solver.deterministic_time,
    }


def run(cases: list[str]) -> dict:
    rows = []
    for mode, (gap, dtime) in MODES.items():
        for label in cases:
            for variant in VARIANTS:
                for seed in SEEDS:
                    row = run_one(CASES[label], variant, seed, gap, dtime)
                    if row is None:
                        break
                    rows.append({"mode": mode, "case": label, "variant": variant, "seed": seed, **row})
                    print(rows[-1], flush=True)
    import ortools

    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU, load {os.getloadavg()[0]:.1f}",
        "ortools": ortools.__version__,
        "rows": rows,
    }


def _median(rows: list[dict], key: str) -> float | None:
    xs = [r[key] for r in rows if r[key] is not None]
    return statistics.median(xs) if xs else None


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or not b else f"{a / b:.2f}"


def report(data: dict) -> str:
    gap, dtime = MODES["gap"]
    _, race = MODES["race"]
    by: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for r in data["rows"]:
        by[(r["mode"], r["case"], r["variant"])].append(r)
    cases = list(dict.fromkeys(r["case"] for r in data["rows"]))
    lines = [
        "# Reach cuts of the permanence models, with and without — Vierzon, 2027-01-04 → 2027-06-25",
        "",
        f"Run {data['when']} on {data['machine']}, ortools {data['ortools']}. Generated by "
        "`python bench/reach_cuts.py` (`report` rewrites this file from `reach_cuts.json`). CP-SAT 1 "
        f"worker, seeds {', '.join(map(str, SEEDS))}, `linearization_level=2` for large stops as in "
        "`services._search`; figures are **medians over the seeds**, objective and bounds in people "
        "(level 1, as in a plan's metrics). With 1 worker and a deterministic limit a run is "
        "reproducible; wall times are not (2 shared cores).",
        "",
        f"Variants: **{NONE}** (the models as they are), **{CUTS}** (the reach cuts "
        "``y[i,k] ≤ width_k · (stops and series reaching i) + home visits in i`` added, one per value "
        f"group), **{LIN1}** (no cuts, CP-SAT's default `linearization_level=1`: only for the cases "
        "with large stops, to check the claim of `services._search`).",
        "",
        f"## Time to the gap target ({100 * gap:.1f} %, deterministic limit {dtime:.0f})",
        "",
        "| Case | Variant | Cuts | Status (per seed) | Objective | Bound | Gap | Bound at 1st sol. "
        "| 1st sol. (s) | End (s) | End (dtime) |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        for variant in VARIANTS:
            rs = by.get(("gap", case, variant))
            if not rs:
                continue
            lines.append(
                f"| {case} | {variant} | {rs[0]['cuts']} | {' '.join(r['status'] for r in rs)} "
                f"| {_fmt(_median(rs, 'objective'))} | {_fmt(_median(rs, 'bound'))} "
                f"| {_fmt(_median(rs, 'gap_percent'))} % | {_fmt(_median(rs, 'first_bound'))} "
                f"| {_fmt(_median(rs, 'first_s'))} | {_fmt(_median(rs, 'wall_s'))} | {_fmt(_median(rs, 'dtime'))} |"
            )
    lines += [
        "",
        f"## Bound and objective at a fixed effort (no gap target, deterministic limit {race:.0f})",
        "",
        "| Case | Variant | Status (per seed) | Objective | Bound | Gap |",
        "|---|---|---|---:|---:|---:|",
    ]
    for case in cases:
        for variant in VARIANTS:
            rs = by.get(("race", case, variant))
            if not rs:
                continue
            lines.append(
                f"| {case} | {variant} | {' '.join(r['status'] for r in rs)} | {_fmt(_median(rs, 'objective'))} "
                f"| {_fmt(_median(rs, 'bound'))} | {_fmt(_median(rs, 'gap_percent'))} % |"
            )
    lines += [
        "",
        f"## {CUTS} against {NONE} (medians)",
        "",
        "| Case | 1st sol. (s), ratio | End (dtime), gap target, ratio | Bound, fixed effort | "
        "Gap, fixed effort |",
        "|---|---:|---:|---:|---:|",
    ]
    for case in cases:
        on, off = by.get(("gap", case, CUTS), []), by.get(("gap", case, NONE), [])
        ron, roff = by.get(("race", case, CUTS), []), by.get(("race", case, NONE), [])
        if not (on and off and ron and roff):
            continue
        lines.append(
            f"| {case} | {_ratio(_median(on, 'first_s'), _median(off, 'first_s'))} "
            f"| {_ratio(_median(on, 'dtime'), _median(off, 'dtime'))} "
            f"| {_fmt(_median(roff, 'bound'))} → {_fmt(_median(ron, 'bound'))} "
            f"| {_fmt(_median(roff, 'gap_percent'))} % → {_fmt(_median(ron, 'gap_percent'))} % |"
        )
    lines += [
        "",
        "Status UNKNOWN: no solution within the limit (its gap is left out of the median). A bound "
        "or gap « a → b » reads without cuts → with cuts.",
        "",
    ]
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "reach_cuts.json"
    if sys.argv[1:] == ["report"]:
        data = json.loads(path.read_text(encoding="utf-8"))
    else:
        data = run(sys.argv[1:] or list(CASES))
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (RESULTS / "reach_cuts.md").write_text(report(data), encoding="utf-8")
    print(report(data))


if __name__ == "__main__":
    main()
