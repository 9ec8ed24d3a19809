"""CSV export: sessions, series, day sheets, key figures and unserved communes.

French spreadsheet conventions: ``;`` as separator, UTF-8 with a byte-order mark (so that Excel
reads accents), dates ``AAAA-MM-JJ`` and times ``HH:MM``, decimal commas. Every text cell is
neutralised against formula injection (:func:`planner.inputs.tables.neutralise_formula`). Values
a spreadsheet would rewrite are avoided (a session is « 1 sur 5 », never « 1/5 », read as 1 May);
one remains: a spreadsheet opening the file drops the leading zero of « 01053 ». The Excel export
keeps it (text cells) and is offered first; every import of Aller-vers restores the zero after
checking the code against the COG.
"""

from __future__ import annotations

import csv
import io
from datetime import date, time
from pathlib import Path
from typing import Any

from planner.publish.common import ExportContext, neutralise
from planner.publish.tables import (
    Rows,
    calendar_rows,
    day_sheet_rows,
    figure_rows,
    series_rows,
    unserved_rows,
)

SEPARATOR = ";"
ENCODING = "utf-8-sig"

#: file name -> row builder
FILES = (
    ("seances.csv", calendar_rows),
    ("parcours.csv", series_rows),
    ("feuilles_de_route.csv", day_sheet_rows),
    ("chiffres_cles.csv", figure_rows),
    ("non_servis.csv", unserved_rows),
)


def csv_value(value: Any) -> str:
    """One cell as text: ISO date, ``HH:MM`` time, decimal comma, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return repr(round(value, 4)).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def csv_bytes(rows: Rows, headers: list[str] | None = None) -> bytes:
    """``rows`` (dicts) as a French CSV file's bytes: ``;``, UTF-8 with BOM, neutralised text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATOR, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    headers = headers or (list(rows[0].keys()) if rows else ["Aucune ligne"])
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_value(row.get(h)) for h in headers])
    return buffer.getvalue().encode(ENCODING)


def write_rows(rows: Rows, path: Path) -> Path:
    """Write ``rows`` (dicts with the same keys) as a French CSV file."""
    path.write_bytes(csv_bytes(rows))
    return path


def write_csv(ctx: ExportContext, out_dir: str | Path) -> list[Path]:
    """Write the CSV files of a plan in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [write_rows(builder(ctx), out / name) for name, builder in FILES]
