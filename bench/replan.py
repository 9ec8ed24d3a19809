"""Benchmark of stable re-plans (issue 10): what a re-plan keeps, moves and costs, and how long.

Cases: the default Vierzon season with one bus (Tue + Fri), and the same with a team added (Mon,
Wed, Thu, 3 × 120 min, 8 seats). For each: a first plan; the ten earliest sessions locked; one
Tuesday holding sessions (and no lock) closed; then a re-plan at every « stabilité » level. For each
level the bench reports the sessions kept, moved because of the closure (« imposées ») and moved for
a better plan, the value, the best value without stability (its price), the wall time. Results go to
``bench/results/replan.json`` and ``bench/results/replan.md`` with the machine load at start.

Usage: ``python bench/replan.py``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.model import Resource  # noqa: E402
from planner.optimise.solve import solve  # noqa: E402
from planner.optimise.stability import LEVELS, explain_changes, replan  # noqa: E402
from planner.problem import PlanningProblem, SolveParams, default_problem  # noqa: E402
from planner.rules.adjust import replan_problem, with_locks  # noqa: E402
from planner.rules.calendar import build_season  # noqa: E402

RESULTS = ROOT / "bench" / "results"
START, END = date(2027, 1, 4), date(2027, 6, 25)
PARAMS = SolveParams(time_limit_s=30, workers=2, seed=0)


def _problem(with_team: bool) -> PlanningProblem:
    problem = default_problem(start=START, end=END)
    if not with_team:
        return problem
    team = Resource("team-1", "team", 8, "18103", (0, 2, 3), clock(9), clock(17, 30), 3, 120, False, "Équipe")
    return replace(problem, resources=(*problem.resources, team))


def run_case(name: str, with_team: bool) -> dict:
    problem = _problem(with_team)
    t0 = time.perf_counter()
    first = solve(problem, PARAMS)
    first_s = time.perf_counter() - t0
    earliest = sorted(first.sessions, key=lambda s: (s.date, s.start))[:10]
    first = with_locks(first, [(s.series, s.index) for s in earliest])
    locked_days = {s.date for s in earliest}
    closed = next(
        d
        for d in sorted({s.date for s in first.sessions if s.date.weekday() == 1})
        if d > date(2027, 3, 1) and d not in locked_days
    )
    season = build_season(START, END, extra_closed=[closed])
    levels = []
    for level in LEVELS:
        again = replan_problem(replace(problem, season=season), first, keep_value=level.keep_value)
        t0 = time.perf_counter()
        new = replan(again, PARAMS)
        wall = time.perf_counter() - t0
        report = explain_changes(first, new, again)
        kinds = {
            k: sum(c.kind == k for c in report.changes) for k in ("forced", "series", "displaced", "gain")
        }
        levels.append(
            {
                "level": level.key,
                "label": level.label,
                "keep_value": level.keep_value,
                "unlocked_before": report.unlocked_before,
                "kept": report.kept,
                "imposed": kinds["forced"] + kinds["series"] + kinds["displaced"],
                "for_gain": kinds["gain"],
                "locked_moved": report.locked_moved,
                "value": round(new.metrics.objective, 2),
                "best_value": None
                if new.metrics.best_objective is None
                else round(new.metrics.best_objective, 2),
                "status": new.metrics.status,
                "seconds": round(wall, 2),
            }
        )
    return {
        "case": name,
        "sessions": len(first.sessions),
        "first_plan_seconds": round(first_s, 2),
        "closed_day": closed.isoformat(),
        "levels": levels,
    }


def _markdown(data: dict) -> str:
    lines = [
        "# Stable re-plans (issue 10)",
        "",
        f"Run {data['when']} on {data['machine']}, load average at start {data['load']}.",
        "Ten earliest sessions locked, one more Tuesday closed, then a re-plan at each level.",
        "",
    ]
    for case in data["cases"]:
        lines += [
            f"## {case['case']} — {case['sessions']} sessions, closed {case['closed_day']}",
            "",
            "| level | kept | imposed | for a gain | locked moved | value | best without stability | status | s |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for x in case["levels"]:
            lines.append(
                f"| {x['label']} | {x['kept']}/{x['unlocked_before']} | {x['imposed']} | {x['for_gain']} | "
                f"{x['locked_moved']} | {x['value']} | {x['best_value'] if x['best_value'] is not None else '—'} | "
                f"{x['status']} | {x['seconds']} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "cases": [run_case("vierzon, 1 bus", False), run_case("vierzon, 1 bus + 1 team", True)],
    }
    (RESULTS / "replan.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    (RESULTS / "replan.md").write_text(_markdown(data), encoding="utf-8")
    print(_markdown(data))


if __name__ == "__main__":
    main()
