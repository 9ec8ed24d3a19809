"""A simple attendance sheet: one line per session, as a coordinator types it (CSV or xlsx).

Columns (found by name, in any order, under any title rows; accents and case ignored):

- « Date » (required): ``JJ/MM/AAAA``, ``AAAA-MM-JJ`` or an Excel date;
- « Commune » (required; or « Lieu », « Code INSEE »): a commune name, an INSEE code or
  « code postal commune »;
- « Participants » (or « Nombre de participants », « Présents »): people present; 0 means
  nobody came (the session counts as cancelled, « personne n'est venu »);
- « Heure » (optional; or « Début »): start time, to tell two sessions of one day apart;
- « Annulation » (optional; or « Motif d'annulation »): a reason from the fixed list when the
  session did not take place (see :data:`~planner.realised.outcome.CANCEL_REASONS`);
- optional age-band columns, named like « 60-69 ans », « 70 ans et plus », « moins de 60 ans ».

Any other column (names, remarks…) is never read. A line with neither participants nor a
reason is a session not filled in yet: it is skipped and listed in the warnings.
"""

from __future__ import annotations

from collections.abc import Collection

from planner.errors import InputError
from planner.realised.activity import Activity, ActivityFile
from planner.realised.age_bands import is_age_band, parse_age_band
from planner.realised.outcome import parse_cancel_reason
from planner.realised.places import PlaceError, PlaceIndex, region_places
from planner.realised.reading import (
    Sheet,
    Where,
    cell_date,
    cell_int,
    cell_text,
    cell_time,
    column_index,
    find_header,
)

# Accepted column names (keys of header_key), the usual one first.
DATE = ("date", "jour", "date de la seance")
COMMUNE = ("commune", "lieu", "commune d'accueil", "code insee", "code_insee", "insee")
PARTICIPANTS = (
    "participants",
    "nombre de participants",
    "nb participants",
    "nb de participants",
    "presents",
    "nombre de presents",
)
START = ("heure", "heure de debut", "debut", "horaire")
CANCEL = ("annulation", "motif d'annulation", "annulee", "motif")
REQUIRED = (DATE, COMMUNE, PARTICIPANTS)


def read_sheet(
    sheet: Sheet, file: str, *, places: PlaceIndex | None = None, prefer: Collection[str] = ()
) -> ActivityFile:
    """The lines of an attendance sheet as activities (see the module's docstring).

    Raises
    ------
    InputError
        A date, a count, a time or a reason that cannot be read, a cancelled line with
        participants, or age-band counts above the participants: located on line and column.
    """
    places = places or region_places()
    top = find_header(sheet, REQUIRED, file)
    header = sheet.rows[top]
    col = {
        "date": column_index(header, DATE),
        "commune": column_index(header, COMMUNE),
        "participants": column_index(header, PARTICIPANTS),
        "start": column_index(header, START),
        "cancel": column_index(header, CANCEL),
    }
    ages = {i: parse_age_band(cell_text(h)) for i, h in enumerate(header) if is_age_band(cell_text(h))}
    activities: list[Activity] = []
    warnings: list[str] = []
    for row, values in enumerate(sheet.rows[top + 1 :], start=top + 2):
        if not any(cell_text(v) for v in values):
            continue

        def at(key: str, values: tuple = values) -> object:
            i = col[key]
            return values[i] if i is not None and i < len(values) else None

        def where(key: str, row: int = row) -> Where:
            return Where(file, row, cell_text(header[col[key]]))

        day = cell_date(at("date"), where("date"))
        count, reason_text = cell_text(at("participants")), cell_text(at("cancel"))
        if not count and not reason_text:
            warnings.append(
                f"ligne {row} : ni participants ni motif d'annulation (séance pas encore renseignée), ignorée"
            )
            continue
        participants = cell_int(count, where("participants")) if count else 0
        reason = ""
        if reason_text:
            try:
                reason = parse_cancel_reason(reason_text)
            except InputError as exc:
                raise where("cancel").error(exc.message) from None
            if participants:
                raise where("participants").error("une séance annulée n'a pas de participants")
        elif participants == 0:
            reason = "no_show"
        by_age: dict[str, int] = {}
        for i, band in ages.items():
            value = values[i] if i < len(values) else None
            if cell_text(value):
                by_age[band] = by_age.get(band, 0) + cell_int(value, Where(file, row, cell_text(header[i])))
        if sum(by_age.values()) > participants:
            raise InputError(
                f"plus de personnes par tranche d'âge ({sum(by_age.values())}) que de participants ({participants})",
                file=file,
                row=row,
            )
        place = cell_text(at("commune"))
        commune, problem = "", ""
        try:
            commune = places.find(place, prefer=prefer)
        except PlaceError as exc:
            problem = f"commune non reconnue : {exc.message}"
        activities.append(
            Activity(
                row=row,
                date=day,
                place=place,
                commune=commune,
                participants=participants,
                start=cell_time(at("start"), where("start")) if col["start"] is not None else None,
                cancel_reason=reason,
                age_bands=by_age,
                anonymous=participants,
                problem=problem,
            )
        )
    return ActivityFile("sheet", tuple(activities), tuple(warnings))
