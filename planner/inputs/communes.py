"""User files of communes (CSV or Excel, in French formats), read and checked row by row.

A coordinator may bring their own territory: one row per commune with ``code_insee``, ``nom``,
``population``, ``lat``, ``lon`` and any numeric indicator columns. Files come as French
spreadsheets save them (read by :func:`planner.inputs.sheet.read_sheet`: ``;`` separators,
Windows-1252 or UTF-8, decimal commas, thousands spaces, title rows, leading zeros dropped from
INSEE codes, checked against the COG). Hostile or broken input
(missing or duplicate columns, duplicate or malformed codes, coordinates outside France or swapped,
negative or absurd populations, an empty file, a wrong encoding, a spreadsheet formula) raises an
:class:`~planner.errors.InputError` in French naming the file, row (header = row 1) and column.
"""

from __future__ import annotations

import re
from pathlib import Path

from planner.errors import InputError
from planner.french import french_number
from planner.inputs.sheet import Column, Row, looks_like_formula, read_sheet
from planner.model import Commune
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


def _in_france(lat: float, lon: float) -> bool:
    return any(a <= lat <= b and c <= lon <= d for a, b, c, d in FRANCE_BOXES)


COLUMNS: tuple[Column, ...] = (
    Column(
        "code_insee",
        (
            "insee",
            "code",
            "codgeo",
            "code_commune",
            "depcom",
            "com",
            "code_com",
            "code officiel géographique",
        ),
        required=True,
    ),
    Column(
        "name", ("nom", "commune", "libelle", "libgeo", "nom_commune", "nom de la commune"), required=True
    ),
    Column("population", ("pop", "pmun", "population_municipale", "habitants"), required=True),
    Column("lat", ("latitude", "y"), required=True),
    Column("lon", ("longitude", "lng", "long", "x"), required=True),
)


def read_communes_file(source: str | Path | bytes, filename: str) -> tuple[Commune, ...]:
    """Read and check a user file of communes (CSV or Excel), through :func:`planner.inputs.sheet.read_sheet`.

    Accepted formats: those of the tolerant reader (``;``, ``,`` or tab separators, UTF-8 with or
    without BOM, UTF-16, Windows-1252, decimal commas, thousands separators, a title row above
    the header, ``.xlsx``). Required columns (French names accepted, see :data:`COLUMNS`):
    ``code_insee``, ``nom``, ``population``, ``lat``, ``lon``. Every other column with at least
    one numeric cell becomes an indicator (name lower-cased, accents removed). For communes of
    Centre-Val de Loire, embedded indicators fill what the file does not give.

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
        On the first problem, naming the file, row (as the spreadsheet shows it) and column.
        Nothing is half-loaded: either every row is valid or nothing is returned.
    """
    sheet = read_sheet(source, COLUMNS, filename=filename, max_rows=MAX_ROWS)
    if not sheet.rows:
        raise InputError("le fichier ne contient aucune commune (seulement l'en-tête)", file=sheet.file)
    # A column is an indicator when at least one of its cells reads as a number; a text column
    # (comments, EPCI name…) is ignored. A typo in an indicator column is an error.
    indicators = [
        key for key in sheet.extra if any(r.has(key) and _looks_numeric(r.raw(key)) for r in sheet.rows)
    ]
    reader = _RowReader(indicators)
    seen_codes: dict[str, int] = {}
    communes = [reader.commune(row, seen_codes) for row in sheet.rows]
    return tuple(sorted(communes, key=lambda c: c.code_insee))


class _RowReader:
    """Checks one data row after another."""

    def __init__(self, indicators: list[str]):
        self.indicators = indicators
        self.region = region_communes()

    def commune(self, row: Row, seen_codes: dict[str, int]) -> Commune:
        """The commune of one data row."""
        for key, value in row.cells.items():
            if looks_like_formula(value):
                raise row.error(
                    f"cellule contenant une formule « {value.strip()} » : collez des valeurs", key
                )
        code = self.code(row, seen_codes)
        name = row.text("name")
        if not name:
            raise row.error("nom de commune manquant", "name")
        population = self.population(row)
        lat, lon = self.coordinates(row)
        indicators: dict[str, float] = {}
        known = self.region.get(code)
        if known is not None:
            indicators.update(known.indicators)
        for key in self.indicators:
            value = row.number(key)
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

    def code(self, row: Row, seen_codes: dict[str, int]) -> str:
        code = row.insee("code_insee")
        if code in seen_codes:
            raise row.error(f"code INSEE {code} en double (déjà ligne {seen_codes[code]})", "code_insee")
        seen_codes[code] = row.line
        return code

    def population(self, row: Row) -> int:
        population = row.number("population")
        if population is None:
            raise row.error("population manquante", "population")
        if population < 0:
            raise row.error(f"population négative ({french_number(population)})", "population")
        if population != int(population):
            raise row.error(f"population non entière ({french_number(population)})", "population")
        if population > MAX_COMMUNE_POPULATION:
            raise row.error(
                f"population invraisemblable pour une commune ({french_number(population)})", "population"
            )
        return int(population)

    def coordinates(self, row: Row) -> tuple[float, float]:
        lat = row.number("lat")
        lon = row.number("lon")
        if lat is None:
            raise row.error("latitude manquante", "lat")
        if lon is None:
            raise row.error("longitude manquante", "lon")
        if not _in_france(lat, lon):
            if _in_france(lon, lat):
                raise row.error(
                    f"latitude et longitude semblent inversées (lat {french_number(lat)}, lon {french_number(lon)})",
                    "lat",
                )
            raise row.error(
                f"coordonnées hors de France (lat {french_number(lat)}, lon {french_number(lon)}) : degrés décimaux WGS84 attendus",
                "lat",
            )
        return lat, lon


def _looks_numeric(value: object) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    return bool(re.fullmatch(r"\s*[+\-]?[\d\s.,\u202f\u00a0]+\s*", str(value or "")))
