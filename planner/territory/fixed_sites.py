"""Fixed mediation places of the embedded data: France services, CNFS 2022 places, curated actors.

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

A coordinator may add the places of a file in the national standard of mediation places
(« schéma des lieux de médiation numérique », :func:`read_lieux_file`), e.g. an extract of the
Cartographie nationale: its fixed places count for coverage like the embedded ones
(:func:`with_fixed_places`); its itinerant stops are read but not counted.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

import pandas as pd

from planner.errors import InputError
from planner.inputs.cog import cog_names
from planner.inputs.sheet import Column, Row, read_sheet
from planner.lieux_standard import ITINERANT, field_names, split_list, value_error
from planner.model import FixedSite, Territory
from planner.territory.region import DATA_DIR, commune_containing, region_communes, region_frame

FS_FIXED_FORMATS = {"Fixe": 1.0, "Multisites": 1.0, "Fixe_antenne(s)": 0.5}
CNFS_DUPLICATE_METRES = 50.0


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


# ---------------------------------------------------------------- places in the national standard

#: Columns read from a file in the national standard of mediation places; only ``nom`` is
#: required to find the header (a partner's extract often lacks the other required fields).
LIEUX_COLUMNS: tuple[Column, ...] = tuple(Column(name, required=name == "nom") for name in field_names())
_OSM_DAYS = (
    ("Mo", "lun"),
    ("Tu", "mar"),
    ("We", "mer"),
    ("Th", "jeu"),
    ("Fr", "ven"),
    ("Sa", "sam"),
    ("Su", "dim"),
)
SAME_PLACE_METRES = 50.0


@dataclass(frozen=True)
class LieuxFile:
    """Places read from a file in the national standard.

    ``fixed`` are fixed places (``itinerance`` empty or holding ``Fixe``): they count for
    coverage. ``itinerant`` are stops of itinerant means only (``Itinérant`` alone): read, shown,
    never counted as fixed coverage — like the mobile France services.
    """

    fixed: tuple[FixedSite, ...]
    itinerant: tuple[FixedSite, ...]


def _french_days(horaires: str) -> str:
    text = horaires
    for osm, fr in _OSM_DAYS:
        text = re.sub(rf"\b{osm}\b", fr, text)
    return text


def _lieu_commune(row: Row) -> str:
    """The INSEE code of a place: its ``code_insee``, else its commune name within its postcode's département."""
    if row.has("code_insee"):
        return row.insee("code_insee")
    name, postcode = row.text("commune"), row.text("code_postal")
    if not name or not re.fullmatch(r"\d{5}", postcode):
        raise row.error(
            "ni code INSEE, ni commune et code postal : le lieu ne peut pas être situé", "code_insee"
        )
    dep = postcode[:2] if not postcode.startswith("97") else postcode[:3]
    target = _normalise_name(name)
    hits = [c for c, n in cog_names().items() if c.startswith(dep) and _normalise_name(n) == target]
    if dep == "20":  # Corsica: postcodes 20xxx, INSEE codes 2A/2B
        hits = [c for c, n in cog_names().items() if c[:2] in ("2A", "2B") and _normalise_name(n) == target]
    if len(hits) != 1:
        raise row.error(
            f"commune « {name} » introuvable dans le département {dep} : indiquez son code INSEE", "commune"
        )
    return hits[0]


def _lieu(row: Row) -> FixedSite:
    code = _lieu_commune(row)
    lat, lon = row.number("latitude"), row.number("longitude")
    if lat is None or lon is None:
        town = region_communes().get(code)
        if town is None:
            raise row.error("latitude et longitude manquantes (commune hors de la région)", "latitude")
        lat, lon = town.lat, town.lon
    local_id = row.text("id") or f"ligne-{row.line}"
    return row.call(
        lambda: FixedSite(
            id=f"lieux:{local_id}",
            name=row.text("nom"),
            kind=(split_list(row.text("typologie")) or ("lieu_mediation",))[0].lower(),
            code_insee=code,
            lat=lat,
            lon=lon,
            capacity=1.0,
            offer=", ".join(split_list(row.text("services"))),
            days_open=_french_days(row.text("horaires")),
            source=f"fichier au schéma national des lieux de médiation numérique ({row.file}, ligne {row.line})",
        )
    )


def read_lieux_file(source, filename: str | None = None) -> LieuxFile:
    """Read places from a file in the « schéma des lieux de médiation numérique » (CSV or Excel).

    Every row is checked against the shipped schema where it matters here (INSEE code, numbers,
    ``itinerance``); a row is located by ``code_insee``, else by ``commune`` and ``code_postal``,
    and placed at its ``latitude``/``longitude``, else at its town hall.

    Raises
    ------
    InputError
        Unreadable file, no ``nom`` column, or a row that cannot be located (file, line, column).
    """
    sheet = read_sheet(source, LIEUX_COLUMNS, filename=filename)
    fixed, itinerant = [], []
    seen: dict[str, int] = {}
    for row in sheet.rows:
        if not row.text("nom"):
            raise row.error("nom du lieu manquant", "nom")
        problem = value_error("itinerance", row.text("itinerance"))
        if problem:
            raise row.error(problem, "itinerance")
        site = _lieu(row)
        if site.id in seen:
            raise row.error(f"identifiant « {row.text('id')} » en double (déjà ligne {seen[site.id]})", "id")
        seen[site.id] = row.line
        modes = split_list(row.text("itinerance"))
        (itinerant if modes == (ITINERANT,) else fixed).append(site)
    if not sheet.rows:
        raise InputError("le fichier ne contient aucun lieu (seulement l'en-tête)", file=sheet.file)
    return LieuxFile(tuple(fixed), tuple(itinerant))


def with_fixed_places(territory: Territory, places: Iterable[FixedSite]) -> Territory:
    """``territory`` with more fixed places: those lying in its communes and not already known.

    A place closer than :data:`SAME_PLACE_METRES` to a known place of the same commune, or with
    the same name there, is the same place and is not added twice.
    """
    codes = set(territory.codes)
    known = list(territory.fixed_sites)
    added = []
    for site in places:
        if site.code_insee not in codes:
            continue
        same = any(
            s.code_insee == site.code_insee
            and (
                _normalise_name(s.name) == _normalise_name(site.name)
                or _haversine_m(site.lat, site.lon, s.lat, s.lon) < SAME_PLACE_METRES
            )
            for s in known + added
        )
        if not same:
            added.append(site)
    return replace(territory, fixed_sites=(*territory.fixed_sites, *added))
