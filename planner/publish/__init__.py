"""Publishing a plan: figures for funders (:mod:`planner.publish.report`) and its exports
(``xlsx``, ``pdf``, ``ics``, ``lieux`` — the national standard of mediation places —, ``csv``,
``geojson``, ``json``).

:func:`export_plan` is the one entry point for the CLI and the pages; each format has its own
module with a ``write_<fmt>(ctx, out_dir) -> list[Path]`` function.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from planner.errors import InputError
from planner.model import CommuneNeed, Plan, Territory
from planner.publish.common import ExportContext, HostDetails, Publisher
from planner.publish.report import CostRates
from planner.realised.season import RealisedSeason
from planner.territory.travel import TravelMatrix

FORMATS: tuple[str, ...] = ("xlsx", "pdf", "ics", "lieux", "csv", "geojson", "json")

__all__ = [
    "FORMATS",
    "ExportContext",
    "ExportFile",
    "HostDetails",
    "Publisher",
    "export_bytes",
    "export_plan",
    "host_files",
    "make_context",
    "report_bytes",
]

MIME_TYPES = {
    ".ics": "text/calendar",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".geojson": "application/geo+json",
    ".csv": "text/csv",
    ".zip": "application/zip",
}


@dataclass(frozen=True)
class ExportFile:
    """An export in memory, ready for a download button: file name, bytes, MIME type."""

    name: str
    data: bytes
    mime: str


def make_context(
    plan: Plan,
    *,
    problem=None,
    territory: Territory | None = None,
    needs: Mapping[str, CommuneNeed] | None = None,
    matrix: TravelMatrix | None = None,
    baseline: Plan | None = None,
    hosts: Mapping[str, HostDetails] | None = None,
    rates: CostRates | None = None,
    previous: Sequence[Plan] = (),
    publisher: Publisher | None = None,
    realised: RealisedSeason | None = None,
) -> ExportContext:
    """Gather what the exports may show; a :class:`~planner.problem.PlanningProblem` gives
    territory, needs and matrix at once (explicit arguments win)."""
    if problem is not None:
        territory = territory or problem.territory
        needs = needs if needs is not None else problem.needs
        matrix = matrix if matrix is not None else problem.matrix
    return ExportContext(
        plan=plan,
        territory=territory,
        needs=needs,
        matrix=matrix,
        baseline=baseline,
        hosts=hosts or {},
        rates=rates or CostRates(),
        previous=tuple(previous),
        publisher=publisher or Publisher(),
        realised=realised,
    )


def export_plan(
    plan: Plan,
    fmt: str,
    out_dir: str | Path,
    *,
    problem=None,
    territory: Territory | None = None,
    needs: Mapping[str, CommuneNeed] | None = None,
    matrix: TravelMatrix | None = None,
    baseline: Plan | None = None,
    hosts: Mapping[str, HostDetails] | None = None,
    rates: CostRates | None = None,
    previous: Sequence[Plan] = (),
    publisher: Publisher | None = None,
) -> list[Path]:
    """Write ``plan`` in format ``fmt`` into ``out_dir`` and return the files written.

    Parameters
    ----------
    plan
        The plan to export.
    fmt
        One of :data:`FORMATS`. ``ics`` and ``pdf`` write one file per resource and one per host
        commune (``pdf`` adds the funder report); the others write one file (``csv``: several tables).
    out_dir
        Directory, created if missing.
    problem, territory, needs, matrix
        Where names, coordinates and the funder figures come from (``problem`` gives all three).
    baseline
        The saupoudrage plan on the same resource days, shown beside the plan's figures.
    hosts
        ``code_insee -> HostDetails`` (venue, contact, registration) for posters and day sheets;
        leave empty to export without any contact data.
    rates
        Money and CO2 rates of the cost figures.
    previous
        Plans published before this one, oldest first: the calendars then carry each session's
        revision and cancel the sessions that are gone.
    publisher
        The structure running the resources (name, SIRET): the ``lieux`` export needs it.

    Raises
    ------
    InputError
        Unknown format, or a format that needs the territory without one.
    """
    ctx = make_context(
        plan,
        problem=problem,
        territory=territory,
        needs=needs,
        matrix=matrix,
        baseline=baseline,
        hosts=hosts,
        rates=rates,
        previous=previous,
        publisher=publisher,
    )
    return write(ctx, fmt, out_dir)


def write(ctx: ExportContext, fmt: str, out_dir: str | Path) -> list[Path]:
    """Dispatch an :class:`ExportContext` to the writer of ``fmt``."""
    key = (fmt or "").strip().lower()
    if key == "ics":
        from planner.publish.ics import write_ics as writer
    elif key == "xlsx":
        from planner.publish.xlsx import write_xlsx as writer
    elif key == "pdf":
        from planner.publish.pdf import write_pdf as writer
    elif key == "json":
        from planner.publish.json import write_json as writer
    elif key == "geojson":
        from planner.publish.geojson import write_geojson as writer
    elif key == "csv":
        from planner.publish.csv import write_csv as writer
    elif key == "lieux":
        from planner.publish.lieux import write_lieux as writer
    else:
        raise InputError(f"format d'export inconnu « {fmt} » (attendu : {', '.join(FORMATS)})")
    return writer(ctx, out_dir)


def _zip(paths: list[Path]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in paths:
            zf.write(p, p.name)
    return buf.getvalue()


def export_bytes(ctx: ExportContext, fmt: str, stem: str = "aller-vers") -> ExportFile:
    """Export in memory: the single file a format writes, or a zip ``<stem>_<fmt>.zip`` of several.

    For download buttons (``st.download_button(f.name, data=f.data, mime=f.mime)``).
    """
    with tempfile.TemporaryDirectory() as tmp:
        paths = write(ctx, fmt, tmp)
        if len(paths) == 1:
            p = paths[0]
            return ExportFile(
                f"{stem}{p.suffix}" if stem else p.name,
                p.read_bytes(),
                MIME_TYPES.get(p.suffix, "application/octet-stream"),
            )
        return ExportFile(f"{stem}_{fmt}.zip", _zip(paths), MIME_TYPES[".zip"])


def report_bytes(ctx: ExportContext) -> ExportFile:
    """The funder report alone (PDF), without day sheets or posters (no contact data)."""
    from planner.publish.pdf import funder_report

    return ExportFile("rapport_financeurs.pdf", bytes(funder_report(ctx).output()), MIME_TYPES[".pdf"])


def host_files(ctx: ExportContext, code_insee: str) -> tuple[ExportFile, ExportFile]:
    """What a host commune needs: its calendar (.ics) and its poster (.pdf)."""
    from planner.publish.common import slug
    from planner.publish.ics import host_calendar
    from planner.publish.pdf import poster

    name = slug(ctx.name(code_insee))
    cal = host_calendar(ctx, code_insee)
    return (
        ExportFile(f"calendrier_{name}_{code_insee}.ics", cal.to_ical(), MIME_TYPES[".ics"]),
        ExportFile(
            f"affiche_{name}_{code_insee}.pdf", bytes(poster(ctx, code_insee).output()), MIME_TYPES[".pdf"]
        ),
    )
