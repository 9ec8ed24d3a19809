"""JSON export: the plan file format of the season optimiser (:mod:`planner.plan_json`)."""

from __future__ import annotations

from pathlib import Path

from planner.plan_json import save_plan
from planner.publish.common import ExportContext, slug


def write_json(ctx: ExportContext, out_dir: str | Path) -> list[Path]:
    """Write ``plan_<kind>.json`` (and ``plan_baseline.json`` when a baseline is known)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"plan_{slug(ctx.plan.kind)}.json"
    save_plan(ctx.plan, path)
    paths = [path]
    if ctx.baseline is not None and ctx.baseline.kind != ctx.plan.kind:
        base = out / f"plan_{slug(ctx.baseline.kind)}.json"
        save_plan(ctx.baseline, base)
        paths.append(base)
    return paths
