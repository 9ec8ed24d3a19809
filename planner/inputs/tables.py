"""User files for the optimiser: resources, host requests and locked sessions.

French spreadsheets come in many shapes: separator ``;`` or ``,`` (or tab), UTF-8 with or
without BOM or Windows-1252, column names in any case (``Code INSEE`` reads as
``code_insee``), times as ``9:00``, ``09:00`` or ``9h00``, dates as ISO ``2027-02-09`` or
``09/02/2027``, booleans as ``true/false``, ``oui/non``, ``vrai/faux`` or ``1/0``.

Every error is an :class:`~planner.errors.InputError` naming the file, the row (as a
spreadsheet shows it, header = row 1; for JSON, the 1-based position in the list) and the
column. A file is read whole or not at all: the first bad cell stops the import.

Free-text cells (venue, label, extra columns) are made harmless for spreadsheets with
:func:`neutralise_formula`; identifiers must be plain (letters, digits, ``_ . -``).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, time
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError
from planner.model import (
    RESOURCE_KINDS,
    HostRequest,
    Resource,
    Session,
    Territory,
    check_insee_code,
    format_weekdays,
    parse_weekdays,
)
from planner.territory.attendance import parse_public

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ID = re.compile(r"^\w[\w.\-]{0,63}$")
_TIME = re.compile(r"^(\d{1,2})\s*[:hH]\s*(\d{2})?(?::00)?$")
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TRUE = {"true", "vrai", "oui", "1", "yes", "o", "y", "x"}
_FALSE = {"false", "faux", "non", "0", "no", "n"}

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
RESOURCE_REQUIRED = ("id", "kind", "base")
REQUEST_COLUMNS = (
    "id",
    "code_insee",
    "venue",
    "weekdays",
    "blackout_dates",
    "has_power",
    "expected_participants",
)
REQUEST_REQUIRED = ("code_insee",)
SESSION_COLUMNS = ("series", "index", "resource", "host", "date", "start", "end")


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


class _Cells:
    """Typed access to one record's cells, raising located French errors."""

    def __init__(self, values: Mapping[str, str], file: str, row: int) -> None:
        self.values = values
        self.file = file
        self.row = row

    def error(self, message: str, column: str | None = None) -> InputError:
        return InputError(message, file=self.file, row=self.row, column=column)

    def text(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def identifier(self, column: str, required: bool = True) -> str:
        value = self.text(column)
        if not value and not required:
            return ""
        if not _ID.match(value):
            raise self.error(
                f"identifiant invalide : « {value} » (lettres, chiffres, « _ », « . » ou « - », sans espace)",
                column,
            )
        return value

    def free_text(self, column: str) -> str:
        return neutralise_formula(self.text(column))

    def insee(self, column: str) -> str:
        value = self.text(column).upper()
        if value.isdigit() and len(value) == 4:  # leading zero eaten by a spreadsheet
            value = "0" + value
        try:
            return check_insee_code(value)
        except InputError as exc:
            raise self.error(exc.message, column) from None

    def integer(self, column: str, low: int | None = None, high: int | None = None) -> int:
        value = self.text(column).replace("\u202f", "").replace(" ", "")
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            raise self.error(f"nombre entier attendu, lu « {value} »", column) from None
        if not number.is_integer():
            raise self.error(f"nombre entier attendu, lu « {value} »", column)
        result = int(number)
        if low is not None and result < low:
            raise self.error(f"valeur trop petite : {result} (minimum {low})", column)
        if high is not None and result > high:
            raise self.error(f"valeur trop grande : {result} (maximum {high})", column)
        return result

    def boolean(self, column: str, default: bool = False) -> bool:
        value = self.text(column).lower()
        if not value:
            return default
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise self.error(f"oui ou non attendu, lu « {value} »", column)

    def weekdays(self, column: str) -> tuple[int, ...]:
        try:
            return parse_weekdays(self.text(column))
        except InputError as exc:
            raise self.error(exc.message, column) from None

    def clock(self, column: str) -> time:
        value = self.text(column)
        match = _TIME.match(value)
        if match:
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            if hour < 24 and minute < 60:
                return time(hour, minute)
        raise self.error(f"heure invalide : « {value} » (attendu HH:MM, ex. 09:30)", column)

    def day(self, column: str, value: str | None = None) -> date:
        value = self.text(column) if value is None else value.strip()
        return _parse_date(value, lambda msg: self.error(msg, column))

    def days(self, column: str) -> frozenset[date]:
        tokens = [t for t in re.split(r"[;,\s]+", self.text(column)) if t]
        return frozenset(self.day(column, t) for t in tokens)

    def call(self, build: Callable[[], Any], column: str | None = None) -> Any:
        """Run a model constructor, locating its validation error on this row (and ``column``)."""
        try:
            return build()
        except InputError as exc:
            if exc.file:
                raise
            raise self.error(exc.message, column) from None


def _parse_date(value: str, error: Callable[[str], InputError]) -> date:
    match = _FR_DATE.match(value)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date.fromisoformat(value)
    except ValueError:
        raise error(f"date invalide : « {value} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)") from None


# ----------------------------------------------------------------------------- tables


def _normalise_column(name: Any) -> str:
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _decode(raw: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("encodage illisible (UTF-8 ou Windows-1252 attendu)", file=name)


def _read_text(path: str | Path) -> tuple[str, str]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("fichier introuvable", file=p.name) from None
    except OSError as exc:
        raise InputError(f"fichier illisible ({exc.strerror})", file=p.name) from None
    text = _decode(raw, p.name)
    if not text.strip():
        raise InputError("le fichier est vide", file=p.name)
    return text, p.name


def _separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_frame(text: str, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    """All cells as stripped text; index = spreadsheet row number; blank rows dropped."""
    sep = _separator(text.lstrip("\ufeff").splitlines()[0])
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            quotechar='"',
        )
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise InputError(
            "nombre de cellules incorrect (une valeur contenant le séparateur doit être entre guillemets)",
            file=name,
            row=int(found.group(1)) if found else None,
        ) from None
    frame.columns = [_normalise_column(c) for c in frame.columns]
    frame = frame.fillna("").astype(str).apply(lambda col: col.str.strip())
    # a trailing separator (common in spreadsheet exports) adds an unnamed, empty column
    unnamed = [c for c in frame.columns if c.startswith("unnamed:") and not frame[c].astype(bool).any()]
    frame = frame.drop(columns=unnamed)
    _check_columns(frame, name, required)
    frame.index = frame.index + 2
    return frame[(frame != "").any(axis=1)]


def _check_columns(frame: pd.DataFrame, name: str, required: tuple[str, ...]) -> None:
    columns = list(frame.columns)
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise InputError("colonne en double", file=name, column=duplicated[0])
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(
            f"colonne obligatoire absente (colonnes attendues : {', '.join(required)})",
            file=name,
            column=missing[0],
        )


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(_json_cell(v) for v in value)
    return str(value)


def _json_frame(text: str, name: str, key: str, required: tuple[str, ...]) -> pd.DataFrame:
    """A JSON list of objects (or ``{key: [...]}``) as a text frame indexed 1, 2, …"""
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON invalide (ligne {exc.lineno}) : {exc.msg}", file=name) from None
    if isinstance(data, dict):
        data = data.get(key)
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise InputError(f'une liste d\'objets (ou {{"{key}": [...]}}) est attendue', file=name)
    records = [{_normalise_column(k): _json_cell(v).strip() for k, v in x.items()} for x in data]
    columns = list(dict.fromkeys(k for r in records for k in r)) or list(required)
    frame = pd.DataFrame(records, columns=columns, dtype=str).fillna("")
    _check_columns(frame, name, required)
    frame.index = range(1, len(frame) + 1)
    return frame


def _table(path: str | Path, key: str, required: tuple[str, ...]) -> tuple[pd.DataFrame, str]:
    text, name = _read_text(path)
    if Path(path).suffix.lower() == ".json" or text.lstrip("\ufeff").lstrip().startswith(("[", "{")):
        return _json_frame(text, name, key, required), name
    return _csv_frame(text, name, required), name


def _records(frame: pd.DataFrame, name: str) -> Iterator[_Cells]:
    for row, values in zip(frame.index, frame.to_dict("records"), strict=True):
        yield _Cells(values, name, int(row))


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


def _resource(cells: _Cells) -> Resource:
    kind = cells.text("kind").lower()
    if kind not in RESOURCE_KINDS:
        raise cells.error(f"type de moyen inconnu « {kind} » (attendu : bus ou team)", "kind")
    filled = {k: cells.text(k) or v for k, v in RESOURCE_DEFAULTS[kind].items()}
    cells = _Cells({**cells.values, **filled}, cells.file, cells.row)
    fields = {
        "id": cells.identifier("id"),
        "kind": kind,
        "seats": cells.integer("seats", low=1, high=200),
        "base": cells.insee("base"),
        "weekdays": cells.weekdays("weekdays"),
        "day_start": cells.clock("day_start"),
        "day_end": cells.clock("day_end"),
        "max_sessions_per_day": cells.integer("max_sessions_per_day", low=1, high=12),
        "session_minutes": cells.integer("session_minutes", low=30, high=600),
        "needs_power": cells.boolean("needs_power"),
        "label": cells.free_text("label"),
        "public": cells.call(lambda: parse_public(cells.text("public")), "public"),
    }
    if not fields["weekdays"]:
        raise cells.error("au moins un jour de travail est attendu (ex. mar,ven)", "weekdays")
    return cells.call(lambda: Resource(**fields))


def load_resources(path: str | Path) -> tuple[Resource, ...]:
    """Read the itinerant resources from a CSV or JSON file.

    Columns: ``id``, ``kind`` (``bus`` or ``team``), ``base`` (INSEE code) are required;
    ``seats``, ``weekdays`` (``mar,ven``), ``day_start``, ``day_end`` (HH:MM),
    ``max_sessions_per_day``, ``session_minutes``, ``needs_power``, ``label`` and ``public``
    (``general``, ``isolated`` or ``young``, or in French ``tous``, ``aînés isolés``,
    ``jeunes``: :mod:`planner.territory.attendance`) are optional, a missing column or blank cell
    taking the kind's default (:data:`RESOURCE_DEFAULTS`: bus 12 seats, 2 × 180 min, power;
    team 8 seats, 3 × 120 min, no power; the general public).
    JSON: a list of objects with the same keys, or ``{"resources": [...]}``.

    Raises
    ------
    InputError
        Located on the first bad cell; also for an empty file, a missing column, a file
        with no resource and a duplicated ``id``.
    """
    frame, name = _table(path, "resources", RESOURCE_REQUIRED)
    resources: list[Resource] = []
    seen: set[str] = set()
    for cells in _records(frame, name):
        resource = _resource(cells)
        if resource.id in seen:
            raise cells.error(f"identifiant « {resource.id} » en double", "id")
        seen.add(resource.id)
        resources.append(resource)
    if not resources:
        raise InputError("aucun moyen itinérant dans le fichier", file=name)
    return tuple(resources)


# ----------------------------------------------------------------------------- requests


def _request_row(cells: _Cells, columns: list[str]) -> dict[str, Any]:
    expected = cells.text("expected_participants")
    weekdays = cells.weekdays("weekdays")
    row: dict[str, Any] = {
        "id": cells.identifier("id", required=False),
        "code_insee": cells.insee("code_insee"),
        "venue": cells.free_text("venue"),
        "weekdays": format_weekdays(weekdays),
        "blackout_dates": ";".join(d.isoformat() for d in sorted(cells.days("blackout_dates"))),
        "has_power": cells.boolean("has_power", default=True),
        "expected_participants": cells.integer("expected_participants", 0, 500) if expected else None,
    }
    for extra in columns:
        if extra not in row:
            row[extra] = cells.free_text(extra)
    return row


def read_requests_frame(path: str | Path) -> pd.DataFrame:
    """Read and validate a host-request file into a clean table.

    Columns: ``code_insee`` (required), ``venue``, ``weekdays`` (``mar,ven``; blank = any
    day of the resource), ``blackout_dates`` (ISO or JJ/MM/AAAA, separated by ``;``, ``,``
    or spaces), ``has_power`` (missing column or blank cell = yes), ``expected_participants`` (blank =
    estimate) and an optional ``id``. Other columns (contact…) are kept as neutralised text.

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
    frame, name = _table(path, "requests", REQUEST_REQUIRED)
    columns = list(frame.columns)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for cells in _records(frame, name):
        row = _request_row(cells, columns)
        if row["id"]:
            if row["id"] in seen:
                raise cells.error(f"identifiant « {row['id']} » en double", "id")
            seen.add(row["id"])
        cells.call(lambda row=row: _host_request(row))
        rows.append(row)
    extras = [c for c in columns if c not in REQUEST_COLUMNS]
    result = pd.DataFrame(rows, columns=[*REQUEST_COLUMNS, *extras])
    result["has_power"] = result["has_power"].astype(bool)
    result["expected_participants"] = result["expected_participants"].astype("Int64")
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
    )


def load_requests(path: str | Path) -> tuple[HostRequest, ...]:
    """Read host requests (see :func:`read_requests_frame` for the columns)."""
    frame = read_requests_frame(path)
    return tuple(_host_request(row) for row in frame.to_dict("records"))


# ----------------------------------------------------------------------------- locked sessions


def _session(cells: _Cells) -> Session:
    fields = {
        "series": cells.identifier("series"),
        "index": cells.integer("index", low=1, high=30),
        "resource": cells.identifier("resource"),
        "host": cells.insee("host"),
        "date": cells.day("date"),
        "start": cells.clock("start"),
        "end": cells.clock("end"),
    }
    if fields["end"] <= fields["start"]:
        raise cells.error("la séance finit avant de commencer", "end")
    return cells.call(lambda: Session(**fields, locked=True))


def load_locked_sessions(path: str | Path) -> tuple[Session, ...]:
    """Read the sessions that must not move.

    From a plan JSON (the format of :mod:`planner.plan_json`): its sessions marked
    ``"locked": true``. From a CSV with columns ``series, index, resource, host, date,
    start, end``: every row, or only the rows whose ``locked`` cell says yes when that
    column is present. Every returned session has ``locked=True``.

    Raises
    ------
    InputError
        Located on the first bad cell, an empty file, a missing column, or the same
        ``(series, index)`` twice.
    """
    frame, name = _table(path, "sessions", SESSION_COLUMNS)
    sessions: list[Session] = []
    seen: set[tuple[str, int]] = set()
    for cells in _records(frame, name):
        if "locked" in frame.columns and not cells.boolean("locked"):
            continue
        session = _session(cells)
        key = (session.series, session.index)
        if key in seen:
            raise cells.error(f"séance {session.index} du parcours « {session.series} » en double", "index")
        seen.add(key)
        sessions.append(session)
    return tuple(sessions)


__all__ = [
    "RESOURCE_DEFAULTS",
    "default_resources",
    "load_locked_sessions",
    "load_requests",
    "load_resources",
    "neutralise_formula",
    "read_requests_frame",
]
