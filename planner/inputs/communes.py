"""User files of communes (CSV or Excel, in French formats), read and checked row by row.

A coordinator may bring their own territory: one row per commune with ``code_insee``, ``nom``,
``population``, ``lat``, ``lon`` and any numeric indicator columns. Files come as French
spreadsheets save them: ``;`` separators, Windows-1252/Latin-1 or UTF-8 (with or without BOM),
decimal commas, thousands spaces, leading zeros dropped from INSEE codes. Hostile or broken input
(missing or duplicate columns, duplicate or malformed codes, coordinates outside France or swapped,
negative or absurd populations, an empty file, a wrong encoding, a spreadsheet formula) raises an
:class:`~planner.errors.InputError` in French naming the file, row (header = row 1) and column.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from pathlib import Path

from planner.errors import InputError
from planner.french import french_number
from planner.model import INSEE_CODE, Commune
from planner.territory.region import region_communes

# Metropolitan France and the five DROM (lat_min, lat_max, lon_min, lon_max).
FRANCE_BOXES: tuple[tuple[float, float, float, float], ...] = (
    (41.3, 51.2, -5.3, 9.7),  # metropolitan France with Corsica
    (15.8, 16.6, -61.9, -60.9),  # Guadeloupe
    (14.3, 14.9, -61.3, -60.8),  # Martinique
    (2.1, 5.8, -54.7, -51.6),  # Guyane
    (-21.4, -20.8, 55.2, 55.9),  # La Réunion
    (-13.1, -12.6, 45.0, 45.3),  # Mayotte
)
MAX_COMMUNE_POPULATION = 2_200_000  # Paris has about 2.1 million inhabitants
MAX_ROWS = 40_000  # France has 34,875 communes (COG 2026)

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "code_insee": ("code_insee", "insee", "code", "codgeo", "code_commune", "depcom", "com", "code_com"),
    "name": ("name", "nom", "commune", "libelle", "libgeo", "nom_commune"),
    "population": ("population", "pop", "pmun", "population_municipale", "habitants"),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
}
_FORMULA = re.compile(r"^\s*[=@]|^\s*[+\-](?![\d\s.,]*$)")


def _column_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower().strip()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _decode(data: bytes, filename: str) -> str:
    if not data.strip():
        raise InputError("le fichier est vide", file=filename)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(
            "encodage non reconnu (fichier binaire ou UTF-16) : enregistrez-le en CSV UTF-8 ou Windows-1252",
            file=filename,
            row=line,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            "encodage non reconnu : enregistrez le fichier en CSV UTF-8 ou Windows-1252",
            file=filename,
            row=line,
        ) from None
    bad = re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if bad:
        raise InputError(
            "encodage non reconnu (caractères de contrôle) : enregistrez le fichier en CSV UTF-8",
            file=filename,
            row=text[: bad.start()].count("\n") + 1,
        )
    return text


def _read_csv_rows(data: bytes, filename: str) -> list[list[str]]:
    text = _decode(data, filename)
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=counts.get) if any(counts.values()) else ";"
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise InputError(f"CSV illisible ({exc})", file=filename) from None


def _read_xlsx_rows(data: bytes, filename: str) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        raise InputError("classeur Excel illisible (fichier .xlsx attendu)", file=filename) from None
    sheet = book.worksheets[0]
    rows: list[list[str]] = []
    header: list[str] = []
    for r_index, row in enumerate(sheet.iter_rows(), start=1):
        values = []
        for c_index, cell in enumerate(row):
            value = cell.value
            if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                column = header[c_index] if c_index < len(header) else f"n° {c_index + 1}"
                raise InputError(
                    "cellule contenant une formule : collez des valeurs (Collage spécial → Valeurs)",
                    file=filename,
                    row=r_index,
                    column=column,
                )
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            values.append("" if value is None else str(value))
        if r_index == 1:
            header = values
        rows.append(values)
    book.close()
    return rows


def _parse_number(text: str, filename: str, row: int, column: str) -> float | None:
    value = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if value == "":
        return None
    if _FORMULA.match(text):
        raise InputError(
            f"cellule contenant une formule « {text.strip()} » : collez des valeurs",
            file=filename,
            row=row,
            column=column,
        )
    if "," in value and "." in value:
        value = value.replace(".", "")
    value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        raise InputError(
            f"nombre attendu, lu « {text.strip()} »", file=filename, row=row, column=column
        ) from None
    if not math.isfinite(number):
        raise InputError(f"nombre attendu, lu « {text.strip()} »", file=filename, row=row, column=column)
    return number


def _in_france(lat: float, lon: float) -> bool:
    return any(a <= lat <= b and c <= lon <= d for a, b, c, d in FRANCE_BOXES)


def _map_columns(header: list[str], filename: str) -> tuple[dict[str, int], dict[str, int]]:
    keys = [_column_key(h) for h in header]
    seen: dict[str, int] = {}
    for index, key in enumerate(keys):
        if not key:
            if any(keys[index + 1 :]):
                raise InputError(
                    "colonne sans nom dans l'en-tête", file=filename, row=1, column=f"n° {index + 1}"
                )
            continue
        if key in seen:
            raise InputError(
                "colonne en double dans l'en-tête", file=filename, row=1, column=header[index].strip()
            )
        seen[key] = index
    required: dict[str, int] = {}
    for field_name, aliases in COLUMN_ALIASES.items():
        found = [alias for alias in aliases if alias in seen]
        if not found:
            raise InputError(
                f"colonne obligatoire manquante ({' / '.join(aliases[:3])}) ; colonnes attendues : "
                "code_insee, nom, population, lat, lon",
                file=filename,
                row=1,
                column=field_name,
            )
        if len(found) > 1:
            raise InputError(
                f"colonnes en double pour « {field_name} » : {', '.join(found)}",
                file=filename,
                row=1,
                column=found[1],
            )
        required[field_name] = seen[found[0]]
    used = set(required.values())
    optional = {key: idx for key, idx in seen.items() if idx not in used}
    return required, optional


def read_communes_file(source: str | Path | bytes, filename: str) -> tuple[Commune, ...]:
    """Read and check a user file of communes (CSV or Excel).

    Accepted formats: CSV with ``;``, ``,`` or tab separators, UTF-8 (with or without BOM) or
    Windows-1252/Latin-1, decimal commas; ``.xlsx`` (first sheet). Required columns (French
    aliases accepted, see :data:`COLUMN_ALIASES`): ``code_insee``, ``nom``, ``population``,
    ``lat``, ``lon``. Every other column with at least one numeric cell becomes an indicator
    (name lower-cased, accents removed). For communes of Centre-Val de Loire, embedded indicators
    fill what the file does not give.

    Parameters
    ----------
    source
        File path or raw bytes (an upload).
    filename
        Name shown in error messages (and used to choose CSV or Excel).

    Returns
    -------
    tuple of Commune
        Sorted by INSEE code.

    Raises
    ------
    InputError
        On the first problem, naming the file, row (header = row 1) and column. Nothing is
        half-loaded: either every row is valid or nothing is returned.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if not data.strip():
        raise InputError("le fichier est vide", file=filename)
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        rows = _read_xlsx_rows(data, filename)
    else:
        rows = _read_csv_rows(data, filename)
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError("le fichier est vide", file=filename)
    header = rows[0]
    required, optional = _map_columns(header, filename)
    if len(rows) == 1:
        raise InputError("le fichier ne contient aucune commune (seulement l'en-tête)", file=filename)
    if len(rows) - 1 > MAX_ROWS:
        raise InputError(
            f"trop de lignes ({len(rows) - 1}) : la France compte moins de {MAX_ROWS} communes",
            file=filename,
        )
    # A column is an indicator when at least one of its cells reads as a number; a text column
    # (comments, EPCI name…) is ignored. A typo in an indicator column is an error.
    indicator_columns = {
        key: idx
        for key, idx in optional.items()
        if any(_non_empty(r, idx) and _looks_numeric(r[idx]) for r in rows[1:])
    }
    reader = _RowReader(filename, header, required, indicator_columns)
    seen_codes: dict[str, int] = {}
    communes = [reader.commune(row, line_no, seen_codes) for line_no, row in enumerate(rows[1:], start=2)]
    return tuple(sorted(communes, key=lambda c: c.code_insee))


