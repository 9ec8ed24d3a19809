"""Territories: from a spec (``vierzon``, ``bv2022:CODE``, ``epci:SIREN``, a file) to a :class:`Territory`.

Embedded data (``data/``, see ``data/SOURCES.md``) cover the 1,754 communes of Centre-Val de Loire.
A territory is a subset of them, with their raw indicators and the fixed mediation places located in
its communes. Users may also bring their own file of communes (see :func:`load_territory_file`).

Fixed places come from three sources, in this order of precedence (a place present in several
sources is kept once, from the first one):

1. ``data/acteurs_vierzon.csv`` — the actors the 2021 monograph describes in the Vierzon area,
   curated by hand with what they offer; its ``same_as`` column names the records of the other
   sources it replaces (``fs:ID``, ``cnfs:ID``).
2. ``data/france_services_cvl.csv`` (ANCT, 2024) — only the places with a fixed desk
   (``format_fs`` ``Fixe``, ``Multisites``, ``Fixe_antenne(s)``; an *antenne* counts for half a place).
   Mobile France services (``Bus_équivalent``, ``Itinérante``) are **not** fixed coverage: they are
   itinerant means like the bus this tool plans, and counting them at their garage commune would
   wrongly mark that commune as covered while their stops get nothing. They are left out on purpose.
3. ``data/lieux_mediation_cnfs_cvl_2022.csv`` — places staffed by a conseiller numérique in 2022.
   The file has no INSEE code: the commune is the one whose name (normalised: accents, case,
   ``ST``/``STE``, hyphens) matches the place's ``commune`` field within the département of its
   postcode; failing that, the commune whose outline contains the point; failing that, the nearest
   town hall in the département. A CNFS place closer than 50 m to a place of sources 1–2 in the
   same commune is the same place and is dropped (curated places whose coordinates are only the
   town hall's, ``coord_source=mairie``, are not used for this proximity test).

Places are attached to a territory when they lie in one of its communes; a place just across the
border is not counted (its users are mostly outside the territory, whose need we do not know).
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError, UnknownTerritoryError
from planner.model import INSEE_CODE, Commune, FixedSite, Territory

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_SPEC = "vierzon"

#: EPCI making up the default territory (CC Vierzon-Sologne-Berry, CC de la Sologne des Rivières,
#: CC Cœur de Berry).
VIERZON_EPCI: tuple[str, ...] = ("200090561", "244100806", "200070571")
VIERZON_NAME = "Pays de Vierzon (CC Vierzon-Sologne-Berry, CC Sologne des Rivières, CC Cœur de Berry)"
REGION_SPEC = "cvl"
REGION_NAME = "Région Centre-Val de Loire"

#: INSEE density grid (7 levels) → rurality level in [0, 1] used by the need model
#: (1 = very dispersed rural habitat, 0 = urban centres).
GRILLE_DENSITE_LEVELS: dict[str, float] = {
    "Grands centres urbains": 0.0,
    "Centres urbains intermédiaires": 0.0,
    "Ceintures urbaines": 0.0,
    "Petites villes": 0.25,
    "Bourgs ruraux": 0.5,
    "Rural à habitat dispersé": 0.75,
    "Rural à habitat très dispersé": 1.0,
}

#: Indicator columns of the embedded data copied into :attr:`Commune.indicators`.
EMBEDDED_INDICATORS: tuple[str, ...] = (
    "pop_65p",
    "part_65p_pct",
    "pop_totale_rp2021",
    "pop_15p_non_scol_rp2016",
    "pop_15p_non_scol_sans_diplome_rp2016",
    "part_sans_diplome_rp2016_pct",
    "pop_totale_rp2016",
    "revenu_median_uc_2021",
    "taux_pauvrete_2021",
    "part_pensions_retraites_2021",
    "fibre_ftth_pct",
    "densite_hab_km2",
    "superficie_km2",
    "ruralite_niveau",
)

FS_FIXED_FORMATS = {"Fixe": 1.0, "Multisites": 1.0, "Fixe_antenne(s)": 0.5}
CNFS_DUPLICATE_METRES = 50.0

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

_TEXT_COLS = {"code_insee": str, "epci_siren": str, "bv2022": str, "bv2012": str, "dep": str}


# ----------------------------------------------------------------------------- embedded data


@lru_cache(maxsize=1)
def region_frame() -> pd.DataFrame:
    """All Centre-Val de Loire communes with every embedded indicator (one row per commune).

    Cached: read once per process. Do not mutate the returned frame.
    """
    communes = pd.read_csv(DATA_DIR / "communes_cvl.csv", dtype=_TEXT_COLS)
    ages = pd.read_csv(DATA_DIR / "age_structure_cvl.csv", dtype={"code_insee": str}).rename(
        columns={"pop_totale": "pop_totale_rp2021"}
    )
    fibre = pd.read_csv(DATA_DIR / "broadband_cvl.csv", dtype={"code_insee": str})
    frame = communes.merge(
        ages[
            [
                "code_insee",
                "pop_totale_rp2021",
                "pop_65p",
                "part_65p_pct",
                "pop_totale_rp2016",
                "pop_15p_non_scol_rp2016",
                "pop_15p_non_scol_sans_diplome_rp2016",
                "part_sans_diplome_rp2016_pct",
            ]
        ],
        on="code_insee",
        how="left",
    ).merge(fibre[["code_insee", "fibre_ftth_pct"]], on="code_insee", how="left")
    frame["ruralite_niveau"] = frame["grille_densite"].map(GRILLE_DENSITE_LEVELS)
    return frame.set_index("code_insee", drop=False)


def _indicators(row: dict, columns: Iterable[str]) -> dict[str, float]:
    out = {}
    for col in columns:
        value = row.get(col)
        if value is not None and not pd.isna(value):
            out[col] = float(value)
    return out


def _commune_from_row(row: dict) -> Commune:
    return Commune(
        code_insee=str(row["code_insee"]),
        name=str(row["nom"]),
        population=int(row["population"]),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        epci_siren=str(row["epci_siren"]),
        epci_name=str(row["epci_nom"]),
        indicators=_indicators(row, EMBEDDED_INDICATORS),
    )


@lru_cache(maxsize=1)
def _region_communes() -> dict[str, Commune]:
    return {row["code_insee"]: _commune_from_row(row) for row in region_frame().to_dict("records")}


def _normalise_name(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().upper()
    text = re.sub(r"[^A-Z0-9]+", " ", text).strip()
    text = re.sub(r"\bSTE\b", "SAINTE", text)
    text = re.sub(r"\bST\b", "SAINT", text)
    return text


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def _point_in_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


@lru_cache(maxsize=1)
def commune_outlines() -> dict:
    """The commune outlines GeoJSON (``data/communes_cvl_contours.geojson``), parsed once."""
    import json

    with open(DATA_DIR / "communes_cvl_contours.geojson", encoding="utf-8") as fh:
        return json.load(fh)


def commune_containing(lat: float, lon: float) -> str | None:
    """INSEE code of the Centre-Val de Loire commune whose outline contains the point, if any."""
    for feature in commune_outlines()["features"]:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for polygon in polygons:
            outer = polygon[0]
            if _point_in_ring(lon, lat, outer) and not any(_point_in_ring(lon, lat, h) for h in polygon[1:]):
                return feature["properties"]["code_insee"]
    return None


def match_cnfs_commune(commune_field: str, postcode: str, lat: float, lon: float) -> tuple[str, str]:
    """Find the INSEE code of a 2022 conseiller-numérique place (which has none).

    Returns ``(code_insee, method)`` with method ``"nom"`` (name within the postcode's
    département), ``"contour"`` (point in the commune outline) or ``"plus_proche"`` (nearest
    town hall of the département).
    """
    dep = str(postcode)[:2]
    hits = _names_by_dep().get((dep, _normalise_name(commune_field)), [])
    if len(hits) == 1:
        return hits[0], "nom"
    code = commune_containing(lat, lon)
    if code is not None:
        return code, "contour"
    frame = region_frame()
    pool = frame[frame["dep"] == dep]
    if pool.empty:
        pool = frame
    d2 = (pool["lat"] - lat) ** 2 + ((pool["lon"] - lon) * math.cos(math.radians(lat))) ** 2
    return str(d2.idxmin()), "plus_proche"


@lru_cache(maxsize=1)
def _names_by_dep() -> dict[tuple[str, str], list[str]]:
    """``(département, normalised name) -> INSEE codes`` for the region's communes."""
    out: dict[tuple[str, str], list[str]] = {}
    frame = region_frame()
    for code, dep, name in zip(frame["code_insee"], frame["dep"], frame["nom"], strict=True):
        out.setdefault((dep, _normalise_name(name)), []).append(code)
    return out


