"""The whole import, as a pure function: a file and a plan → outcomes, attendance, leftovers.

Nothing is stored here (see :mod:`planner.store.realised`); nothing personal leaves this
function: the result holds counts, places and dates, and numbers standing for people that mean
nothing outside the import.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from planner.model import Plan
from planner.realised.activity import ActivityFile
from planner.realised.aggregate import attendance_of, outcome_of
from planner.realised.attendance import SeriesAttendance
from planner.realised.coop import coop_sheet, read_coop
from planner.realised.matching import Matching, match_activities
from planner.realised.outcome import SessionOutcome
from planner.realised.places import PlaceIndex, region_places
from planner.realised.reading import read_sheets
from planner.realised.season import RealisedSeason
from planner.realised.sheet import read_sheet

#: What the import screen and the CLI tell the coordinator about personal data.
PRIVACY_NOTE = (
    "Aucun nom n'est conservé : seuls les effectifs par séance, par commune de résidence et par "
    "tranche d'âge sont enregistrés ; noms, genre, statut et notes sont ignorés à la lecture."
)


@dataclass(frozen=True)
class ImportResult:
    """What an import found for a plan.

    ``outcomes`` and ``attendance`` are what gets stored; ``matching`` lists the activities
    attached to each session and those left aside (unmatched, ambiguous) with their reasons;
    ``warnings`` are French sentences about cells read in part.
    """

    source: str
    activities: int
    outcomes: tuple[SessionOutcome, ...]
    attendance: tuple[SeriesAttendance, ...]
    matching: Matching
    warnings: tuple[str, ...] = ()

    @property
    def realised(self) -> RealisedSeason:
        """The outcomes and attendance as a :class:`RealisedSeason`."""
        return RealisedSeason.of(self.outcomes, self.attendance)


def plan_communes(plan: Plan) -> frozenset[str]:
    """INSEE codes a plan speaks of: hosts and the communes its parcours draw people from."""
    codes = {s.host for s in plan.sessions}
    for series in plan.series:
        codes.update(series.from_communes)
    return frozenset(codes)


def read_activities(
    path: str | Path, *, prefer: Collection[str] = (), places: PlaceIndex | None = None
) -> ActivityFile:
    """Read a Coop activity export or a simple attendance sheet (recognised by its columns)."""
    name = Path(path).name
    sheets = read_sheets(path)
    coop = coop_sheet(sheets)
    if coop is not None:
        return read_coop(coop, name, places=places, prefer=prefer)
    return read_sheet(sheets[0], name, places=places, prefer=prefer)


def import_activities(file: ActivityFile, plan: Plan, *, places: PlaceIndex | None = None) -> ImportResult:
    """Match the activities of ``file`` to ``plan``'s sessions and aggregate them."""
    places = places or region_places()
    matching = match_activities(file.activities, plan.sessions, places.name)
    warnings = list(file.warnings)
    outcomes: list[SessionOutcome] = []
    for s in plan.sessions:
        if s.uid in matching.matched:
            outcome, warning = outcome_of(s, matching.matched[s.uid], file.source)
            outcomes.append(outcome)
            if warning:
                warnings.append(warning)
    held = {o.uid for o in outcomes if o.held}
    attendance = attendance_of(plan, matching.matched, held.__contains__) if file.source == "coop" else ()
    return ImportResult(
        file.source, len(file.activities), tuple(outcomes), attendance, matching, tuple(warnings)
    )


def import_file(path: str | Path, plan: Plan) -> ImportResult:
    """Read ``path`` (Coop export or simple sheet) and match it to ``plan``.

    Raises
    ------
    InputError
        Unreadable file or cell, located (file, line, column); nothing is half-read.
    """
    return import_activities(read_activities(path, prefer=plan_communes(plan)), plan)
