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
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

from planner.model import FixedSite
from planner.territory.region import DATA_DIR, commune_containing, region_frame

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