def _curated_sites() -> tuple[list[FixedSite], set[str], list[FixedSite]]:
    """Curated sites, the ids of other-source records they replace, and those with exact coordinates."""
    frame = pd.read_csv(DATA_DIR / "acteurs_vierzon.csv", dtype=str, keep_default_na=False)
    sites, replaced, precise = [], set(), []
    for _, r in frame.iterrows():
        sites.append(
            FixedSite(
                id=r["id"],
                name=r["name"],
                kind=r["kind"],
                code_insee=r["code_insee"],
                lat=float(r["lat"]),
                lon=float(r["lon"]),
                capacity=float(r["capacity"]),
                offer=r["offer"],
                days_open=r["days_open"],
                equipment=r["equipment"],
                source=r["source"],
            )
        )
        replaced.update(s.strip() for s in r["same_as"].split(";") if s.strip())
        if r["coord_source"] != "mairie":  # "mairie" = town-hall point, only approximate
            precise.append(sites[-1])
    return sites, replaced, precise


_FS_DAYS = (("h_lundi", "lun"), ("h_mardi", "mar"), ("h_mercredi", "mer"), ("h_jeudi", "jeu"))
_FS_DAYS += (("h_vendredi", "ven"), ("h_samedi", "sam"))


def _france_services_sites(replaced: set[str]) -> list[FixedSite]:
    frame = pd.read_csv(DATA_DIR / "france_services_cvl.csv", dtype=str, keep_default_na=False)
    sites = []
    for _, r in frame.iterrows():
        weight = FS_FIXED_FORMATS.get(r["format_fs"])
        if weight is None or f"fs:{r['id_fs']}" in replaced:
            continue
        if r["type_fs"] == "Antenne":
            weight = min(weight, 0.5)
        sites.append(
            FixedSite(
                id=f"fs:{r['id_fs']}",
                name=r["lib_fs"],
                kind="france_services",
                code_insee=r["insee_com"],
                lat=float(r["latitude"]),
                lon=float(r["longitude"]),
                capacity=weight,
                offer="Accompagnement aux démarches administratives en ligne (France services)",
                days_open=",".join(code for col, code in _FS_DAYS if r[col].strip()),
                source=f"ANCT, liste des structures France services (1er août 2024), id {r['id_fs']}",
            )
        )
    return sites


