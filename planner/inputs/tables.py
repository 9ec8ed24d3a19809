"""User files for the optimiser: resources, host requests and locked sessions.

Every file is read by the one tolerant reader (:func:`planner.inputs.sheet.read_sheet`): CSV
(``;``, ``,`` or tab; UTF-8, UTF-16 or Windows-1252), ``.xlsx`` or JSON, with a title row or notes
above the header, headers in French or English in any case (« Code INSEE », « Jours possibles »,
« Début »…), real Excel dates and times, decimal commas and INSEE codes checked against the COG.

Every error is an :class:`~planner.errors.InputError` naming the file, the row (as a
spreadsheet shows it; for JSON, the 1-based position in the list) and the column as written in
the file. A file is read whole or not at all: the first bad cell stops the import.

Free-text cells (venue, label, extra columns) are made harmless for spreadsheets with
:func:`neutralise_formula`; identifiers must be plain (letters, digits, ``_ . -``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError
from planner.inputs.sheet import Column, Row, parse_time, read_sheet
from planner.model import (
    DOMICILE,
    PARCOURS,
    PERMANENCE,
    HostRequest,
    Resource,
    Session,
    Territory,
    format_weekdays,
    parse_weekdays,
)
from planner.territory.attendance import parse_public

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ID = re.compile(r"^\w[\w.\-]{0,63}$")

#: Defaults for the optional resource columns, by kind (``weekdays`` as written in files).
RESOURCE_DEFAULTS: Mapping[str, Mapping[str, str]] = {
    "bus": {
        "seats": "12",
        "weekdays": "mar,ven",
        "day_start": "09:00",
        "day_end": "17:30",
        "max_sessions_per_day": "2",
        "session_minutes": "180",
        "needs_power": "true",
    },
    "team": {
        "seats": "8",
        "weekdays": "mar,ven",
        "day_start": "09:00",
        "day_end": "17:30",
        "max_sessions_per_day": "3",
        "session_minutes": "120",
        "needs_power": "false",
    },
}
REQUEST_COLUMNS = (
    "id",
    "code_insee",
    "venue",
    "weekdays",
    "blackout_dates",
    "has_power",
    "expected_participants",
    "home_visits",
)


# ----------------------------------------------------------------------------- cells


def neutralise_formula(text: str) -> str:
    """Make a text cell harmless in a spreadsheet (CSV/formula injection).

    A value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe, so that Excel or LibreOffice shows it as text instead of running it.
    Apply it to text cells only (a negative number stays a number).

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("Salle des fêtes")
    'Salle des fêtes'
    """
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _identifier(row: Row, key: str, required: bool = True) -> str:
    value = row.text(key)
    if not value and not required:
        return ""
    if not _ID.match(value):
        raise row.error(
            f"identifiant invalide : « {value} » (lettres, chiffres, « _ », « . » ou « - », sans espace)", key
        )
    return value


def _clock(row: Row, key: str) -> time:
    value = row.time(key)
    if value is None:
        raise row.error("heure manquante (attendu HH:MM, ex. 09:30)", key)
    return value


# ----------------------------------------------------------------------------- resources


def default_resources(territory: Territory) -> tuple[Resource, ...]:
    """One bus based at the territory's most populated commune, Tuesdays and Fridays.

    12 seats, 09:00–17:30, up to 2 sessions of 180 minutes a day, needs power.
    Ties on population go to the first commune in the territory's order.
    """
    base = max(territory.communes, key=lambda c: c.population)  # max keeps the first on ties
    defaults = RESOURCE_DEFAULTS["bus"]
    return (
        Resource(
            id="bus-1",
            kind="bus",
            seats=int(defaults["seats"]),
            base=base.code_insee,
            weekdays=parse_weekdays(defaults["weekdays"]),
            day_start=time(9, 0),
            day_end=time(17, 30),
            max_sessions_per_day=int(defaults["max_sessions_per_day"]),
            session_minutes=int(defaults["session_minutes"]),
            needs_power=True,
            label="Bus numérique",
        ),
    )


RESOURCE_COLUMNS: tuple[Column, ...] = (
    Column("id", ("identifiant", "moyen", "code"), required=True),
    Column("kind", ("type", "genre"), required=True),
    Column("base", ("base", "commune de base", "code insee de la base", "base (code insee)"), required=True),
    Column("seats", ("places", "nombre de places", "postes")),
    Column("weekdays", ("jours", "jours de travail", "jours de tournée")),
    Column("day_start", ("début", "début de journée", "heure de début")),
    Column("day_end", ("fin", "fin de journée", "heure de fin")),
    Column("max_sessions_per_day", ("séances/jour", "séances par jour", "séances maximum par jour")),
    Column("session_minutes", ("durée (min)", "durée", "durée de séance", "durée des séances")),
    Column("needs_power", ("électricité", "besoin d'électricité", "prise électrique")),
    Column("label", ("libellé", "nom")),
    Column("public", ("public", "public visé")),
    Column("services", ("prestations", "prestation", "services", "type de prestation")),
    Column("permanence_rhythm", ("rythme", "rythme des permanences", "rythme de permanence")),
    Column("permanence_minutes", ("durée de permanence", "durée des permanences", "durée permanence (min)")),
    Column(
        "permanence_capacity",
        ("personnes par heure", "capacité (personnes/heure)", "capacité de permanence", "capacité"),
    ),
    Column("home_visit_minutes", ("durée de visite", "durée des visites à domicile", "durée visite (min)")),
)
_KINDS = {"bus": "bus", "team": "team", "equipe": "team", "équipe": "team"}


def _public(row: Row) -> str:
    try:
        return parse_public(row.text("public"))
    except InputError as exc:
        raise row.error(exc.message, "public") from None


def parse_services(text: str) -> tuple[str, ...]:
    """Service types from a cell: « parcours », « permanence », « domicile », « mixte » (parcours
    and permanence), separated by ``,``, ``;``, ``+`` or spaces; empty: the parcours."""
    import unicodedata

    plain = "".join(
        ch for ch in unicodedata.normalize("NFD", (text or "").lower()) if unicodedata.category(ch) != "Mn"
    )
    words = {
        "parcours": (PARCOURS,),
        "ateliers": (PARCOURS,),
        "permanence": (PERMANENCE,),
        "permanences": (PERMANENCE,),
        "domicile": (DOMICILE,),
        "visites": (DOMICILE,),
        "mixte": (PARCOURS, PERMANENCE),
    }
    out: list[str] = []
    for token in re.split(r"[,;+/ ]+", plain.strip()):
        if token in ("", "a", "visite", "et"):
            continue
        if token not in words:
            raise InputError(
                f"prestation inconnue « {token} » (attendu : parcours, permanence, domicile ou mixte)"
            )
        out += [w for w in words[token] if w not in out]
    return tuple(out) or (PARCOURS,)


def _services(row: Row) -> tuple[str, ...]:
    try:
        return parse_services(row.text("services"))
    except InputError as exc:
        raise row.error(exc.message, "services") from None


def _resource(row: Row) -> Resource:
    kind = _KINDS.get(row.text("kind").lower())
    if kind is None:
        raise row.error(f"type de moyen inconnu « {row.text('kind')} » (attendu : bus ou équipe)", "kind")
    defaults = RESOURCE_DEFAULTS[kind]

    def integer(key: str, low: int, high: int) -> int:
        value = row.integer(key, low, high)
        return int(defaults[key]) if value is None else value

    weekdays = row.weekdays("weekdays") if row.has("weekdays") else parse_weekdays(defaults["weekdays"])
    fields = {
        "id": _identifier(row, "id"),
        "kind": kind,
        "seats": integer("seats", 1, 200),
        "base": row.insee("base"),
        "weekdays": weekdays,
        "day_start": row.time("day_start") or parse_time(defaults["day_start"]),
        "day_end": row.time("day_end") or parse_time(defaults["day_end"]),
        "max_sessions_per_day": integer("max_sessions_per_day", 1, 12),
        "session_minutes": integer("session_minutes", 30, 600),
        "needs_power": row.boolean("needs_power", defaults["needs_power"] == "true"),
        "label": neutralise_formula(row.text("label")),
        "public": _public(row),
        "services": _services(row),
    }
    if row.text("permanence_rhythm"):
        fields["permanence_rhythm"] = row.text("permanence_rhythm")
    for key, low, high in (("permanence_minutes", 30, 600), ("home_visit_minutes", 15, 300)):
        value = row.integer(key, low, high)
        if value is not None:
            fields[key] = value
    capacity = row.number("permanence_capacity")
    if capacity is not None:
        fields["permanence_capacity"] = capacity
    if not fields["weekdays"]:
        raise row.error("au moins un jour de travail est attendu (ex. mar,ven)", "weekdays")
    return row.call(lambda: Resource(**fields))


def load_resources(path: str | Path | bytes | Any, filename: str | None = None) -> tuple[Resource, ...]:
    """Read the itinerant resources from a CSV, Excel or JSON file.

    Columns (French names accepted, see :data:`RESOURCE_COLUMNS`): ``id``, ``kind`` (``bus`` or
    ``team``/``équipe``), ``base`` (INSEE code) are required; ``seats``, ``weekdays``
    (``mar,ven``), ``day_start``, ``day_end`` (HH:MM), ``max_sessions_per_day``,
    ``session_minutes``, ``needs_power``, ``label`` and ``public`` (``general``, ``isolated`` or
    ``young``, or in French ``tous``, ``aînés isolés``, ``jeunes``: :mod:`planner.territory.attendance`)
    are optional, a missing column or blank cell taking the kind's default (:data:`RESOURCE_DEFAULTS`:
    bus 12 seats, 2 × 180 min, power; team 8 seats, 3 × 120 min, no power; the general public). JSON: a list of objects with the same keys, or
    ``{"resources": [...]}``.

    Raises
    ------
    InputError
        Located on the first bad cell; also for an empty file, a missing column, a file
        with no resource and a duplicated ``id``.
    """
    sheet = read_sheet(path, RESOURCE_COLUMNS, filename=filename, json_key="resources")
    resources: list[Resource] = []
    seen: set[str] = set()
    for row in sheet.rows:
        resource = _resource(row)
        if resource.id in seen:
            raise row.error(f"identifiant « {resource.id} » en double", "id")
        seen.add(resource.id)
        resources.append(resource)
    if not resources:
        raise InputError("aucun moyen itinérant dans le fichier", file=sheet.file)
    return tuple(resources)


# ----------------------------------------------------------------------------- requests


#: The optimiser's request columns, with the names a request file or the request form uses.
REQUEST_SHEET_COLUMNS: tuple[Column, ...] = (
    Column("id", ("identifiant", "n° de demande", "numéro de demande", "demande")),
    Column(
        "code_insee",
        (
            "code INSEE",
            "insee",
            "code commune",
            "code_commune",
            "codgeo",
            "depcom",
            "code officiel géographique",
        ),
        required=True,
    ),
    Column("venue", ("lieu", "lieu d'accueil", "salle", "nom du lieu")),
    Column("weekdays", ("jours", "jours possibles", "jour")),
    Column("blackout_dates", ("dates impossibles", "dates exclues", "indisponibilités", "sauf")),
    Column(
        "has_power",
        ("électricité", "prise électrique", "stationnement avec prise électrique", "branchement électrique"),
    ),
    Column("expected_participants", ("participants", "participants attendus", "nombre de participants")),
    Column(
        "home_visits", ("visites à domicile", "visites à domicile demandées", "nombre de visites à domicile")
    ),
)


def _request_row(row: Row, extras: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": _identifier(row, "id", required=False),
        "code_insee": row.insee("code_insee"),
        "venue": neutralise_formula(row.text("venue")),
        "weekdays": format_weekdays(row.weekdays("weekdays")),
        "blackout_dates": ";".join(d.isoformat() for d in sorted(row.dates("blackout_dates"))),
        "has_power": row.boolean("has_power", default=True),
        "expected_participants": row.integer("expected_participants", 0, 500),
        "home_visits": row.integer("home_visits", 0, 200) or 0,
    }
    for extra in extras:
        out[extra] = neutralise_formula(row.text(extra))
    return out


def read_requests_frame(path: str | Path | bytes | Any, filename: str | None = None) -> pd.DataFrame:
    """Read and validate a host-request file into a clean table.

    Columns (French names accepted, see :data:`REQUEST_SHEET_COLUMNS`): ``code_insee``
    (required), ``venue``, ``weekdays`` (``mar,ven``; blank = any day of the resource),
    ``blackout_dates`` (dates separated by ``;``, ``,`` or spaces), ``has_power`` (missing
    column or blank cell = yes), ``expected_participants`` (blank = estimate) and an optional
    ``id``. Other columns (contact…) are kept as neutralised text.

    Returns
    -------
    pandas.DataFrame
        One row per request, columns :data:`REQUEST_COLUMNS` then the extra ones;
        ``weekdays`` normalised (``"mar,ven"``), ``blackout_dates`` ISO joined by ``;``,
        ``has_power`` bool, ``expected_participants`` nullable ``Int64``.

    Raises
    ------
    InputError
        Located on the first bad cell, an empty file, a missing ``code_insee`` column or a
        duplicated ``id``.
    """
    sheet = read_sheet(path, REQUEST_SHEET_COLUMNS, filename=filename, json_key="requests")
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in sheet.rows:
        values = _request_row(row, sheet.extra)
        if values["id"]:
            if values["id"] in seen:
                raise row.error(f"identifiant « {values['id']} » en double", "id")
            seen.add(values["id"])
        row.call(lambda values=values: _host_request(values))
        rows.append(values)
    result = pd.DataFrame(rows, columns=[*REQUEST_COLUMNS, *sheet.extra])
    result["has_power"] = result["has_power"].astype(bool)
    result["expected_participants"] = result["expected_participants"].astype("Int64")
    result["home_visits"] = result["home_visits"].astype(int)
    return result.reset_index(drop=True)


def _host_request(row: Mapping[str, Any]) -> HostRequest:
    expected = row["expected_participants"]
    blackout = row["blackout_dates"]
    return HostRequest(
        code_insee=str(row["code_insee"]),
        venue=str(row["venue"]),
        weekdays=parse_weekdays(str(row["weekdays"])),
        blackout_dates=frozenset(date.fromisoformat(d) for d in str(blackout).split(";") if d),
        has_power=bool(row["has_power"]),
        expected_participants=None if expected is None or pd.isna(expected) else int(expected),
        id=str(row["id"]),
        home_visits=int(row.get("home_visits", 0) or 0),
    )


def load_requests(path: str | Path | bytes | Any, filename: str | None = None) -> tuple[HostRequest, ...]:
    """Read host requests (see :func:`read_requests_frame` for the columns)."""
    frame = read_requests_frame(path, filename)
    return tuple(_host_request(row) for row in frame.to_dict("records"))


# ----------------------------------------------------------------------------- locked sessions

#: Locked-session columns; the names of the plan's own « Séances » table (CSV and Excel exports)
#: are accepted, so an exported table of sessions re-imports.
SESSION_SHEET_COLUMNS: tuple[Column, ...] = (
    Column("series", ("parcours (id)", "parcours_id", "série", "parcours"), required=True),
    Column("index", ("séance n°", "n° de séance", "numéro de séance", "séance"), required=True),
    Column("resource", ("moyen (id)", "moyen_id", "ressource", "moyen"), required=True),
    Column("host", ("code INSEE", "code_insee", "hôte"), required=True),
    Column("date", ("date", "jour de la séance"), required=True),
    Column("start", ("début", "heure de début"), required=True),
    Column("end", ("fin", "heure de fin"), required=True),
    Column("locked", ("verrouillée", "verrou")),
    Column("uid", ("identifiant de séance", "identité")),
    Column("sequence", ("révision",)),
    Column("service", ("prestation",)),
)


def _session_service(row: Row) -> str:
    """The service of a session row (« parcours », « permanence », « domicile »; blank: parcours)."""
    text = row.text("service")
    if not text:
        return PARCOURS
    try:
        services = parse_services(text)
    except InputError as exc:
        raise row.error(exc.message, "service") from None
    if len(services) != 1:
        raise row.error(f"une séance n'a qu'une prestation, pas « {text} »", "service")
    return services[0]


def _session(row: Row) -> Session:
    index = row.integer("index", low=1, high=30)
    day = row.date("date")
    if index is None:
        raise row.error("numéro de séance manquant", "index")
    if day is None:
        raise row.error("date manquante", "date")
    fields = {
        "series": _identifier(row, "series"),
        "index": index,
        "resource": _identifier(row, "resource"),
        "host": row.insee("host"),
        "date": day,
        "start": _clock(row, "start"),
        "end": _clock(row, "end"),
        "uid": row.text("uid"),
        "sequence": row.integer("sequence", low=0, high=10_000) or 0,
        "service": _session_service(row),
    }
    if fields["end"] <= fields["start"]:
        raise row.error("la séance finit avant de commencer", "end")
    return row.call(lambda: Session(**fields, locked=True))


def load_locked_sessions(path: str | Path | bytes | Any, filename: str | None = None) -> tuple[Session, ...]:
    """Read the sessions that must not move.

    From a plan JSON (the format of :mod:`planner.plan_json`): its sessions marked
    ``"locked": true``. From a CSV or Excel file with columns ``series, index, resource, host,
    date, start, end`` (or the French headers of the plan's « Séances » table): every row, or
    only the rows whose ``locked`` cell says yes when that column is present. Every returned
    session has ``locked=True`` and keeps its identity (``uid``, ``sequence``) when the file has it.

    Raises
    ------
    InputError
        Located on the first bad cell, an empty file, a missing column, or the same
        ``(series, index)`` twice.
    """
    sheet = read_sheet(path, SESSION_SHEET_COLUMNS, filename=filename, json_key="sessions")
    sessions: list[Session] = []
    seen: set[tuple[str, int]] = set()
    for row in sheet.rows:
        if sheet.has_column("locked") and not row.boolean("locked"):
            continue
        session = _session(row)
        key = (session.series, session.index)
        if key in seen:
            raise row.error(f"séance {session.index} du parcours « {session.series} » en double", "index")
        seen.add(key)
        sessions.append(session)
    return tuple(sessions)


__all__ = [
    "REQUEST_SHEET_COLUMNS",
    "RESOURCE_COLUMNS",
    "RESOURCE_DEFAULTS",
    "SESSION_SHEET_COLUMNS",
    "default_resources",
    "load_locked_sessions",
    "load_requests",
    "load_resources",
    "neutralise_formula",
    "read_requests_frame",
]
