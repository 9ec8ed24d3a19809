"""Memory of the region's solve (issue 11: the region in ≤ 2 GB), step by step.

Each measure runs in its own process (``ru_maxrss`` is a process's peak), on the ``region`` case
of ``bench/season.py`` (1,754 communes, 12 resources, 53 weeks):

- ``lp``: the LP bound of the whole problem (:func:`planner.optimise.bound.full_bound`) alone;
- ``master``: the LP, the Lagrangian bound at its prices, then the whole problem's day-pattern
  master (:func:`planner.optimise.whole_bound.whole_day_bound`), one after the other in one thread;
- ``thread``: the same, the master in its own thread as :func:`planner.optimise.solve.solve`
  launches it beside the groups' search (glibc gives the thread its own arena: it cannot reuse
  what the LP freed in the main one), without the search: its peak does not depend on the load;
- ``solve``: :func:`planner.optimise.solve.solve` on the case (the master in a thread beside the
  groups' search; under load it may not converge, or not start, before the search ends).

Each gives its peak (MiB, and GB in decimal units: the target « ≤ 2 GB » is 1,907 MiB), its
seconds, its bound and the load average before and after (two shared cores: seconds, and in the
solve whether the master converges before the search ends, depend on the load).

Usage: ``python bench/memory_region.py [--code DIR] [--label NAME] [--limit-scale X]
[lp|master|solve|all|report]``. ``--code`` measures the planner of another checkout (e.g. the main
branch's, for « before » figures) with this harness; ``--limit-scale`` multiplies the solve's time
limit (on a loaded machine the master, in its thread, gets less than a core). Results go to
``bench/results/memory_region.json`` (one entry per label and measure) and ``memory_region.md``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
MEASURES = ("lp", "master", "thread", "solve")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(what: str, code: Path, limit_scale: float) -> dict:
    """One measure in this process, with the planner of ``code``."""
    sys.path.insert(0, str(code))
    import planner  # first, so that bench/season.py's own path does not take over
    from planner.optimise.bound import full_bound
    from planner.optimise.candidates import build_candidates
    from planner.optimise.lagrange import lagrangian_bound
    from planner.optimise.objective import group_size
    from planner.optimise.patterns import day_frames
    from planner.optimise.solve import solve
    from planner.optimise.whole_bound import whole_day_bound

    sys.path.insert(1, str(ROOT / "bench"))
    import season

    out: dict = {"measure": what, "planner": str(Path(planner.__file__).parents[1])}
    problem, params = season.build("region")
    out["load_before"] = round(os.getloadavg()[0], 2)
    t0 = time.perf_counter()
    if what == "solve":
        params = replace(params, time_limit_s=params.time_limit_s * limit_scale)
        plan = solve(problem, params)
        m = plan.metrics
        out.update(
            time_limit_s=params.time_limit_s,
            bound=round(m.bound, 3),
            objective=round(m.objective, 3),
            gap=round(m.gap, 5),
        )
    else:
        cands = build_candidates(problem, with_free=False, group=group_size(problem))
        lp = full_bound(problem, cands, time_limit_s=120)
        out.update(lp=round(lp.value, 6), lp_seconds=round(lp.seconds, 2))
        if what in ("master", "thread"):
            out["lp_peak_mib"] = round(_peak_mib())
            frames = day_frames(problem, cands)
            lag, parts = lagrangian_bound(problem, cands, frames, lp.prices, time_limit_s=120)
            if what == "master":
                master = whole_day_bound(problem, cands, frames, lp, parts, 240)
            else:
                from planner.optimise import whole_bound

                if hasattr(whole_bound, "trim_heap"):  # as solve() does before the thread
                    whole_bound.trim_heap()
                with ThreadPoolExecutor(max_workers=1) as pool:
                    master = pool.submit(whole_day_bound, problem, cands, frames, lp, parts, 240).result()
            out.update(
                lagrangian=round(lag, 6),
                bound=round(master.value, 6),
                master_status=master.status,
                master_rounds=master.rounds,
                master_seconds=round(master.seconds, 2),
            )
    out["seconds"] = round(time.perf_counter() - t0, 2)
    out["peak_mib"] = round(_peak_mib())
    out["peak_gb"] = round(_peak_mib() * 2**20 / 1e9, 3)
    out["load_after"] = round(os.getloadavg()[0], 2)
    return out


def _md(data: dict) -> str:
    lines = [
        "# Memory of the region's solve",
        "",
        f"Updated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores "
        "(shared with other engineers: seconds depend on the load, quoted before → after).",
        "Region case of `bench/season.py` (1,754 communes, 12 resources, 53 weeks). Peak = `ru_maxrss` of",
        "the measure's own process; GB in decimal units (issue 11's « ≤ 2 GB » = 1,907 MiB).",
        "`lp`: the LP alone; `master`: LP, Lagrangian bound, then the whole master one after the other;",
        "`thread`: the same, the master in its own thread as the solve launches it (no search beside);",
        "`solve`: the solve (the master in a thread beside the groups' search). Its bound says how far the",
        "master got before the search ended: 4826.455 converged, 4827.56 one round short, 4883.648 the",
        "Lagrangian bound only (the master's rounds never went below it, or it did not start: on a loaded",
        "machine its thread gets less than a core); its peak then lies below that of a converged master.",
        "",
        "| code | measure | peak MiB | peak GB | seconds | bound | detail | load |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, runs in data.items():
        for what in MEASURES:
            r = runs.get(what)
            if r is None:
                continue
            if what == "lp":
                detail = f"GLOP {r['lp_seconds']} s"
            elif what in ("master", "thread"):
                detail = (
                    f"LP peak {r['lp_peak_mib']} MiB; master {r['master_status']} in {r['master_rounds']} "
                    f"rounds, {r['master_seconds']} s"
                )
            else:
                detail = (
                    f"objective {r['objective']}, gap {100 * r['gap']:.2f} %, limit {r['time_limit_s']} s"
                )
            bound = r.get("bound", r.get("lp"))
            lines.append(
                f"| {label} | {what} | {r['peak_mib']:,} | {r['peak_gb']} | {r['seconds']} | {bound} | "
                f"{detail} | {r['load_before']} → {r['load_after']} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(argv[1], Path(argv[2]), float(argv[3]))), flush=True)
        return 0
    code, label, scale, what = ROOT, "this branch", 1.0, "all"
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--code":
            code = Path(args.pop(0)).resolve()
        elif a == "--label":
            label = args.pop(0)
        elif a == "--limit-scale":
            scale = float(args.pop(0))
        else:
            what = a
    path = RESULTS / "memory_region.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    todo = MEASURES if what == "all" else () if what == "report" else (what,)
    for m in todo:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", m, str(code), str(scale)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            return 1
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(json.dumps(r), flush=True)
        data.setdefault(label, {})[m] = r
        RESULTS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    (RESULTS / "memory_region.md").write_text(_md(data), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
