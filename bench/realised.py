"""Benchmark: importing a large Coop activity export into the Vierzon test plan.

A departmental coordinator may export a whole year of « comptes rendus d'activité »: here
``--activities`` rows (default 5,000) in the Coop's shape, about a third of them on the plan's
sessions (one to four named beneficiaries each, several rows per session) and the rest
elsewhere or on other days (unmatched). Stages: reading the workbook (openpyxl), aggregating and
matching, storing in a fresh SQLite file. Median of ``--runs`` runs; results go to
``bench/results/realised.json`` and ``.md``. The numbers depend on the machine's load (noted).

Usage: ``python bench/realised.py [--activities 5000] [--runs 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.plan_json import load_plan  # noqa: E402
from planner.realised.importing import import_activities, plan_communes, read_activities  # noqa: E402
from planner.store import realised as store  # noqa: E402
from planner.store.db import dispose_engine, open_store  # noqa: E402
from tests.realised.coop_export import CoopActivity, Person, write_coop_export  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PLAN = ROOT / "tests" / "data" / "plan_vierzon_petit.json"
PLACES = {
    "18140": "Mairie, 18120 Massay",
    "18263": "18100 Thénioux",
    "41176": "Mairie, 41300 Pierrefitte-sur-Sauldre",
}
ELSEWHERE = ("Médiathèque, 18100 Vierzon", "EPN, 18210 Graçay", "18100 Méry-sur-Cher")
HOMES = ("18120 Massay", "18100 Vierzon", "18100 Thénioux", "41300 Orçay", "-")
AGES = ("70 ans et plus", "60 - 69 ans", "40 - 59 ans", "Non communiqué")


def make_export(path: Path, n: int, seed: int = 7) -> Path:
    """``n`` Coop-shaped activities, a third on the plan's sessions."""
    rng = random.Random(seed)
    plan = load_plan(PLAN)
    people = [Person(f"Personne{i} Nom{i}", rng.choice(HOMES), rng.choice(AGES)) for i in range(400)]
    rows = []
    for i in range(n):
        group = rng.sample(people, rng.randint(1, 4))
        if i % 3 == 0:
            s = rng.choice(plan.sessions)
            day, place = datetime.combine(s.date, datetime.min.time()), PLACES[s.host]
        else:
            day = datetime(2026, 1, 5) + timedelta(days=rng.randrange(300))
            place = rng.choice(ELSEWHERE)
        rows.append(CoopActivity(day, place, group, kind="Accompagnement individuel"))
    return write_coop_export(path, rows)


def one_run(path: Path, db: Path) -> dict[str, float]:
    """Time each stage once; return seconds per stage."""
    plan = load_plan(PLAN)
    t0 = time.perf_counter()
    file = read_activities(path, prefer=plan_communes(plan))
    t1 = time.perf_counter()
    result = import_activities(file, plan)
    t2 = time.perf_counter()
    url = f"sqlite:///{db}"
    engine = open_store(url)
    version = store.ensure_plan_version(engine, plan, "bench", "bench")
    t3 = time.perf_counter()
    store.save_import(engine, version, result, "bench")
    t4 = time.perf_counter()
    dispose_engine(url)
    return {
        "read_s": t1 - t0,
        "match_aggregate_s": t2 - t1,
        "store_s": t4 - t3,
        "total_s": (t2 - t0) + (t4 - t3),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = make_export(Path(tmp) / "coop.xlsx", args.activities)
        size_kb = path.stat().st_size / 1024
        runs = [one_run(path, Path(tmp) / f"run{i}.sqlite") for i in range(args.runs)]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    load = os.getloadavg()
    data = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "activities": args.activities,
        "file_kb": round(size_kb, 1),
        "runs": args.runs,
        "median_s": {k: round(v, 3) for k, v in median.items()},
        "load_average": [round(x, 2) for x in load],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "realised.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Benchmark: importing a Coop activity export (realised sessions)",
        "",
        f"{data['date']} — Python {data['python']} — {args.activities} activities ({size_kb:.0f} kB xlsx), "
        f"median of {args.runs} runs; load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}.",
        "",
        "| stage | median (s) |",
        "|---|---|",
        *(f"| {k.removesuffix('_s')} | {v:.3f} |" for k, v in median.items()),
        "",
    ]
    (RESULTS / "realised.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