def _cnfs_sites(replaced: set[str], earlier: list[FixedSite]) -> list[FixedSite]:
    frame = pd.read_csv(DATA_DIR / "lieux_mediation_cnfs_cvl_2022.csv", dtype=str, keep_default_na=False)
    sites = []
    for _, r in frame.iterrows():
        if f"cnfs:{r['id']}" in replaced:
            continue
        lat, lon = float(r["latitude"]), float(r["longitude"])
        code, method = match_cnfs_commune(r["commune"], r["code_postal"], lat, lon)
        if any(
            s.code_insee == code and _haversine_m(lat, lon, s.lat, s.lon) < CNFS_DUPLICATE_METRES
            for s in earlier
        ):
            continue
        sites.append(
            FixedSite(
                id=f"cnfs:{r['id']}",
                name=r["nom"].strip(),
                kind="conseiller_numerique",
                code_insee=code,
                lat=lat,
                lon=lon,
                capacity=1.0,
                offer=r["services"],
                source=(
                    "ANCT, cartographie nationale des lieux de médiation numérique, conseillers "
                    f"numériques 2022 ({r['date_maj']}), commune rattachée par {method}"
                ),
            )
        )
    return sites


@lru_cache(maxsize=1)
def all_fixed_sites() -> tuple[FixedSite, ...]:
    """Every fixed mediation place of the embedded data, deduplicated across sources (cached)."""
    curated, replaced, precise = _curated_sites()
    fs = _france_services_sites(replaced)
    cnfs = _cnfs_sites(replaced, precise + fs)
    return tuple(curated + fs + cnfs)


