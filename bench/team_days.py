"""Where a region team's gap lies: the hosts offered, or whole days.

The region's true gap (``bench/results/season.md``) comes mostly from its six teams of
mediators: their plans lie 5–8 % under their group's day-pattern programme. This bench says how
much of that the *search* could still gain and how much is the programme's *relaxation* (days in
fractions of windows). For each team of ``bench/season.py``'s region (a group of one resource):

- ``programme``: the group's column generation over day patterns on every host of the group
  (:func:`planner.optimise.patterns.pattern_bound`), an upper bound of the group;
- for the first ``n`` hosts the programme ranks (:meth:`PatternBound.ranked_hosts`, as the
  solver's days' search takes them): the drivable days over them, the LP over exactly those days
  (:class:`planner.optimise.patterns.PatternMaster`: the programme restricted to them) and CP-SAT
  in whole windows over them (:func:`planner.optimise.pattern_search.solve_patterns`, one worker,
  seed 1, a deterministic time limit: the same search whatever the load), its plan's value, its
  bound and its status (``OPTIMAL``: the best plan over those hosts, proven).

When the LP over ``n`` hosts equals the programme while CP-SAT proves much less over the same
hosts, the difference is the relaxation's, not the search's: only a tighter bound (branching on
whole days) can show it.

Usage: ``python bench/team_days.py [team ...] [--hosts 60,100] [--dtime 40]``; writes
``bench/results/team_days.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import season  # noqa: E402
from ortools.linear_solver import pywraplp  # noqa: E402

from planner.optimise import pattern_search  # noqa: E402
from planner.optimise.candidates import build_candidates  # noqa: E402
from planner.optimise.objective import group_size  # noqa: E402
from planner.optimise.pattern_search import SCALE, chosen_value, drivable_days, solve_patterns, to_windows  # noqa: E402
from planner.optimise.patterns import PatternMaster, day_frames, pattern_bound, single_sessions  # noqa: E402
from planner.optimise.solve import decompose  # noqa: E402
from planner.problem import SolveParams  # noqa: E402

OUT = ROOT / "bench" / "results" / "team_days"


class _Watched:
    """``pattern_search.solve_stoppable`` with a deterministic limit, keeping the solver's bound."""

    def __init__(self, dtime: float) -> None:
        self.dtime = dtime
        self.bound = float("nan")
        self.seconds = 0.0
        self._solve = pattern_search.solve_stoppable

    def __call__(self, solver, model, stop, callback=None):
        solver.parameters.max_time_in_seconds = 10 * self.dtime  # a guard only
        solver.parameters.max_deterministic_time = self.dtime
        t = time.perf_counter()
        code = self._solve(solver, model, stop, callback)
        self.seconds = time.perf_counter() - t
        self.bound = solver.best_objective_bound / SCALE
        return code


def team(rid: str, hosts: list[int], dtime: float) -> dict:
    """The programme, and per host count the LP and CP-SAT over the drivable days (module docstring)."""
    prob, _ = season.build("region")
    g = group_size(prob)
    sub = next(s for s in decompose(prob) if [r.id for r in s.resources] == [rid])
    t = time.perf_counter()
    programme = pattern_bound(sub, time_limit_s=120, group=g)
    out = {
        "team": rid,
        "communes": len(sub.territory.communes),
        "programme": round(programme.value, 3),
        "programme_status": programme.status,
        "programme_s": round(time.perf_counter() - t, 2),
        "held_hosts": sum(1 for (_h, r), v in programme.site_series.items() if r == rid and v > 1e-6),
        "by_hosts": [],
    }
    base = build_candidates(sub, with_free=False, group=g)
    frames = day_frames(sub, base)
    for n in hosts:
        ranked = programme.ranked_hosts(rid, n)
        columns = {f.key: drivable_days(f, ranked, limit=10**7) for f in frames}
        master = PatternMaster(sub, base, frames)
        for f in frames:
            for pat in [*single_sessions(f), *columns[f.key]]:
                master.add(f, pat)
        lp = master.objective.Value() + master.const if master.solve(120) == pywraplp.Solver.OPTIMAL else None
        cands = build_candidates(sub, group=g, hosts={rid: set(ranked)})
        watched = _Watched(dtime)
        pattern_search.solve_stoppable = watched
        try:
            status, counts, people = solve_patterns(
                sub, cands, frames, columns, SolveParams(workers=1, seed=1), time_limit_s=10 * dtime
            )
        finally:
            pattern_search.solve_stoppable = watched._solve
        chosen = to_windows(sub, cands, frames, counts, people) if counts else []
        row = {
            "hosts": len(ranked),
            "days": sum(len(c) for c in columns.values()),
            "lp": None if lp is None else round(lp, 3),
            "cpsat_status": status,
            "cpsat_value": round(chosen_value(sub, chosen, g), 3) if chosen else None,
            "cpsat_bound": round(watched.bound, 3),
            "cpsat_s": round(watched.seconds, 1),
        }
        out["by_hosts"].append(row)
        print(rid, row, flush=True)
    return out


def write(results: list[dict], dtime: float) -> None:
    lines = [
        "# Region teams: hosts offered, or whole days?",
        "",
        "`python bench/team_days.py` (module docstring). Per team of the region case: the group's",
        "day-pattern programme over every host of the group (a bound of the group); over the first",
        "60 and 100 hosts it ranks, the LP over exactly their drivable days and CP-SAT in whole",
        f"windows (1 worker, seed 1, {dtime:g} units of deterministic time; `OPTIMAL` = proven over",
        "those hosts). Values are level 1 of the objective (people).",
        "",
        "| team | programme | hosts | days | LP over them | CP-SAT plan | CP-SAT bound | status | s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for h in r["by_hosts"]:
            lines.append(
                f"| {r['team']} | {r['programme']:.2f} | {h['hosts']} | {h['days']:,} | "
                f"{h['lp'] if h['lp'] is None else format(h['lp'], '.2f')} | "
                f"{h['cpsat_value'] if h['cpsat_value'] is None else format(h['cpsat_value'], '.2f')} | "
                f"{h['cpsat_bound']:.2f} | {h['cpsat_status']} | {h['cpsat_s']} |"
            )
    relaxed = [
        1.0 - h["cpsat_bound"] / h["lp"]
        for r in results
        for h in r["by_hosts"]
        if h["lp"] and h["cpsat_status"] == "OPTIMAL"
    ]
    if relaxed:
        lines += [
            "",
            f"Over the same hosts, the best plan of whole days (proven) lies {100 * min(relaxed):.1f}–"
            f"{100 * max(relaxed):.1f} % under the LP over exactly those days: that part of the gap is the",
            "relaxation's (days in fractions of windows), and no search over these hosts can close it.",
        ]
    OUT.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    OUT.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("teams", nargs="*", default=[f"equipe-{d}" for d in (18, 28, 36, 37, 41, 45)])
    ap.add_argument("--hosts", default="60,100")
    ap.add_argument("--dtime", type=float, default=40.0)
    ap.add_argument("--report", action="store_true", help="rewrite the .md from the .json")
    args = ap.parse_args()
    if args.report:
        write(json.loads(OUT.with_suffix(".json").read_text(encoding="utf-8")), args.dtime)
        return
    hosts = [int(x) for x in args.hosts.split(",")]
    write([team(rid, hosts, args.dtime) for rid in args.teams], args.dtime)


if __name__ == "__main__":
    main()
