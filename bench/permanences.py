"""Benchmark of issue 13, items 4 and 5: permanences, mixed plans and home visits on Vierzon.

The default Vierzon season (2027-01-04 → 2027-06-25, the default bus, Tuesdays and Fridays,
9 h–17 h 30) is planned with:

- **permanences** on a monthly rotation (the optimiser chooses the stop of each of the eight
  slots, 1st…4th Tuesday and Friday, morning and afternoon);
- **permanences « 2e mardi du mois »** (the rhythm imposed);
- **permanences every fortnight** and **every week** (the optimiser chooses day and parity);
- **mixed**: permanences in the morning, parcours in the afternoon (one joint CP-SAT model);
- **mixed + home visits**: the same with 2 home visits asked in Genouilly and 3 in Lazenay;
- the **parcours** plan alone, for comparison.

Every plan is checked by the rules checker; the done-when target is ≤ 1 % from the proven bound.
Solver: 1 worker, seed 0, gap target 0.5 %, 60 s at most.

Results: ``bench/results/permanences.json`` and ``bench/results/permanences.md``, with the machine
load (timings on a shared machine are noisy).

Usage: ``python bench/permanences.py`` (``report`` rewrites the Markdown from the JSON).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.inputs.tables import default_resources  # noqa: E402
from planner.model import DOMICILE, PARCOURS, PERMANENCE, HostRequest  # noqa: E402
from planner.optimise.services import solve_services  # noqa: E402
from planner.problem import PlanningProblem, SolveParams  # noqa: E402
from planner.rules.calendar import build_season  # noqa: E402
from planner.rules.check import check_plan  # noqa: E402
from planner.territory.need import NeedWeights, compute_need  # noqa: E402
from planner.territory.specs import load_territory  # noqa: E402
from planner.territory.travel import territory_matrix  # noqa: E402

RESULTS = ROOT / "bench" / "results"
START, END = date(2027, 1, 4), date(2027, 6, 25)
PARAMS = SolveParams(time_limit_s=60, gap=0.005, workers=1, seed=0)
HOME = (HostRequest("18100", home_visits=2), HostRequest("18124", home_visits=3))  # Genouilly, Lazenay

CASES = {
    "permanences (mensuel, au choix)": dict(services=(PERMANENCE,)),
    "permanences « 2e mardi du mois »": dict(services=(PERMANENCE,), permanence_rhythm="2e mardi du mois"),
    "permanences tous les 15 jours": dict(services=(PERMANENCE,), permanence_rhythm="tous les 15 jours"),
    "permanences hebdomadaires": dict(services=(PERMANENCE,), permanence_rhythm="hebdomadaire"),
    "mixte (permanence le matin, parcours l'après-midi)": dict(services=(PARCOURS, PERMANENCE)),
    "mixte + visites à domicile": dict(services=(PARCOURS, PERMANENCE, DOMICILE)),
    "parcours seuls (référence)": dict(services=(PARCOURS,)),
}


def problem() -> PlanningProblem:
    territory = load_territory("vierzon")
    matrix = territory_matrix(territory)
    return PlanningProblem(
        territory,
        compute_need(territory, NeedWeights(), matrix),
        matrix,
        default_resources(territory),
        build_season(START, END),
    )


def run() -> dict:
    base = problem()
    rows = []
    for label, settings in CASES.items():
        bus = replace(base.resources[0], **settings)
        p = replace(base, resources=(bus,), requests=HOME if DOMICILE in bus.services else ())
        t0 = time.perf_counter()
        plan = solve_services(p, PARAMS)
        seconds = time.perf_counter() - t0
        m = plan.metrics
        rows.append(
            {
                "case": label,
                "status": m.status,
                "objective": round(m.objective, 3),
                "bound": round(m.bound, 3),
                "gap_percent": round(100 * m.gap, 3),
                "seconds": round(seconds, 2),
                "valid": check_plan(plan, p) == [],
                "parcours": sum(s.service == PARCOURS for s in plan.series),
                "permanences": sum(s.service == PERMANENCE for s in plan.series),
                "home_visits": sum(s.service == DOMICILE for s in plan.sessions),
                "sessions": m.sessions,
                "people": m.participants,
                "km": round(m.km),
            }
        )
        print(rows[-1], flush=True)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU, load {os.getloadavg()[0]:.1f}",
        "params": {
            "time_limit_s": PARAMS.time_limit_s,
            "gap": PARAMS.gap,
            "workers": PARAMS.workers,
            "seed": 0,
        },
        "rows": rows,
    }


def report(data: dict) -> str:
    lines = [
        "# Permanences, mixed plans and home visits — Vierzon, 2027-01-04 → 2027-06-25",
        "",
        f"Run {data['when']} on {data['machine']}; CP-SAT {data['params']['workers']} worker, seed 0, "
        f"gap target {100 * data['params']['gap']:.1f} %, {data['params']['time_limit_s']:.0f} s at most. "
        "Generated by `python bench/permanences.py`.",
        "",
        "| Case | Status | Objective | Bound | Gap | Time (s) | Valid | Parcours | Permanences | Home visits | Sessions | People | km |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in data["rows"]:
        lines.append(
            f"| {r['case']} | {r['status']} | {r['objective']:.2f} | {r['bound']:.2f} | {r['gap_percent']:.2f} % "
            f"| {r['seconds']:.1f} | {'yes' if r['valid'] else 'NO'} | {r['parcours']} | {r['permanences']} "
            f"| {r['home_visits']} | {r['sessions']} | {r['people']} | {r['km']} |"
        )
    ok = all(r["valid"] and r["gap_percent"] <= 1.0 for r in data["rows"])
    lines += [
        "",
        f"Done-when (every plan valid and ≤ 1 % from its bound): **{'met' if ok else 'NOT met'}**.",
        "",
        "The bound of a mixed plan is the bound of one CP-SAT model holding the permanences and the "
        "parcours together (people of a commune shared, diminishing returns shared); home visits add "
        "their full value to it (a valid bound: a commune's value is concave). « People » counts the "
        "people a permanence puts within reach over the season (capacity 3 per hour × 3 h × visits) and "
        "the participants of the parcours.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "permanences.json"
    if sys.argv[1:] == ["report"]:
        data = json.loads(path.read_text(encoding="utf-8"))
    else:
        data = run()
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    (RESULTS / "permanences.md").write_text(report(data), encoding="utf-8")
    print(report(data))


if __name__ == "__main__":
    main()
