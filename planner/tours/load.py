"""Read the tour a coordinator runs today, as they keep it: a CSV or Excel table, or a plan JSON.

One line per stop or per session:

============================  =====================================================================
column (any of these names)   content
============================  =====================================================================
Date / Jour                   a date (« 09/02/2027 », an Excel date) — or a rhythm, see Règle
Règle / Rythme / Fréquence    « 2e mardi du mois », « tous les jeudis », « un vendredi sur deux »
                              (:mod:`planner.tours.recurrence`), expanded over the season
Commune / Arrêt               the commune's name (« Genouilly », « St-Georges-sur-la-Prée »)
Code INSEE                    or its INSEE code
Début, Fin / Horaires         « 9:00 », « 9 h », « 12h30 » — or « 9 h–12 h » in one cell
Véhicule / Moyen              the bus or team (optional when there is only one)
Lieu                          where it stops (optional: « place de l'église »)
Type / Service                parcours (default), permanence or domicile (optional)
Annoncé / Verrouillé          oui when the stop is announced and must not move (optional)
============================  =====================================================================

The file goes through the one tolerant reader (:func:`planner.inputs.sheet.read_sheet`:
cp1252, ``;``, decimal commas, Excel dates, title rows). Every refusal is an
:class:`~planner.errors.InputError` in French naming the file, the line and the column: an
unknown commune (with the closest name of the territory), an impossible time, a rhythm that
cannot be read, the same vehicle in two places at once. A file is read whole or refused whole.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from typing import Any

from planner.errors import InputError
from planner.french import french_date
from planner.inputs.cog import cog_names
from planner.inputs.sheet import HEADER_SCAN_ROWS, Column, Row, Sheet, parse_date, parse_time, read_sheet
from planner.model import DOMICILE, PARCOURS, PERMANENCE, Plan, Season, Territory
from planner.plan_json import plan_from_dict
from planner.rules.calendar import build_season
from planner.tours.recurrence import parse_rule

_SERVICE_WORDS = {
    "parcours": PARCOURS, "atelier": PARCOURS, "ateliers": PARCOURS, "serie": PARCOURS,
    "permanence": PERMANENCE, "permanences": PERMANENCE, "perm": PERMANENCE,
    "accueil": PERMANENCE, "accompagnement": PERMANENCE,
    "domicile": DOMICILE, "a domicile": DOMICILE, "visite a domicile": DOMICILE,
    "visites a domicile": DOMICILE, "visite": DOMICILE,
}  # fmt: skip

TOUR_COLUMNS: tuple[Column, ...] = (
    Column("date", ("date", "jour", "date de passage", "date du passage")),
    Column("rule", ("règle", "rythme", "fréquence", "récurrence", "périodicité", "quand", "date ou règle")),
    Column("commune", ("commune", "nom de la commune", "arrêt", "ville", "commune d'accueil")),
    Column("code_insee", ("code insee", "insee", "code commune", "codgeo", "code")),
    Column("start", ("début", "heure de début", "de", "arrivée")),
    Column("end", ("fin", "heure de fin", "à", "départ")),
    Column("hours", ("horaires", "horaire", "heures", "créneau")),
    Column("vehicle", ("véhicule", "moyen", "bus", "équipe", "ressource", "moyen itinérant")),
    Column("place", ("lieu", "adresse", "emplacement", "lieu de stationnement", "lieu d'accueil")),
    Column("service", ("type", "service", "prestation", "type de service")),
    Column("locked", ("annoncé", "annoncée", "verrouillé", "verrouillée", "fixe")),
)
_HOURS = re.compile(r"^\s*(.+?)\s*(?:[-–—/]|à|a)\s*(.+?)\s*$")


@dataclass(frozen=True)
class TourLine:
    """One line of a tour file, its rhythm expanded: the sessions it stands for.

    ``vehicle`` is the bus or team as written (``""``: the only one); ``rule`` the rhythm in
    French (« 2e mardi du mois »), empty for a line with a date; ``skipped`` the dates of the
    rhythm the season closes (public holidays), on which the stop does not run.
    """

    line: int
    host: str
    vehicle: str
    start: time
    end: time
    dates: tuple[date, ...]
    rule: str = ""
    place: str = ""
    service: str = PARCOURS
    locked: bool = False
    skipped: tuple[date, ...] = ()


@dataclass(frozen=True)
class Tour:
    """A current tour: its lines, the season they were expanded over, and where it came from.

    ``plan`` is set when the tour was read from a plan JSON (its series and people are then
    scored as they are).
    """

    source: str
    lines: tuple[TourLine, ...]
    season: Season
    plan: Plan | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def sessions(self) -> int:
        """Number of sessions the tour holds."""
        return sum(len(x.dates) for x in self.lines)


# ----------------------------------------------------------------------------- communes


def plain_name(text: str) -> str:
    """A commune name as a key: no accents, case or punctuation, « St »/« Ste » spelt out."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\bste?\b", lambda m: "sainte" if m.group(0) == "ste" else "saint", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


