"""The embedded Centre-Val de Loire data: communes, their indicators and their outlines.

Everything here reads ``data/`` (see ``data/SOURCES.md``) once per process and caches it:
the 1,754 communes with every indicator the need model uses, as a frame
(:func:`region_frame`) or as :class:`~planner.model.Commune` objects (:func:`region_communes`),
and the commune outlines (:func:`commune_outlines`, :func:`commune_containing`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd

from planner import DATA_DIR
from planner.model import Commune

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

_TEXT_COLS = {"code_insee": str, "epci_siren": str, "bv2022": str, "bv2012": str, "dep": str}


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


def region_codes() -> np.ndarray:
    """INSEE codes of every Centre-Val de Loire commune (1,754)."""
    return region_frame().index.to_numpy()


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
def region_communes() -> dict[str, Commune]:
    """``code_insee -> Commune`` for every commune of the region, with its embedded indicators (cached)."""
    return {row["code_insee"]: _commune_from_row(row) for row in region_frame().to_dict("records")}


@lru_cache(maxsize=1)
def commune_outlines() -> dict:
    """The commune outlines GeoJSON (``data/communes_cvl_contours.geojson``), parsed once."""
    with open(DATA_DIR / "communes_cvl_contours.geojson", encoding="utf-8") as fh:
        return json.load(fh)


def _point_in_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


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
