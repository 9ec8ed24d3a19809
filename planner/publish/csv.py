"""CSV export: sessions, series, day sheets, key figures and unserved communes.

French spreadsheet conventions: ``;`` as separator, UTF-8 with a byte-order mark (so that Excel
reads accents), dates ``AAAA-MM-JJ`` and times ``HH:MM``. Every text cell is neutralised
against formula injection (:func:`planner.inputs.tables.neutralise_formula`).
"""

from __future__ import annotations

import csv
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


def write_rows(rows: Rows, path: Path) -> Path:
    """Write ``rows`` (dicts with the same keys) as a French CSV file."""
    with path.open("w", encoding=ENCODING, newline="") as fh:
        writer = csv.writer(fh, delimiter=SEPARATOR, quoting=csv.QUOTE_MINIMAL)
        headers = list(rows[0].keys()) if rows else ["Aucune ligne"]
        writer.writerow(headers)
        for row in rows:
            writer.writerow([csv_value(row.get(h)) for h in headers])
    return path


def write_csv(ctx: ExportContext, out_dir: str | Path) -> list[Path]:
    """Write the CSV files of a plan in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [write_rows(builder(ctx), out / name) for name, builder in FILES]
