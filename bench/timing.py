"""Helpers the benchmarks share: machine load, wall time, medians and how a run is reported."""

from __future__ import annotations

import os
import statistics
import time


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded."""
    return [round(x, 2) for x in os.getloadavg()]


def timed(fn) -> float:
    """Seconds of wall time ``fn()`` takes."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def medians(rows: list[dict]) -> dict:
    """The median of every timing (float) field over the runs."""
    keys = [k for k, v in rows[0].items() if isinstance(v, float)] if rows else []
    return {k: round(statistics.median(r[k] for r in rows), 3) for k in keys}


def seconds(x: float | None) -> str:
    """``1.23`` or ``—``."""
    return "—" if x is None else f"{x:.2f}"


def ran(section: dict, result: dict) -> str:
    """When, where and under which load a section of a benchmark ran."""
    return (
        f"Run {section['when']} on {result['machine']}, {result['cores']} cores, load average at start "
        f"{' / '.join(map(str, section['load_start']))}, at end {' / '.join(map(str, section['load_end']))} "
        "(1, 5, 15 min; machine shared with other engineers)."
    )
