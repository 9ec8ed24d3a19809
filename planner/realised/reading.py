"""Reading the cells of an import file (xlsx or CSV) — the only file-reading code of the package.

Kept small and apart on purpose: the project's common tolerant reader (``planner/inputs``) will
replace it. A file becomes a tuple of :class:`Sheet` (xlsx: every sheet, cells as openpyxl
gives them, dates as ``datetime``; CSV: one sheet of text cells, UTF-8 or Windows-1252, ``;``
``,`` or tab, quoted cells may hold line breaks). The cell helpers turn a cell into a date, a
whole number or a clock time, or raise :class:`~planner.errors.InputError` naming file, line
(as a spreadsheet shows it) and column.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from planner.errors import InputError
from planner.inputs.sheet import decode_text as _decode  # the one decoder of imports

_EXCEL_EPOCH = date(1899, 12, 30)
_FR_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_TIME = re.compile(r"^(\d{1,2})\s*[:hH]\s*(\d{2})?(?::\d{2})?$")


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name and its rows of cells (``None`` or ``""`` for an empty cell)."""

    name: str
    rows: tuple[tuple[Any, ...], ...]


def _csv_sheet(raw: bytes, name: str) -> Sheet:
    text = _decode(raw, name)
    first = text.splitlines()[0] if text.strip() else ""
    sep = max((";", ",", "\t"), key=first.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep if first.count(sep) else ",")
    return Sheet(name, tuple(tuple(row) for row in rows))


def read_sheets(path: str | Path) -> tuple[Sheet, ...]:
    """Every sheet of an ``.xlsx`` file, or the one sheet of a CSV file.

    Raises
    ------
    InputError
        Missing, unreadable, empty or old-Excel (``.xls``) file.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("fichier introuvable", file=p.name) from None
    except OSError as exc:
        raise InputError(f"fichier illisible ({exc.strerror})", file=p.name) from None
    if not raw.strip():
        raise InputError("le fichier est vide", file=p.name)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            "ancien format Excel (.xls) : enregistrez le fichier en .xlsx ou en CSV", file=p.name
        )
    if not raw.startswith(b"PK"):
        return (_csv_sheet(raw, p.name),)
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"classeur Excel illisible ({exc})", file=p.name) from None
    sheets = []
    try:
        for ws in book:
            ws.reset_dimensions()  # some exporters write a wrong size: read every row there is
            sheets.append(Sheet(ws.title, tuple(tuple(r) for r in ws.iter_rows(values_only=True))))
        return tuple(sheets)
    finally:
        book.close()


def header_key(text: Any) -> str:
    """A column name reduced for comparison: no accents, lower case, straight apostrophes.

    ``"Tranche d’âge du bénéficiaire"`` → ``"tranche d'age du beneficiaire"``.
    """
    folded = unicodedata.normalize("NFKD", cell_text(text).replace("’", "'")).encode("ascii", "ignore")
    return " ".join(folded.decode().lower().split())


def find_header(sheet: Sheet, required: Sequence[Sequence[str]], file: str) -> int:
    """Index of the first row holding, for each group of ``required``, one of its column names.

    Names are keys of :func:`header_key`; a group lists the accepted spellings of one column,
    the usual one first (the one an error message names).
    Rows above the header (title, export metadata, filters, blank rows) are ignored.
    """
    for i, row in enumerate(sheet.rows):
        keys = {header_key(c) for c in row}
        if all(keys & set(group) for group in required):
            return i
    wanted = ", ".join(f"« {group[0]} »" for group in required)
    raise InputError(f"ligne d'en-tête introuvable (colonnes attendues : {wanted})", file=file)


def cell_text(value: Any) -> str:
    """A cell as stripped text (``""`` when empty); whole floats lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\u00a0", " ").strip()


def cell_lines(value: Any) -> list[str]:
    """The lines of a multi-line cell (line breaks inside the cell), blank lines dropped."""
    return [line.strip() for line in re.split(r"\r\n|\r|\n", cell_text(value)) if line.strip()]


@dataclass(frozen=True)
class Where:
    """Where a cell is, to locate errors: file, spreadsheet line, column."""

    file: str
    row: int
    column: str

    def error(self, message: str) -> InputError:
        """An :class:`InputError` located here."""
        return InputError(message, file=self.file, row=self.row, column=self.column)


def cell_date(value: Any, where: Where) -> date:
    """A date from an Excel date, an Excel serial number, ``JJ/MM/AAAA`` or ``AAAA-MM-JJ``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = cell_text(value).split(" ")[0]
    try:
        if m := _FR_DATE.match(text):
            year = int(m.group(3))
            return date(year + 2000 if year < 100 else year, int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(text)
    except ValueError:
        raise where.error(f"date invalide : « {cell_text(value)} » (attendu JJ/MM/AAAA)") from None


def cell_int(value: Any, where: Where, low: int = 0, high: int = 500) -> int:
    """A whole number between ``low`` and ``high`` (``"12"``, ``12.0``, ``"1 200"``)."""
    text = cell_text(value).replace(" ", "").replace("\u202f", "").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise where.error(f"nombre entier attendu, lu « {cell_text(value)} »") from None
    if not number.is_integer() or not low <= number <= high:
        raise where.error(f"nombre entier entre {low} et {high} attendu, lu « {cell_text(value)} »")
    return int(number)


def cell_time(value: Any, where: Where) -> time | None:
    """A clock time (``9:30``, ``09h30``, ``9h``, an Excel time), ``None`` when empty."""
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:  # an Excel time as a fraction of a day
        minutes = round(value * 24 * 60)
        return time(minutes // 60, minutes % 60)
    text = cell_text(value)
    if not text:
        return None
    if (m := _TIME.match(text)) and int(m.group(1)) < 24 and int(m.group(2) or 0) < 60:
        return time(int(m.group(1)), int(m.group(2) or 0))
    raise where.error(f"heure invalide : « {text} » (attendu HH:MM, ex. 09:30)")


def column_index(header: Sequence[Any], names: Collection[str]) -> int | None:
    """Position of the first column whose :func:`header_key` is in ``names`` (``None`` if absent)."""
    for i, cell in enumerate(header):
        if header_key(cell) in names:
            return i
    return None