class _RowReader:
    """Checks one data row after another, knowing the header and where each field is."""

    def __init__(
        self, filename: str, header: list[str], required: dict[str, int], indicators: dict[str, int]
    ):
        self.filename = filename
        self.width = len(header)
        self.required = required
        self.indicators = indicators
        self.col_name = {idx: header[idx].strip() for idx in range(len(header))}
        self.region = region_communes()

    def error(self, message: str, row: int, idx: int | None = None) -> InputError:
        column = None if idx is None else self.col_name.get(idx, f"n° {idx + 1}")
        return InputError(message, file=self.filename, row=row, column=column)

    def number(self, cells: list[str], idx: int, row: int) -> float | None:
        return _parse_number(cells[idx], self.filename, row, self.col_name[idx])

    def commune(self, row: list[str], line_no: int, seen_codes: dict[str, int]) -> Commune:
        """The commune of one data row (``line_no`` counts the header as row 1)."""
        cells = [c.strip() for c in row] + [""] * max(0, self.width - len(row))
        for idx in range(len(row)):
            if _FORMULA.match(row[idx] or "") and not _looks_numeric(row[idx]):
                raise self.error(
                    f"cellule contenant une formule « {row[idx].strip()} » : collez des valeurs", line_no, idx
                )
        code = self.code(cells, line_no, seen_codes)
        name_idx = self.required["name"]
        name = cells[name_idx]
        if not name:
            raise self.error("nom de commune manquant", line_no, name_idx)
        population = self.population(cells, line_no)
        lat, lon = self.coordinates(cells, line_no)
        indicators: dict[str, float] = {}
        known = self.region.get(code)
        if known is not None:
            indicators.update(known.indicators)
        for key, idx in self.indicators.items():
            value = self.number(cells, idx, line_no)
            if value is not None:
                indicators[key] = value
        return Commune(
            code_insee=code,
            name=name,
            population=population,
            lat=lat,
            lon=lon,
            epci_siren=known.epci_siren if known else "",
            epci_name=known.epci_name if known else "",
            indicators=indicators,
        )

    def code(self, cells: list[str], line_no: int, seen_codes: dict[str, int]) -> str:
        idx = self.required["code_insee"]
        code = cells[idx]
        if re.fullmatch(r"\d{4}", code):
            code = "0" + code  # a spreadsheet dropped the leading zero
        if not INSEE_CODE.match(code):
            raise self.error(
                f"code INSEE invalide « {code} » (5 caractères attendus, ex. 18279)", line_no, idx
            )
        if code in seen_codes:
            raise self.error(f"code INSEE {code} en double (déjà ligne {seen_codes[code]})", line_no, idx)
        seen_codes[code] = line_no
        return code

    def population(self, cells: list[str], line_no: int) -> int:
        idx = self.required["population"]
        population = self.number(cells, idx, line_no)
        if population is None:
            raise self.error("population manquante", line_no, idx)
        if population < 0:
            raise self.error(f"population négative ({french_number(population)})", line_no, idx)
        if population != int(population):
            raise self.error(f"population non entière ({french_number(population)})", line_no, idx)
        if population > MAX_COMMUNE_POPULATION:
            raise self.error(
                f"population invraisemblable pour une commune ({french_number(population)})", line_no, idx
            )
        return int(population)

    def coordinates(self, cells: list[str], line_no: int) -> tuple[float, float]:
        lat_idx, lon_idx = self.required["lat"], self.required["lon"]
        lat = self.number(cells, lat_idx, line_no)
        lon = self.number(cells, lon_idx, line_no)
        if lat is None:
            raise self.error("latitude manquante", line_no, lat_idx)
        if lon is None:
            raise self.error("longitude manquante", line_no, lon_idx)
        if not _in_france(lat, lon):
            if _in_france(lon, lat):
                raise self.error(
                    f"latitude et longitude semblent inversées (lat {french_number(lat)}, lon {french_number(lon)})",
                    line_no,
                    lat_idx,
                )
            raise self.error(
                f"coordonnées hors de France (lat {french_number(lat)}, lon {french_number(lon)}) : degrés décimaux WGS84 attendus",
                line_no,
                lat_idx,
            )
        return lat, lon


def _non_empty(row: list[str], idx: int) -> bool:
    return idx < len(row) and bool(row[idx].strip())


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[+\-]?[\d\s.,]+\s*", text or ""))
