"""The one tolerant reader of spreadsheets: every import goes through :func:`read_sheet`.

French spreadsheets are normal input. A file may be:

- CSV separated by ``;``, ``,`` or tabs, in UTF-8 (with or without BOM), UTF-16 (Excel's
  « texte Unicode ») or Windows-1252; ``.xlsx`` (the first sheet holding the header); JSON (a
  list of objects, or ``{"key": [...]}``);
- with a title row or notes above the header (the header is the first of the first
  :data:`HEADER_SCAN_ROWS` lines naming every required column);
- with headers in French, any case, accents and spaces (« Code INSEE », « Commune »,
  « Jours possibles ») — each :class:`Column` lists its names;
- with decimal commas and thousands separators (« 1 234,5 », « 1.234,5 »), real Excel date and
  time cells, dates written ``09/02/2027``, ``9/2/27``, ``2027-02-09`` or ``9 février 2027``, times
  ``9:30``, ``09:30:00``, ``9h30`` or ``9 h``, yes/no as ``oui/non``, ``vrai/faux``, ``x``, ``1/0``;
- with INSEE codes whose leading zero a spreadsheet ate (checked against the COG,
  :func:`planner.inputs.cog.commune_code`).

Every refusal is an :class:`~planner.errors.InputError` in French naming the file, the line as
the spreadsheet shows it (for JSON: the element's position) and the column as written in the
file. A file is read whole or refused whole.

Typical use::

    sheet = read_sheet(path, COLUMNS)
    for row in sheet.rows:
        code = row.insee("code_insee")
        day = row.date("date")
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from planner.errors import InputError
from planner.inputs.cog import commune_code
from planner.model import parse_weekdays

HEADER_SCAN_ROWS = 20
MAX_ROWS = 100_000
SEPARATORS = (";", ",", "\t")
TRUE_WORDS = frozenset({"oui", "o", "vrai", "true", "yes", "y", "x", "1"})
FALSE_WORDS = frozenset({"non", "n", "faux", "false", "no", "0"})
_MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip
_WEEKDAY_WORDS = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\.?\s+"
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_WORD_DATE = re.compile(rf"^(?:{_WEEKDAY_WORDS})?(\d{{1,2}})(?:er)?\s+([a-zéû]+)\.?\s+(\d{{4}})$")
_TIME = re.compile(r"^(\d{1,2})\s*(?::|h|H)\s*(\d{2})?(?::(\d{2}))?$|^(\d{1,2})\s*[hH]$")


def column_key(name: Any) -> str:
    """A header as a key: accents, case, spaces and punctuation removed (« Code INSEE » → ``code_insee``)."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@dataclass(frozen=True)
class Column:
    """A column an import understands.

    Parameters
    ----------
    key
        The name the code uses (``code_insee``); it is also accepted as a header.
    names
        Other headers meaning the same column (« Code INSEE », « insee », « codgeo »…), in any
        case, with or without accents.
    required
        The header must name it.

    The first of ``names`` is how messages name the column.
    """

    key: str
    names: tuple[str, ...] = ()
    required: bool = False

    @property
    def label(self) -> str:
        """How messages name the column: its first French name, else its key."""
        return self.names[0] if self.names else self.key

    def header_keys(self) -> tuple[str, ...]:
        """Every header key that names this column."""
        return tuple(dict.fromkeys(column_key(n) for n in (self.key, *self.names)))


# --------------------------------------------------------------------------------------- cells