def sites_in(codes: Iterable[str]) -> tuple[FixedSite, ...]:
    """The embedded fixed places located in the given communes."""
    wanted = set(codes)
    return tuple(s for s in all_fixed_sites() if s.code_insee in wanted)


# ----------------------------------------------------------------------------- specs


def _territory_from_codes(spec: str, name: str, codes: Iterable[str]) -> Territory:
    region = _region_communes()
    ordered = sorted(set(codes))
    communes = tuple(region[c] for c in ordered)
    return Territory(spec=spec, name=name, communes=communes, fixed_sites=sites_in(ordered))


def _bassin(spec: str, year: str, code: str) -> Territory:
    frame = region_frame()
    col = f"bv{year}"
    members = frame.index[frame[col] == code]
    if not len(members):
        raise UnknownTerritoryError(
            f"bassin de vie {year} inconnu en Centre-Val de Loire : « {code} » "
            "(code INSEE de la commune-pôle, ex. bv2022:18279 pour Vierzon)"
        )
    label = frame.loc[members[0], f"{col}_nom"]
    return _territory_from_codes(spec, f"Bassin de vie {year} de {label}", members)


def _epci(spec: str, sirens: list[str]) -> Territory:
    frame = region_frame()
    names = []
    for siren in sirens:
        rows = frame[frame["epci_siren"] == siren]
        if rows.empty:
            raise UnknownTerritoryError(
                f"EPCI inconnu en Centre-Val de Loire : « {siren} » (numéro SIREN à 9 chiffres)"
            )
        names.append(str(rows["epci_nom"].iloc[0]))
    members = frame.index[frame["epci_siren"].isin(sirens)]
    return _territory_from_codes(spec, " + ".join(names), members)


def load_territory(spec: str) -> Territory:
    """Build the territory a spec names.

    Parameters
    ----------
    spec
        ``"vierzon"`` (default territory: 34 communes, 55,012 inhabitants), ``"bv2012:CODE"``,
        ``"bv2022:CODE"`` (bassin de vie by the INSEE code of its pole commune),
        ``"epci:SIREN[,SIREN…]"``, ``"cvl"`` (the whole region, 1,754 communes), or the path of a
        ``.csv``/``.xlsx`` file of communes.

    Returns
    -------
    Territory
        Communes sorted by INSEE code, with their indicators and fixed places.

    Raises
    ------
    UnknownTerritoryError
        When the spec names nothing known.
    InputError
        When a file is malformed (message names the file, row and column).
    """
    raw = (spec or "").strip()
    key = raw.lower()
    if key == DEFAULT_SPEC:
        return _territory_from_codes(
            DEFAULT_SPEC,
            VIERZON_NAME,
            region_frame().index[region_frame()["epci_siren"].isin(VIERZON_EPCI)],
        )
    if key == REGION_SPEC:
        return _territory_from_codes(REGION_SPEC, REGION_NAME, region_frame().index)
    for year in ("2012", "2022"):
        if key.startswith(f"bv{year}:"):
            return _bassin(raw, year, raw.split(":", 1)[1].strip().upper())
    if key.startswith("epci:"):
        sirens = [s.strip() for s in raw.split(":", 1)[1].split(",") if s.strip()]
        if not sirens:
            raise UnknownTerritoryError("aucun EPCI indiqué après « epci: »")
        return _epci(raw, sirens)
    path = Path(raw)
    if path.suffix.lower() in {".csv", ".xlsx", ".txt"}:
        if not path.is_file():
            raise UnknownTerritoryError(f"fichier de territoire introuvable : « {raw} »")
        territory = load_territory_file(path, path.name)
        return replace(territory, spec=raw)
    raise UnknownTerritoryError(
        f"territoire inconnu : « {raw} ». Attendu : vierzon, bv2012:CODE, bv2022:CODE, "
        "epci:SIREN[,SIREN…], cvl ou un fichier .csv/.xlsx"
    )


