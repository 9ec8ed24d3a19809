"""The activity export of « La Coop de la médiation numérique », as a coordinator downloads it.

Shape (read in the Coop's public source, ``buildActivitesWorksheet.ts``): sheet « Activités »;
above the table, export metadata rows (who exported, date, total) and the filters used, then an
empty row, then the header and one row per activity. Several beneficiaries of one activity are
written one per line inside a cell. Headers use typographic apostrophes (’).

Only these columns are read: « Date », « Nombre de participants », « Lieu » (« nom de la
structure, code postal commune » or « code postal commune »), « Canaux d’accompagnement »,
« Commune de résidence du bénéficiaire » and « Tranche d’âge du bénéficiaire » (aggregated into
counts), and « Bénéficiaire », whose names only serve, during the import, to count how many
sessions of a parcours each person came to: they are replaced by numbers that mean nothing
outside the import. Gender, social status, notes and every other column are never read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence

from planner.errors import InputError
from planner.realised.activity import Activity, ActivityFile
from planner.realised.age_bands import parse_age_band
from planner.realised.places import PlaceError, PlaceIndex, region_places
from planner.realised.reading import (
    Sheet,
    Where,
    cell_date,
    cell_int,
    cell_lines,
    cell_text,
    column_index,
    find_header,
    header_key,
)

SHEET_NAME = "Activités"
DATE, PARTICIPANTS, PLACE = "date", "nombre de participants", "lieu"
CHANNEL = "canaux d'accompagnement"
BENEFICIARY = "beneficiaire"
RESIDENCE = "commune de residence du beneficiaire"
AGE = "tranche d'age du beneficiaire"
REQUIRED = (DATE, PARTICIPANTS, PLACE)
#: Columns only the Coop export has: they tell it from a simple attendance sheet.
MARKERS = (BENEFICIARY, CHANNEL)
ANONYMOUS = {"beneficiaire anonyme", "anonyme", "-"}
REMOTE = "a distance"


def _has_header(sheet: Sheet) -> bool:
    for row in sheet.rows[:60]:
        keys = {header_key(c) for c in row}
        if set(REQUIRED) <= keys and keys & set(MARKERS):
            return True
    return False


def coop_sheet(sheets: Sequence[Sheet]) -> Sheet | None:
    """The sheet holding the Coop's activity table (« Activités » first), ``None`` if none."""
    ordered = sorted(sheets, key=lambda s: header_key(s.name) != header_key(SHEET_NAME))
    return next((s for s in ordered if _has_header(s)), None)


class _Counting:
    """Counts of one import that may be personal if kept: name → number, unreadable values."""

    def __init__(self) -> None:
        self.people: dict[str, int] = {}
        self.bad: dict[str, list[int]] = defaultdict(list)

    def person(self, name: str) -> int:
        return self.people.setdefault(header_key(name), len(self.people) + 1)

    def warnings(self) -> tuple[str, ...]:
        return tuple(
            f"{what} (lignes {', '.join(map(str, sorted(set(rows))))}) : compté(e) comme inconnu(e)"
            for what, rows in sorted(self.bad.items())
        )


def _residence(
    lines: list[str], places: PlaceIndex, prefer: Collection[str], row: int, seen: _Counting
) -> Counter:
    homes: Counter[str] = Counter()
    for line in lines:
        if line.strip() == "-":
            continue
        try:
            homes[places.find(line, prefer=prefer)] += 1
        except PlaceError:
            seen.bad[f"commune de résidence non reconnue « {line} »"].append(row)
    return homes


def _ages(lines: list[str], row: int, seen: _Counting) -> Counter:
    ages: Counter[str] = Counter()
    for line in lines:
        try:
            band = parse_age_band(line)
        except InputError:
            seen.bad[f"tranche d'âge illisible « {line} »"].append(row)
            continue
        if band is not None:
            ages[band] += 1
    return ages


def read_coop(
    sheet: Sheet, file: str, *, places: PlaceIndex | None = None, prefer: Collection[str] = ()
) -> ActivityFile:
    """The activities of the Coop's table, aggregated (see the module's docstring).

    Parameters
    ----------
    sheet
        The sheet of :func:`coop_sheet`.
    file
        The file's name, for messages.
    places
        Postal-code index (default: :func:`~planner.realised.places.region_places`).
    prefer
        INSEE codes to choose when a commune name alone fits several (the plan's communes).

    Raises
    ------
    InputError
        A date or a participant count that cannot be read, located on its line and column.
    """
    places = places or region_places()
    top = find_header(sheet, [(key,) for key in REQUIRED], file)
    header = sheet.rows[top]
    col = {key: column_index(header, {key}) for key in (*REQUIRED, CHANNEL, BENEFICIARY, RESIDENCE, AGE)}
    names = {key: cell_text(header[i]) for key, i in col.items() if i is not None}

    def cell(values: tuple, key: str):
        i = col[key]
        return values[i] if i is not None and i < len(values) else None

    seen = _Counting()
    activities: list[Activity] = []
    for offset, values in enumerate(sheet.rows[top + 1 :], start=top + 2):
        if not any(cell_text(v) for v in values):
            continue
        day = cell_date(cell(values, DATE), Where(file, offset, names[DATE]))
        people = cell_lines(cell(values, BENEFICIARY))
        count = cell_text(cell(values, PARTICIPANTS))
        participants = (
            cell_int(count, Where(file, offset, names[PARTICIPANTS]), 1) if count else max(1, len(people))
        )
        homes = _residence(cell_lines(cell(values, RESIDENCE)), places, prefer, offset, seen)
        ages = _ages(cell_lines(cell(values, AGE)), offset, seen)
        for counts, key in ((homes, RESIDENCE), (ages, AGE)):
            if sum(counts.values()) > participants:
                raise InputError(
                    f"plus de lignes ({sum(counts.values())}) que de participants ({participants})",
                    file=file,
                    row=offset,
                    column=names[key],
                )
        identified = [seen.person(p) for p in people if header_key(p) not in ANONYMOUS][:participants]
        place = cell_text(cell(values, PLACE))
        commune, problem = "", ""
        if header_key(cell(values, CHANNEL)) == REMOTE:
            problem = "accompagnement à distance : ce n'est pas une séance sur place"
        else:
            try:
                commune = places.find(place, prefer=prefer)
            except PlaceError as exc:
                problem = f"lieu non reconnu : {exc.message}"
        activities.append(
            Activity(
                row=offset,
                date=day,
                place=place,
                commune=commune,
                participants=participants,
                age_bands=ages,
                residence=homes,
                attendees=tuple(identified),
                anonymous=participants - len(identified),
                problem=problem,
            )
        )
    return ActivityFile("coop", tuple(activities), seen.warnings())