def is_blank(value: Any) -> bool:
    """True for an empty cell (``None``, empty or blank text, NaN)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates ISO, blanks empty."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).replace("\u00a0", " ").strip()


def parse_number(value: Any) -> float:
    """A number from a cell: ``1 234,5``, ``1.234,5``, ``1,234.5``, ``12,5``, ``-3`` or a numeric cell.

    Raises
    ------
    ValueError
        With a French message when the cell is not a number.
    """
    if isinstance(value, bool):
        raise ValueError(f"nombre attendu, lu « {cell_text(value)} »")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"nombre attendu, lu « {value} »")
        return float(value)
    raw = cell_text(value)
    text = re.sub(r"[\s\u202f\u00a0']", "", raw)
    if "," in text and "." in text:
        # the separator written last is the decimal one: 1.234,5 (French) or 1,234.5 (English)
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
        raise ValueError(f"nombre attendu, lu « {raw} »")
    return float(text)


def parse_date(value: Any) -> date:
    """A date from a cell: a real Excel date, ``09/02/2027``, ``9/2/27``, ``2027-02-09``, ``9 février 2027``.

    Raises
    ------
    ValueError
        With a French message naming what was read.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = cell_text(value)
    text = raw.lower()
    try:
        if m := _NUMERIC_DATE.match(text):
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            return date(year + 2000 if year < 100 else year, month, day)
        if m := _ISO_DATE.match(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        if (m := _WORD_DATE.match(plain)) and m.group(2) in _MONTHS:
            return date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
    except ValueError:
        pass
    raise ValueError(f"date invalide : « {raw} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ, ex. 09/02/2027)")


def parse_time(value: Any) -> time:
    """A clock time from a cell: a real Excel time, ``9:30``, ``09:30:00``, ``9h30``, ``9 h``.

    Raises
    ------
    ValueError
        With a French message; seconds other than ``:00`` are refused (a slot starts on a minute).
    """
    if isinstance(value, datetime):
        value = value.time()
    if isinstance(value, time):
        if value.second or value.microsecond:
            raise ValueError(f"heure invalide : « {value.isoformat()} » (attendu HH:MM, ex. 09:30)")
        return value.replace(tzinfo=None)
    if isinstance(value, float) and 0 <= value < 1:  # an Excel time stored as a fraction of a day
        minutes = round(value * 24 * 60)
        return time(minutes // 60, minutes % 60)
    raw = cell_text(value)
    m = _TIME.match(raw.replace(" ", "") if raw else "")
    if m:
        hour = int(m.group(1) or m.group(4))
        minute = int(m.group(2) or 0)
        if hour < 24 and minute < 60 and (m.group(3) in (None, "00")):
            return time(hour, minute)
    raise ValueError(f"heure invalide : « {raw} » (attendu HH:MM, ex. 09:30)")


def parse_bool(value: Any) -> bool:
    """Yes or no from a cell (``oui``/``non``, ``vrai``/``faux``, ``x``, ``1``/``0``, a real boolean)."""
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"oui ou non attendu, lu « {cell_text(value)} »")


def looks_like_formula(value: Any) -> bool:
    """True for a text cell that a spreadsheet would run (``=…``, ``@…``; ``+``/``-`` not followed by a number)."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text.startswith(("=", "@")):
        return True
    return text.startswith(("+", "-")) and not re.fullmatch(r"[+-][\d\s.,]*", text)


# --------------------------------------------------------------------------------------- rows


@dataclass
class Row:
    """One data row: its cells by column key, and typed accessors raising located French errors.

    ``line`` is the line as the spreadsheet shows it (header line included; for JSON, the
    element's 1-based position).
    """

    file: str
    line: int
    cells: dict[str, Any]
    headers: Mapping[str, str]

    def error(self, message: str, key: str | None = None) -> InputError:
        """An :class:`InputError` located on this row and the column ``key`` (named as in the file)."""
        column = None if key is None else self.headers.get(key, key)
        return InputError(message, file=self.file, row=self.line, column=column)

    def _parse(self, key: str, parser: Callable[[Any], Any]) -> Any:
        try:
            return parser(self.cells.get(key))
        except ValueError as exc:
            raise self.error(str(exc), key) from None

    def raw(self, key: str) -> Any:
        """The cell as read (text, number, date, time, boolean or ``None``)."""
        return self.cells.get(key)

    def has(self, key: str) -> bool:
        """True when the column exists and the cell is not blank."""
        return not is_blank(self.cells.get(key))

    def text(self, key: str) -> str:
        """The cell as stripped text (``""`` when blank or absent)."""
        return cell_text(self.cells.get(key))

    def number(self, key: str) -> float | None:
        """The cell as a number, ``None`` when blank."""
        return None if not self.has(key) else self._parse(key, parse_number)

    def integer(self, key: str, low: int | None = None, high: int | None = None) -> int | None:
        """The cell as a whole number within ``[low, high]``, ``None`` when blank."""
        if not self.has(key):
            return None
        try:
            number = parse_number(self.cells.get(key))
        except ValueError:
            raise self.error(f"nombre entier attendu, lu « {self.text(key)} »", key) from None
        if not float(number).is_integer():
            raise self.error(f"nombre entier attendu, lu « {self.text(key)} »", key)
        result = int(number)
        if low is not None and result < low:
            raise self.error(f"valeur trop petite : {result} (minimum {low})", key)
        if high is not None and result > high:
            raise self.error(f"valeur trop grande : {result} (maximum {high})", key)
        return result

    def date(self, key: str) -> date | None:
        """The cell as a date, ``None`` when blank."""
        return None if not self.has(key) else self._parse(key, parse_date)

    def dates(self, key: str) -> frozenset[date]:
        """Several dates in one cell, separated by ``;``, ``,``, spaces or new lines."""
        value = self.cells.get(key)
        if is_blank(value):
            return frozenset()
        if isinstance(value, date | datetime):
            return frozenset({parse_date(value)})
        tokens = [t for t in re.split(r"[;,\s]+", cell_text(value)) if t]
        return frozenset(self._parse(key, lambda _v, t=t: parse_date(t)) for t in tokens)

    def time(self, key: str) -> time | None:
        """The cell as a clock time, ``None`` when blank."""
        return None if not self.has(key) else self._parse(key, parse_time)

    def boolean(self, key: str, default: bool = False) -> bool:
        """The cell as yes/no, ``default`` when blank or absent."""
        return default if not self.has(key) else self._parse(key, parse_bool)

    def insee(self, key: str) -> str:
        """The cell as an INSEE commune code checked against the COG (leading zero restored)."""
        if not self.has(key):
            raise self.error("code INSEE manquant", key)
        return self._parse(key, commune_code)

    def weekdays(self, key: str) -> tuple[int, ...]:
        """Weekdays (``mar,ven``, ``mardi; vendredi``) as numbers 0 (Monday) … 6."""
        try:
            return parse_weekdays(self.text(key))
        except InputError as exc:
            raise self.error(exc.message, key) from None

    def call(self, build: Callable[[], Any]) -> Any:
        """Run a constructor that validates (a model object), locating its error on this row."""
        try:
            return build()
        except InputError as exc:
            if exc.file:
                raise
            raise self.error(exc.message, None) from None


@dataclass
class Sheet:
    """A table read from a file: which line held the header, the columns found, the data rows.

    ``headers`` maps every column key found to the header as written; ``extra`` lists the keys
    of columns no :class:`Column` asked for, in file order.
    """

    file: str
    header_line: int | None
    headers: dict[str, str]
    extra: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def has_column(self, key: str) -> bool:
        """True when the file has the column ``key``."""
        return key in self.headers


# --------------------------------------------------------------------------------------- files


def _read_bytes(source: Any, filename: str) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if hasattr(source, "read"):
        data = source.read()
        if hasattr(source, "seek"):
            source.seek(0)
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    path = Path(source)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("fichier introuvable", file=filename) from None
    except IsADirectoryError:
        raise InputError("un fichier est attendu, pas un dossier", file=filename) from None
    except OSError as exc:
        raise InputError(f"fichier illisible ({exc.strerror})", file=filename) from None


def decode_text(data: bytes, filename: str) -> str:
    """Text of a CSV or JSON file: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(
                "encodage UTF-16 illisible : enregistrez le fichier en CSV UTF-8", file=filename
            ) from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(
            "fichier binaire ou encodage non reconnu : enregistrez-le en CSV (UTF-8 ou Windows-1252) ou en .xlsx",
            file=filename,
            row=line,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    bad = re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]", text)
    if bad:
        raise InputError(
            "encodage non reconnu : enregistrez le fichier en CSV UTF-8 ou Windows-1252",
            file=filename,
            row=text[: bad.start()].count("\n") + 1,
        )
    return text


def _csv_grid(text: str, sep: str, filename: str) -> list[tuple[int, list[Any]]]:
    """``(line, cells)`` of a CSV text; the line counts physical lines (quoted new lines included)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    grid = []
    try:
        for cells in reader:
            grid.append((reader.line_num, cells))
    except csv.Error as exc:
        raise InputError(
            f"CSV illisible ({'guillemet non fermé' if 'quote' in str(exc) else 'format inattendu'})",
            file=filename,
            row=reader.line_num,
        ) from None
    # a row spanning several physical lines starts where the previous one ended
    return [(grid[i - 1][0] + 1 if i else 1, cells) for i, (_, cells) in enumerate(grid)]


class _Formula(str):
    """An Excel formula cell (its text): refused when it lies in the data."""


def _xlsx_grids(data: bytes, filename: str) -> list[list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        raise InputError("classeur Excel illisible (fichier .xlsx attendu)", file=filename) from None
    grids = []
    try:
        for sheet in book.worksheets:
            grid = []
            for r_index, row in enumerate(sheet.iter_rows(), start=1):
                cells = []
                for cell in row:
                    value = cell.value
                    if getattr(cell, "data_type", None) == "f":  # a text cell "=…" is text, not a formula
                        value = _Formula(value)  # refused where it matters: below the header
                    cells.append(value)
                grid.append((r_index, cells))
            grids.append(grid)
    finally:
        book.close()
    return grids


def _json_grid(text: str, filename: str, json_key: str | None) -> list[tuple[int, list[Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON invalide (ligne {exc.lineno}) : {exc.msg}", file=filename) from None
    if isinstance(data, dict) and json_key:
        data = data.get(json_key)
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        expected = f' (ou {{"{json_key}": [...]}})' if json_key else ""
        raise InputError(f"une liste d'objets{expected} est attendue", file=filename)
    header = list(dict.fromkeys(k for x in data for k in x))

    def cell(v: Any) -> Any:
        if isinstance(v, list | tuple):
            return ",".join(cell_text(x) for x in v)
        return v

    return [(0, header)] + [(i, [cell(x.get(k)) for k in header]) for i, x in enumerate(data, start=1)]


def _find_header(
    grid: Sequence[tuple[int, list[Any]]], columns: Sequence[Column]
) -> tuple[int | None, dict[str, int], list[str], int | None]:
    """Position in ``grid`` of the header, its known columns (key → index), what is missing, and
    (when no row is the header) the line of the row that came closest.

    The header is the first of the first non-empty rows naming every required column; when none
    does, the row naming the most known columns tells what is missing.
    """
    best: tuple[int, int | None, dict[str, int], list[str]] = (
        0,
        None,
        {},
        [c.key for c in columns if c.required],
    )
    seen = 0
    for position, (_, cells) in enumerate(grid):
        if all(is_blank(c) for c in cells):
            continue
        seen += 1
        if seen > HEADER_SCAN_ROWS:
            break
        keys = [column_key(cell_text(c)) for c in cells]
        found: dict[str, int] = {}
        for column in columns:
            for index, key in enumerate(keys):
                if key and key in column.header_keys():
                    found.setdefault(column.key, index)
        missing = [c.key for c in columns if c.required and c.key not in found]
        if not missing:
            return position, found, [], None
        if len(found) > best[0]:
            best = (len(found), position, found, missing)
    closest = None if best[1] is None else grid[best[1]][0] or None
    return None, best[2], best[3], closest


def _choose_csv_grid(text: str, columns: Sequence[Column], filename: str) -> list[tuple[int, list[Any]]]:
    """The CSV parsed with the separator under which the header reads best."""
    head = "\n".join(text.splitlines()[: HEADER_SCAN_ROWS * 3])
    scores = []
    for sep in SEPARATORS:
        grid = _csv_grid(head, sep, filename)
        position, found, _, _ = _find_header(grid, columns)
        count = head.count(sep)
        scores.append((position is not None, len(found), count, sep))
    sep = max(scores)[3] if any(s[2] for s in scores) else ";"
    return _csv_grid(text, sep, filename)


def read_sheet(
    source: str | Path | bytes | Any,
    columns: Sequence[Column],
    *,
    filename: str | None = None,
    json_key: str | None = None,
    max_rows: int = MAX_ROWS,
) -> Sheet:
    """Read a CSV, ``.xlsx`` or JSON file into rows keyed by ``columns``.

    Parameters
    ----------
    source
        A path, raw bytes, or a binary file object (an upload).
    columns
        The columns the import understands; headers are matched by :meth:`Column.header_keys`.
    filename
        The name shown in messages (default: the path's name or the upload's ``name``); its
        extension helps tell CSV from JSON.
    json_key
        For JSON, the key holding the list when the file is an object (``{"resources": [...]}``).
    max_rows
        Largest number of data rows accepted.

    Returns
    -------
    Sheet
        The data rows (blank rows skipped), each cell as read: text for CSV and JSON strings;
        numbers, dates, times and booleans as the ``.xlsx`` or JSON file typed them.

    Raises
    ------
    InputError
        Empty or unreadable file, old ``.xls``, formula cell, no header naming the required
        columns, a column twice, a row with more cells than the header, too many rows.
    """
    name = (
        filename
        or getattr(source, "name", None)
        or (Path(source).name if isinstance(source, str | Path) else "fichier")
    )
    name = Path(str(name)).name
    data = _read_bytes(source, name)
    if not data.strip():
        raise InputError("le fichier est vide", file=name)
    lower = name.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("ancien format Excel (.xls) : enregistrez le classeur en .xlsx ou en CSV", file=name)
    if data.startswith(b"PK") or lower.endswith((".xlsx", ".xlsm")):
        grids = _xlsx_grids(data, name)
    else:
        text = decode_text(data, name)
        if not text.strip():
            raise InputError("le fichier est vide", file=name)
        if lower.endswith(".json") or text.lstrip().startswith(("[", "{")):
            grids = [_json_grid(text, name, json_key)]
        else:
            grids = [_choose_csv_grid(text, columns, name)]
    grids = [g for g in grids if any(not all(is_blank(c) for c in cells) for _, cells in g)] or grids
    position, missing, closest, grid = None, [c.key for c in columns if c.required], None, grids[0]
    for candidate in grids:
        position, _, missing, closest = _find_header(candidate, columns)
        if position is not None:
            grid = candidate
            break
    if not any(not all(is_blank(c) for c in cells) for _, cells in grid):
        raise InputError("le fichier est vide", file=name)
    if position is None:
        names = ", ".join(c.label for c in columns if c.required)
        raise InputError(
            f"colonne obligatoire absente (colonnes obligatoires : {names} ; l'en-tête est cherché dans "
            f"les {HEADER_SCAN_ROWS} premières lignes non vides)",
            file=name,
            row=closest,
            column=missing[0] if missing else None,
        )
    return _rows(grid, position, columns, name, max_rows)


def _rows(
    grid: Sequence[tuple[int, list[Any]]], position: int, columns: Sequence[Column], name: str, max_rows: int
) -> Sheet:
    header_line, header_cells = grid[position]
    written = [cell_text(c) for c in header_cells]
    keys = [column_key(c) for c in written]
    by_key = {k: c.key for c in columns for k in c.header_keys()}
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    extra: list[str] = []
    for i, key in enumerate(keys):
        if not key:
            continue
        target = by_key.get(key, key)
        if target in index:
            raise InputError(
                f"colonne en double dans l'en-tête (« {headers[target]} » et « {written[i]} »)",
                file=name,
                row=header_line or None,
                column=written[i],
            )
        index[target] = i
        headers[target] = written[i]
        if target not in {c.key for c in columns}:
            extra.append(target)
    width = max(index.values(), default=-1) + 1
    rows: list[Row] = []
    for line, cells in grid[position + 1 :]:
        if all(is_blank(c) for c in cells):
            continue
        if any(not is_blank(c) for c in cells[max(width, len(written)) :]):
            raise InputError(
                "nombre de cellules incorrect : plus de valeurs que de colonnes (une valeur contenant "
                "le séparateur doit être entre guillemets)",
                file=name,
                row=line,
            )
        if len(rows) >= max_rows:
            raise InputError(f"trop de lignes : {max_rows} au plus", file=name)
        for i, value in enumerate(cells):
            if isinstance(value, _Formula):
                raise InputError(
                    "cellule contenant une formule : collez des valeurs (Collage spécial → Valeurs)",
                    file=name,
                    row=line,
                    column=written[i] if i < len(written) and written[i] else None,
                )
        values = {key: (cells[i] if i < len(cells) else None) for key, i in index.items()}
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
        rows.append(Row(name, line, values, headers))
    return Sheet(name, header_line or None, headers, extra, rows)


__all__ = [
    "Column",
    "Row",
    "Sheet",
    "cell_text",
    "column_key",
    "decode_text",
    "is_blank",
    "looks_like_formula",
    "parse_bool",
    "parse_date",
    "parse_number",
    "parse_time",
    "read_sheet",
]