def territory_choices() -> list[tuple[str, str]]:
    """``(spec, French label)`` for the territory selector: vierzon, BV2022, BV2012, EPCI, then the region."""
    frame = region_frame()
    choices = [(DEFAULT_SPEC, f"{VIERZON_NAME} — territoire par défaut")]
    for year in ("2022", "2012"):
        col = f"bv{year}"
        pairs = frame[[col, f"{col}_nom"]].drop_duplicates().sort_values(f"{col}_nom")
        choices += [
            (f"bv{year}:{c}", f"Bassin de vie {year} : {n} ({c})") for c, n in pairs.itertuples(index=False)
        ]
    epci = frame[["epci_siren", "epci_nom"]].drop_duplicates().sort_values("epci_nom")
    choices += [(f"epci:{s}", f"EPCI : {n}") for s, n in epci.itertuples(index=False)]
    choices.append((REGION_SPEC, f"{REGION_NAME} (toutes les communes)"))
    return choices


# ----------------------------------------------------------------------------- user files

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


def load_territory_file(source: str | Path | bytes, filename: str) -> Territory:
    """Load a user file of communes (CSV or Excel) into a territory.

    Accepted formats: CSV with ``;``, ``,`` or tab separators, UTF-8 (with or without BOM) or
    Windows-1252/Latin-1, decimal commas; ``.xlsx`` (first sheet). Required columns (French
    aliases accepted): ``code_insee``, ``nom``, ``population``, ``lat``, ``lon``. Every other
    non-empty numeric column becomes an indicator (name lower-cased, accents removed). For
    communes of Centre-Val de Loire, embedded indicators fill what the file does not give.

    Parameters
    ----------
    source
        File path or raw bytes (an upload).
    filename
        Name shown in error messages (and used to choose CSV or Excel).

    Raises
    ------
    InputError
        On the first problem, naming the file, row (header = row 1) and column. Nothing is
        half-loaded: either every row is valid or no territory is returned.
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
    region = _region_communes()
    communes: list[Commune] = []
    seen_codes: dict[str, int] = {}
    col_name = {idx: header[idx].strip() for idx in range(len(header))}
    numeric_optional: dict[str, int] = {}
    for key, idx in optional.items():
        # A column is an indicator when at least one of its cells reads as a number; a text
        # column (comments, EPCI name…) is ignored. A typo in an indicator column is an error.
        if any(_non_empty(r, idx) and _looks_numeric(r[idx]) for r in rows[1:]):
            numeric_optional[key] = idx
    for line_no, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row] + [""] * max(0, len(header) - len(row))
        for idx in range(len(row)):
            if _FORMULA.match(row[idx] or "") and not _looks_numeric(row[idx]):
                raise InputError(
                    f"cellule contenant une formule « {row[idx].strip()} » : collez des valeurs",
                    file=filename,
                    row=line_no,
                    column=col_name.get(idx, f"n° {idx + 1}"),
                )
        code = cells[required["code_insee"]]
        code_col = col_name[required["code_insee"]]
        if re.fullmatch(r"\d{4}", code):
            code = "0" + code  # a spreadsheet dropped the leading zero
        if not INSEE_CODE.match(code):
            raise InputError(
                f"code INSEE invalide « {code} » (5 caractères attendus, ex. 18279)",
                file=filename,
                row=line_no,
                column=code_col,
            )
        if code in seen_codes:
            raise InputError(
                f"code INSEE {code} en double (déjà ligne {seen_codes[code]})",
                file=filename,
                row=line_no,
                column=code_col,
            )
        seen_codes[code] = line_no
        name = cells[required["name"]]
        if not name:
            raise InputError(
                "nom de commune manquant", file=filename, row=line_no, column=col_name[required["name"]]
            )
        pop_col = col_name[required["population"]]
        population = _parse_number(cells[required["population"]], filename, line_no, pop_col)
        if population is None:
            raise InputError("population manquante", file=filename, row=line_no, column=pop_col)
        if population < 0:
            raise InputError(
                f"population négative ({_fr(population)})", file=filename, row=line_no, column=pop_col
            )
        if population != int(population):
            raise InputError(
                f"population non entière ({_fr(population)})", file=filename, row=line_no, column=pop_col
            )
        if population > MAX_COMMUNE_POPULATION:
            raise InputError(
                f"population invraisemblable pour une commune ({_fr(population)})",
                file=filename,
                row=line_no,
                column=pop_col,
            )
        lat_col, lon_col = col_name[required["lat"]], col_name[required["lon"]]
        lat = _parse_number(cells[required["lat"]], filename, line_no, lat_col)
        lon = _parse_number(cells[required["lon"]], filename, line_no, lon_col)
        if lat is None:
            raise InputError("latitude manquante", file=filename, row=line_no, column=lat_col)
        if lon is None:
            raise InputError("longitude manquante", file=filename, row=line_no, column=lon_col)
        if not _in_france(lat, lon):
            if _in_france(lon, lat):
                raise InputError(
                    f"latitude et longitude semblent inversées (lat {_fr(lat)}, lon {_fr(lon)})",
                    file=filename,
                    row=line_no,
                    column=lat_col,
                )
            raise InputError(
                f"coordonnées hors de France (lat {_fr(lat)}, lon {_fr(lon)}) : degrés décimaux WGS84 attendus",
                file=filename,
                row=line_no,
                column=lat_col,
            )
        indicators: dict[str, float] = {}
        known = region.get(code)
        if known is not None:
            indicators.update(known.indicators)
        for key, idx in numeric_optional.items():
            value = _parse_number(cells[idx], filename, line_no, col_name[idx])
            if value is not None:
                indicators[key] = value
        communes.append(
            Commune(
                code_insee=code,
                name=name,
                population=int(population),
                lat=lat,
                lon=lon,
                epci_siren=known.epci_siren if known else "",
                epci_name=known.epci_name if known else "",
                indicators=indicators,
            )
        )
    communes.sort(key=lambda c: c.code_insee)
    codes = [c.code_insee for c in communes]
    return Territory(
        spec=filename,
        name=f"Fichier {filename}",
        communes=tuple(communes),
        fixed_sites=sites_in(codes),
    )


def _fr(value: float) -> str:
    """A number as French users write it (decimal comma) for error messages."""
    return f"{value:g}".replace(".", ",")


def _non_empty(row: list[str], idx: int) -> bool:
    return idx < len(row) and bool(row[idx].strip())


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[+\-]?[\d\s.,]+\s*", text or ""))


def region_codes() -> np.ndarray:
    """INSEE codes of every Centre-Val de Loire commune (1,754)."""
    return region_frame().index.to_numpy()
