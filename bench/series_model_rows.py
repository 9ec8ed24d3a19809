"""Size and speed of CP-SAT's series model (:class:`planner.optimise.cpsat.SeasonModel`).

For each case: seconds to build the model in Python, its terms (variables named by the
constraints and the objective, counted on the proto, and CP-SAT's own ``#terms`` of its log),
the presolve time (``stop_after_presolve``), and the objective (level 1, people) and bound
reached at fixed time limits (seconds, or deterministic time with ``--dtime``: the same
search whatever the load), 1 worker, seeds (default 0), the greedy plan as hint, with the solver
options of :func:`planner.optimise.solve.solve`.

Cases:

- ``vierzon``: the default problem (34 communes, one bus);
- ``cher``: ``cher_problem(180, weeks=26)`` (as ``bench/season.py cher``), at most 90 hosts
  per resource;
- ``region45``: the group of ``equipe-45`` in ``bench/season.py``'s region, at most 90 hosts;
  ``region45:all`` on every host of the group (180).

Usage: ``python bench/series_model_rows.py [case ...] [--limits 2,5,15] [--seeds 0,1] [--dtime] [--out f.json]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from ortools.sat.python import cp_model  # noqa: E402

from planner.optimise.candidates import build_candidates  # noqa: E402
from planner.optimise.cpsat import SeasonModel, level_one, level_one_bound  # noqa: E402
from planner.optimise.greedy import greedy_choice  # noqa: E402
from planner.optimise.objective import group_size  # noqa: E402
from planner.optimise.solve import MAX_HOSTS, SOLVER_DEFAULTS, decompose  # noqa: E402


def case_problem(case: str):
    """``(problem, candidates)`` of a named case."""
    if case == "vierzon":
        from builders import vierzon_problem

        prob = vierzon_problem()
        return prob, build_candidates(prob, group=group_size(prob))
    if case == "cher":
        from builders import cher_problem

        prob = cher_problem(180, weeks=26)
        return prob, build_candidates(prob, MAX_HOSTS, group=group_size(prob))
    if case in ("region45", "region45:all"):
        import season as S

        prob, _ = S.build("region")
        sub = next(s for s in decompose(prob) if s.resources[0].id == "equipe-45")
        most = None if case == "region45:all" else MAX_HOSTS
        return sub, build_candidates(sub, most, group=group_size(prob))
    raise SystemExit(f"unknown case {case}")


KINDS = ("linear", "at_most_one", "exactly_one", "bool_or", "bool_and")


def proto_terms(m: cp_model.CpModel) -> dict[str, int]:
    """Variables named by each kind of constraint, and by the objective."""
    out: dict[str, int] = {}
    for ct in m.proto.constraints:
        kind = next(k for k in KINDS if getattr(ct, f"has_{k}")())
        body = getattr(ct, kind)
        n = len(body.vars) if kind == "linear" else len(body.literals)
        out[kind] = out.get(kind, 0) + n
        out[f"{kind}_rows"] = out.get(f"{kind}_rows", 0) + 1
    out["objective"] = len(m.proto.objective.vars)
    out["total"] = sum(v for k, v in out.items() if not k.endswith("_rows"))
    out["variables"] = len(m.proto.variables)
    return out


def log_terms(lines: list[str]) -> int:
    """Sum of CP-SAT's ``#terms``/``#literals`` over the initial model's constraint kinds."""
    total = 0
    for line in lines:
        if line.startswith("Starting presolve"):
            break
        mt = re.search(r"#(?:terms|literals): ([\d']+)", line)
        if mt:
            total += int(mt.group(1).replace("'", ""))
    return total


def run(case: str, limits: list[float], seeds: tuple[int, ...] = (0,), dtime: bool = False) -> dict:
    prob, cands = case_problem(case)
    hint = greedy_choice(prob, cands)
    t = time.perf_counter()
    model = SeasonModel(prob, cands)
    build_s = time.perf_counter() - t
    row = {"case": case, "free": len(cands.free), "build_s": round(build_s, 3), "terms": proto_terms(model.m)}
    # presolve alone
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.stop_after_presolve = True
    solver.parameters.log_search_progress = True
    solver.parameters.log_to_stdout = False
    for k, v in SOLVER_DEFAULTS.items():
        setattr(solver.parameters, k, v)
    lines: list[str] = []
    solver.log_callback = lines.append
    t = time.perf_counter()
    solver.solve(model.m)
    row["presolve_s"] = round(time.perf_counter() - t, 3)
    row["log_terms"] = log_terms("\n".join(lines).splitlines())
    row["runs"] = []
    for seed, limit in ((s, t) for s in seeds for t in limits):
        model = SeasonModel(prob, cands)
        if hint:
            model.hint(hint)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        if dtime:  # deterministic work units: the same search whatever the machine's load
            solver.parameters.max_deterministic_time = limit
        else:
            solver.parameters.max_time_in_seconds = limit
        for k, v in SOLVER_DEFAULTS.items():
            setattr(solver.parameters, k, v)
        t = time.perf_counter()
        code = solver.solve(model.m)
        ok = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        row["runs"].append(
            {
                "seed": seed,
                "limit_s": limit,
                "status": solver.status_name(code),
                "objective": round(level_one(solver.objective_value, model.lex), 4) if ok else None,
                "bound": round(level_one_bound(solver.best_objective_bound, model.lex), 4) if ok else None,
                "wall_s": round(time.perf_counter() - t, 2),
                "dtime": round(solver.deterministic_time, 2),
            }
        )
    return row


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", default=["vierzon", "cher", "region45"])
    ap.add_argument("--limits", default="2,5,15")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--dtime", action="store_true", help="limits in deterministic time, not seconds")
    ap.add_argument("--out", default="")
    a = ap.parse_args(argv)
    limits = [float(x) for x in a.limits.split(",") if x]
    rows = []
    for case in a.cases:
        row = run(case, limits, tuple(int(x) for x in a.seeds.split(",")), a.dtime)
        print(json.dumps(row), flush=True)
        rows.append(row)
    if a.out:
        Path(a.out).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