class CommuneFinder:
    """Find a commune of the territory by name or INSEE code, with a French reason when absent."""

    def __init__(self, territory: Territory):
        self.territory = territory
        self.codes = set(territory.codes)
        self.by_name: dict[str, list[str]] = {}
        for c in territory.communes:
            self.by_name.setdefault(plain_name(c.name), []).append(c.code_insee)

    def code(self, row: Row) -> str:
        """The INSEE code of the row's commune (code column first, else the name)."""
        if row.has("code_insee"):
            code = row.insee("code_insee")
            if code not in self.codes:
                raise row.error(self._outside(code), "code_insee")
            return code
        if not row.has("commune"):
            raise row.error("commune manquante", "commune")
        name = row.text("commune")
        if re.fullmatch(r"\d{4,5}|2[ABab]\d{3}", name):
            code = row.insee("commune")
            if code not in self.codes:
                raise row.error(self._outside(code), "commune")
            return code
        found = self.by_name.get(plain_name(name), [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise row.error(
                f"plusieurs communes du territoire s'appellent « {name} » : donnez le code INSEE "
                f"({', '.join(found)})",
                "commune",
            )
        raise row.error(self._unknown(name), "commune")

    def _outside(self, code: str) -> str:
        name = cog_names().get(code, code)
        return f"la commune {name} ({code}) n'est pas dans le territoire « {self.territory.spec} »"

    def _unknown(self, name: str) -> str:
        close = difflib.get_close_matches(plain_name(name), list(self.by_name), n=1, cutoff=0.6)
        hint = ""
        if close:
            code = self.by_name[close[0]][0]
            hint = f" ; vouliez-vous dire « {self.territory.commune(code).name} » ?"
        return f"commune inconnue dans le territoire « {self.territory.spec} » : « {name} »{hint}"


# ----------------------------------------------------------------------------- cells


def _hours(row: Row) -> tuple[time, time]:
    if row.has("start") or row.has("end"):
        start, end = row.time("start"), row.time("end")
        if start is None:
            raise row.error("heure de début manquante (ex. 9:00)", "start")
        if end is None:
            raise row.error("heure de fin manquante (ex. 12:00)", "end")
        key = "end"
    elif row.has("hours"):
        text = row.text("hours")
        m = _HOURS.match(text)
        try:
            if not m:
                raise ValueError
            start, end = parse_time(m.group(1)), parse_time(m.group(2))
        except ValueError:
            raise row.error(
                f"horaires illisibles : « {text} » (attendu par ex. « 9 h–12 h » ou « 09:00-12:00 »)", "hours"
            ) from None
        key = "hours"
    else:
        raise row.error("horaires manquants : colonnes Début et Fin (ex. 9:00 et 12:00) ou Horaires", "start")
    if end <= start:
        raise row.error(
            f"horaires impossibles : la fin ({end:%H:%M}) n'est pas après le début ({start:%H:%M})", key
        )
    if (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) < 30:
        raise row.error(f"passage trop court ({start:%H:%M}–{end:%H:%M}) : 30 minutes au moins", key)
    return start, end


def _service(row: Row) -> str:
    if not row.has("service"):
        return PARCOURS
    text = plain_name(row.text("service"))
    if text in _SERVICE_WORDS:
        return _SERVICE_WORDS[text]
    raise row.error(
        f"type de passage inconnu : « {row.text('service')} » (attendu : parcours, permanence ou domicile)",
        "service",
    )


def _when(row: Row, season: Season | None) -> tuple[tuple[date, ...], str, tuple[date, ...]]:
    """``(dates, rhythm label, closed dates skipped)`` of a row."""
    for key in ("date", "rule"):
        if not row.has(key):
            continue
        value = row.raw(key)
        try:
            return (parse_date(value),), "", ()
        except ValueError:
            pass
        recurrence = parse_rule(row.text(key))
        if recurrence is None:
            raise row.error(
                f"date ou rythme illisible : « {row.text(key)} » (attendu une date comme 09/02/2027 ou un "
                "rythme comme « 2e mardi du mois », « tous les jeudis », « un vendredi sur deux »)",
                key,
            )
        if season is None:
            raise row.error(
                f"le rythme « {row.text(key)} » se répète sur une saison : donnez ses dates de début et de fin",
                key,
            )
        dates, skipped = recurrence.dates(season)
        return tuple(dates), recurrence.label, tuple(skipped)
    raise row.error("date ou rythme manquant (ex. 09/02/2027 ou « 2e mardi du mois »)", "date")


# ----------------------------------------------------------------------------- files


def _overlaps(lines: list[TourLine], rows: dict[int, Row]) -> None:
    """The same vehicle in two places at once: a French error on the later line."""
    seen: dict[tuple[str, date], list[TourLine]] = {}
    for x in lines:
        for d in x.dates:
            for other in seen.get((x.vehicle, d), []):
                if x.start < other.end and other.start < x.end:
                    who = f"le véhicule « {x.vehicle} »" if x.vehicle else "le véhicule"
                    raise rows[x.line].error(
                        f"{who} est déjà ailleurs le {french_date(d)} : ligne {other.line}, de "
                        f"{other.start:%H:%M} à {other.end:%H:%M} (il ne peut pas être à deux endroits)",
                        "start" if rows[x.line].has("start") else "hours",
                    )
            seen.setdefault((x.vehicle, d), []).append(x)


def _season_of(dates: list[date], name: str) -> Season:
    if not dates:
        raise InputError("la tournée ne contient aucun passage", file=name)
    return build_season(min(dates), max(dates))


def read_tour_table(
    source: str | Path | bytes | Any,
    territory: Territory,
    season: Season | None = None,
    *,
    filename: str | None = None,
) -> Tour:
    """Read a tour from a CSV or Excel table (see the module docstring).

    Parameters
    ----------
    source
        A path, raw bytes or an uploaded file.
    territory
        The territory whose communes the tour visits.
    season
        The season a rhythm repeats over; without one, the span of the file's dates (a file of
        rhythms then needs one).
    filename
        The name messages give the file.

    Raises
    ------
    InputError
        In French, naming the file, the line and the column.
    """
    sheet = _read(source, filename)
    name = sheet.file
    if not sheet.rows:
        raise InputError("la tournée ne contient aucun passage", file=name)
    finder = CommuneFinder(territory)
    has_rules = any(
        row.has(k) and _not_a_date(row.raw(k)) for row in sheet.rows for k in ("date", "rule") if row.has(k)
    )
    if season is None and not has_rules:
        season = _season_of([d for row in sheet.rows for d in _row_dates(row)], name)
    lines: list[TourLine] = []
    rows: dict[int, Row] = {}
    for row in sheet.rows:
        host = finder.code(row)
        start, end = _hours(row)
        dates, rule, skipped = _when(row, season)
        rows[row.line] = row
        lines.append(
            TourLine(
                line=row.line,
                host=host,
                vehicle=row.text("vehicle"),
                start=start,
                end=end,
                dates=dates,
                rule=rule,
                place=row.text("place"),
                service=_service(row),
                locked=row.boolean("locked"),
                skipped=skipped,
            )
        )
    _overlaps(lines, rows)
    assert season is not None
    notes = tuple(
        f"ligne {x.line} ({territory.commune(x.host).name}, {x.rule}) : pas de passage le "
        + ", ".join(f"{d:%d/%m/%Y} ({season.closed_reasons.get(d, 'fermé')})" for d in x.skipped)
        for x in lines
        if x.skipped
    )
    if not any(x.dates for x in lines):
        raise InputError("aucun passage de la tournée ne tombe dans la saison", file=name)
    return Tour(source=name, lines=tuple(lines), season=season, notes=notes)


def _read(source: Any, filename: str | None) -> Sheet:
    """The table, its header being the first line naming a commune (or code) and a date (or rule)."""
    data = source if isinstance(source, bytes) else None
    for where, when in (
        ("commune", "date"),
        ("commune", "rule"),
        ("code_insee", "date"),
        ("code_insee", "rule"),
    ):
        columns = [replace(c, required=c.key in (where, when)) for c in TOUR_COLUMNS]
        try:
            return read_sheet(data if data is not None else source, columns, filename=filename)
        except InputError as exc:
            if not exc.message.startswith("colonne obligatoire absente"):
                raise
            missing = exc
    raise InputError(
        "en-tête introuvable : il faut une colonne « Commune » (ou « Code INSEE ») et une colonne « Date » "
        f"(ou « Règle ») dans les {HEADER_SCAN_ROWS} premières lignes non vides",
        file=missing.file,
    )


def _not_a_date(value: Any) -> bool:
    try:
        parse_date(value)
        return False
    except ValueError:
        return True


def _row_dates(row: Row) -> list[date]:
    for key in ("date", "rule"):
        if row.has(key):
            try:
                return [parse_date(row.raw(key))]
            except ValueError:
                return []
    return []


def tour_from_plan(plan: Plan, source: str = "plan") -> Tour:
    """A plan JSON as a tour: one line per series (its position in the file), scored as it is."""
    lines = []
    for i, series in enumerate(plan.series, start=1):
        own = sorted((s for s in plan.sessions if s.series == series.id), key=lambda s: s.date)
        if not own:
            continue
        lines.append(
            TourLine(
                line=i,
                host=series.host,
                vehicle=series.resource,
                start=own[0].start,
                end=own[0].end,
                dates=tuple(s.date for s in own),
                service=series.service,
                locked=any(s.locked for s in own),
            )
        )
    return Tour(source=source, lines=tuple(lines), season=plan.season, plan=plan)


def load_tour(
    source: str | Path | bytes | Any,
    territory: Territory,
    season: Season | None = None,
    *,
    filename: str | None = None,
) -> Tour:
    """Read a current tour: a plan JSON (``.json`` with a ``sessions`` list) or a CSV/Excel table.

    See :func:`read_tour_table`; a plan JSON keeps its own season, series and people.
    """
    name = (
        filename
        or getattr(source, "name", None)
        or (Path(source).name if isinstance(source, str | Path) else "")
    )
    name = Path(str(name or "tournée")).name
    if isinstance(source, str | Path):
        try:
            data = Path(source).read_bytes()
        except FileNotFoundError as exc:
            raise InputError("fichier introuvable", file=name) from exc
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    head = data.lstrip()[:1]
    if head == b"{" or name.lower().endswith(".json"):
        try:
            obj = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"JSON invalide ({exc})", file=name) from exc
        if isinstance(obj, dict) and "sessions" in obj and "series" in obj:
            plan = plan_from_dict(obj, source=name)
            if plan.territory_spec and plan.territory_spec != territory.spec:
                raise InputError(
                    f"ce plan concerne le territoire « {plan.territory_spec} », pas « {territory.spec} »",
                    file=name,
                )
            return tour_from_plan(plan, name)
    return read_tour_table(data, territory, season, filename=name)
