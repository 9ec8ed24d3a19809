"""Benchmark: the whole Centre-Val de Loire (1,754 communes) — load, need, coverage, travel matrix.

Each run starts from empty caches (the embedded CSV files are read again), so a run measures what
a fresh process pays. Timings are the median of ``--runs`` runs; peak memory is measured twice:
``tracemalloc`` (Python allocations, numpy included) during one extra run, and the process's
``ru_maxrss`` at the end. Results go to ``bench/results/territory.json`` and ``.md``.

Target (issue 2): at most 2 s and 500 MB for the whole pipeline.

Usage: ``python bench/territory.py [--runs 5]``
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.territory import (  # noqa: E402
    fixed_sites,
    region,
    travel,
)
from planner.territory import specs as territory_mod  # noqa: E402
from planner.territory.need import NeedWeights, compute_need, need_rates  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_SECONDS = 2.0
TARGET_MB = 500.0


def _clear_caches() -> None:
    for fn in (
        region.region_frame,
        region.region_communes,
        region.commune_outlines,
        fixed_sites._names_by_dep,
        fixed_sites.all_fixed_sites,
        travel._cached_matrix,
    ):
        fn.cache_clear()


def one_run() -> dict[str, float]:
    """Time each stage once from cold caches; return seconds per stage."""
    _clear_caches()
    t0 = time.perf_counter()
    region = territory_mod.load_territory(territory_mod.REGION_SPEC)
    t1 = time.perf_counter()
    matrix = travel.territory_matrix(region)
    t2 = time.perf_counter()
    need_rates(region, NeedWeights())
    t3 = time.perf_counter()
    needs = compute_need(region, NeedWeights(), matrix)  # need + E2SFCA coverage
    t4 = time.perf_counter()
    assert len(needs) == len(region.communes) == 1754
    return {
        "load_s": t1 - t0,
        "travel_matrix_s": t2 - t1,
        "need_only_s": t3 - t2,
        "need_and_coverage_s": t4 - t3,
        "total_s": t4 - t0,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    runs = [one_run() for _ in range(args.runs)]
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}

    _clear_caches()
    tracemalloc.start()
    one_run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB

    region = territory_mod.load_territory(territory_mod.REGION_SPEC)
    result = {
        "benchmark": "territory",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "communes": len(region.communes),
        "fixed_sites": len(region.fixed_sites),
        "population": region.population,
        "runs": args.runs,
        "median_seconds": {k: round(v, 4) for k, v in median.items()},
        "all_runs_total_seconds": [round(r["total_s"], 4) for r in runs],
        "peak_tracemalloc_mb": round(peak / 2**20, 1),
        "ru_maxrss_mb": round(maxrss_mb, 1),
        "target_seconds": TARGET_SECONDS,
        "target_mb": TARGET_MB,
        "meets_target": median["total_s"] <= TARGET_SECONDS and maxrss_mb <= TARGET_MB,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "territory.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    lines = [
        "# Benchmark: whole region (territory, need, coverage, travel matrix)",
        "",
        f"{result['date']} — Python {result['python']} — {result['communes']} communes, "
        f"{result['fixed_sites']} fixed places, median of {args.runs} cold runs.",
        "",
        "| stage | median (s) |",
        "|---|---|",
        *[f"| {k.removesuffix('_s')} | {v:.3f} |" for k, v in median.items()],
        "",
        f"Peak memory: {result['peak_tracemalloc_mb']} MB (tracemalloc), {result['ru_maxrss_mb']} MB (ru_maxrss, whole process).",
        f"Target ≤ {TARGET_SECONDS} s and ≤ {TARGET_MB:.0f} MB: {'met' if result['meets_target'] else 'NOT met'}.",
        "",
    ]
    (RESULTS / "territory.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
