"""Benchmark of « Ma tournée actuelle » (issue 13): time to load and score a tour, to propose the best
single changes, to adopt five of them one after the other, and to compare with the optimised plan
and the saupoudrage on the same days.

Cases: the shipped sample (``data/tournee_exemple.csv``: one bus, 16 monthly permanence stops on
the Vierzon territory, 94 sessions) and a bigger tour made up here: the Cher département (every
EPCI of département 18, 295 communes), three buses with 8 monthly permanence stops each and two teams
with 2 weekly parcours stops each (28 lines)
(240 sessions over the season). Three runs each, medians. Results go to ``bench/results/tours.json`` and
``bench/results/tours.md`` with the machine load.

Usage: ``python bench/tours.py``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from timing import load_average, medians, ran, seconds  # noqa: E402

from planner import DATA_DIR  # noqa: E402
from planner.errors import PlannerError  # noqa: E402
from planner.problem import SolveParams  # noqa: E402
from planner.rules.calendar import build_season  # noqa: E402
from planner.territory.region import region_frame  # noqa: E402
from planner.territory.specs import load_territory  # noqa: E402
from planner.territory.travel import territory_matrix  # noqa: E402
from planner.tours.compare import same_days  # noqa: E402
from planner.tours.improve import improved, propose  # noqa: E402
from planner.tours.load import load_tour  # noqa: E402
from planner.tours.score import TourOptions, score_tour  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SEASON = build_season(date(2027, 1, 4), date(2027, 6, 30))
RUNS = 3
COMPARE_SECONDS = 60
RANKS = ("1er", "2e", "3e", "4e")
DAYS = {"Bus Nord": "mardi", "Bus Sud": "jeudi", "Bus Est": "vendredi"}


def cher_spec() -> str:
    sirens = sorted(set(region_frame().query("dep == '18'")["epci_siren"].dropna()))
    return "epci:" + ",".join(sirens)


def bigger_tour(territory) -> bytes:
    """Three buses, 8 monthly stops each (4 ranks × morning and afternoon), two teams with 2 weekly parcours."""
    communes = sorted(territory.communes, key=lambda c: (-c.population, c.code_insee))[1:]
    lines = ["Règle;Code INSEE;Début;Fin;Véhicule;Type"]
    i = 0
    for bus, day in DAYS.items():
        for rank in RANKS:
            for start, end in (("9:00", "12:00"), ("14:00", "17:00")):
                code = communes[i * 5].code_insee
                lines.append(f"{rank} {day} du mois;{code};{start};{end};{bus};permanence")
                i += 1
    for k, day in enumerate(("lundi", "mercredi")):
        for start, end in (("9:30", "12:30"), ("14:00", "17:00")):
            code = communes[3 + 7 * k + (start == "14:00")].code_insee
            lines.append(f"tous les {day}s;{code};{start};{end};Équipe {k + 1};parcours")
    return "\n".join(lines).encode("utf-8")


def _compare(scored):
    """The same-days comparison, or the French reason there is none."""
    try:
        return same_days(scored, SolveParams(time_limit_s=COMPARE_SECONDS, workers=1))
    except PlannerError as exc:
        return str(exc)


def run_case(name: str, spec: str, data: bytes, filename: str) -> dict:
    territory = load_territory(spec)
    matrix = territory_matrix(territory)
    rows = []
    for _ in range(RUNS):
        out: dict = {}
        t0 = time.perf_counter()
        out["tour"] = load_tour(data, territory, SEASON, filename=filename)
        t1 = time.perf_counter()
        out["scored"] = score_tour(out["tour"], territory, TourOptions(matrix=matrix))
        t2 = time.perf_counter()
        out["changes"] = propose(out["scored"])
        t3 = time.perf_counter()
        out["better"] = improved(out["scored"], 5)
        t4 = time.perf_counter()
        out["comparison"] = _compare(out["scored"])
        t5 = time.perf_counter()
        out |= {
            "load_s": t1 - t0,
            "score_s": t2 - t1,
            "propose_s": t3 - t2,
            "adopt5_s": t4 - t3,
            "compare_s": t5 - t4,
        }
        rows.append(out)
    last = rows[-1]
    scored, (better, done), comparison = last["scored"], last["better"], last["comparison"]
    return {
        "case": name,
        "territory": territory.name,
        "communes": len(territory.communes),
        "stops": len(last["tour"].lines),
        "sessions": len(scored.plan.sessions),
        "vehicles": len(scored.problem.resources),
        "violations": len(scored.violations),
        "objective": round(scored.objective, 2),
        "changes_proposed": len(last["changes"]),
        "best_change": last["changes"][0].text if last["changes"] else "",
        "adopted": len(done),
        "objective_after_5": round(better.objective, 2),
        "optimised_objective": None
        if isinstance(comparison, str)
        else round(comparison.optimised.metrics.objective, 2),
        "optimised_status": comparison
        if isinstance(comparison, str)
        else comparison.optimised.metrics.status,
        "baseline_objective": None
        if isinstance(comparison, str)
        else round(comparison.baseline.metrics.objective, 2),
        "timings": medians([{k: v for k, v in r.items() if isinstance(v, float)} for r in rows]),
    }


def main() -> None:
    section = {"when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "load_start": load_average()}
    sample = DATA_DIR / "tournee_exemple.csv"
    cases = [run_case("sample", "vierzon", sample.read_bytes(), sample.name)]
    spec = cher_spec()
    cases.append(run_case("cher", spec, bigger_tour(load_territory(spec)), "tournee_cher.csv"))
    section["load_end"] = load_average()
    result = {"machine": platform.machine(), "cores": os.cpu_count(), "section": section, "cases": cases}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "tours.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [
        "# Ma tournée actuelle — score, improve, compare",
        "",
        "`python bench/tours.py`. Medians of 3 runs, wall seconds, one process. Season 04/01/2027 → 30/06/2027; "
        f"the comparison solves with 1 worker and {COMPARE_SECONDS} s at most.",
        "",
        "| case | communes | stops | sessions | vehicles | load | score | propose | adopt 5 | compare (solve + saupoudrage) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in cases:
        t = c["timings"]
        lines.append(
            f"| {c['case']} | {c['communes']} | {c['stops']} | {c['sessions']} | {c['vehicles']} | "
            f"{seconds(t['load_s'])} | {seconds(t['score_s'])} | {seconds(t['propose_s'])} | "
            f"{seconds(t['adopt5_s'])} | {seconds(t['compare_s'])} |"
        )
    lines += [
        "",
        "| case | rules broken | value | after 5 changes | optimised (status) | saupoudrage |",
        "|---|---|---|---|---|---|",
    ]
    for c in cases:
        lines.append(
            f"| {c['case']} | {c['violations']} | {c['objective']} | {c['objective_after_5']} ({c['adopted']} adopted) | "
            f"{c['optimised_objective']} ({c['optimised_status']}) | {c['baseline_objective']} |"
        )
    lines += ["", "Best change proposed:", ""]
    lines += [f"- {c['case']}: « {c['best_change']} »" for c in cases]
    lines += ["", ran(section, result), ""]
    (RESULTS / "tours.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
