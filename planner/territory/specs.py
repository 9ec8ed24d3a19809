"""Territories: from a spec (``vierzon``, ``bv2022:CODE``, ``epci:SIREN``, a file) to a :class:`Territory`.

A territory is a set of communes with their raw indicators and the fixed mediation places located
in them. Embedded specs pick communes of Centre-Val de Loire (:mod:`planner.territory.region`); a user file
brings its own communes (:mod:`planner.inputs.communes`). Either way the fixed places are those of the
embedded data lying in the territory's communes (:mod:`planner.territory.fixed_sites`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from planner.errors import UnknownTerritoryError
from planner.inputs.communes import read_communes_file
from planner.model import Territory
from planner.territory.fixed_sites import read_lieux_file, sites_in, with_fixed_places
from planner.territory.region import region_communes, region_frame

DEFAULT_SPEC = "vierzon"
#: ``SPEC+lieux:FILE`` adds the fixed places of a file in the national standard to a territory.
LIEUX_MARK = "+lieux:"

#: EPCI making up the default territory (CC Vierzon-Sologne-Berry, CC de la Sologne des Rivières,
#: CC Cœur de Berry).
VIERZON_EPCI: tuple[str, ...] = ("200090561", "244100806", "200070571")
VIERZON_NAME = "Pays de Vierzon (CC Vierzon-Sologne-Berry, CC Sologne des Rivières, CC Cœur de Berry)"
REGION_SPEC = "cvl"
REGION_NAME = "Région Centre-Val de Loire"


def _territory_from_codes(spec: str, name: str, codes: Iterable[str]) -> Territory:
    region = region_communes()
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


def load_territory(spec: str, *, allow_paths: bool = True) -> Territory:
    """Build the territory a spec names.

    Parameters
    ----------
    spec
        ``"vierzon"`` (default territory: 34 communes, 55,012 inhabitants), ``"bv2012:CODE"``,
        ``"bv2022:CODE"`` (bassin de vie by the INSEE code of its pole commune),
        ``"epci:SIREN[,SIREN…]"``, ``"cvl"`` (the whole region, 1,754 communes), or the path of a
        ``.csv``/``.xlsx`` file of communes; any of them followed by ``+lieux:FILE`` adds the
        fixed places of ``FILE``, a file in the national standard of mediation places
        (:func:`planner.territory.fixed_sites.read_lieux_file`).
    allow_paths
        ``False`` where the spec comes from someone else's file (a plan uploaded to the dashboard):
        a path is then refused before the file system is touched, with the same message whether
        the file exists or not.

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
    if LIEUX_MARK in raw:
        base, places = raw.split(LIEUX_MARK, 1)
        territory = load_territory(base, allow_paths=allow_paths)
        if not allow_paths:
            raise UnknownTerritoryError(
                "territoire refusé : des lieux ajoutés par un fichier s'importent sur la page Territoire"
            )
        path = Path(places.strip())
        if not path.is_file():
            raise UnknownTerritoryError(f"fichier de lieux introuvable : « {places.strip()} »")
        return replace(with_fixed_places(territory, read_lieux_file(path).fixed), spec=raw)
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
    if not allow_paths:
        raise UnknownTerritoryError(
            f"territoire refusé : « {raw[:200]} » n'est pas un territoire intégré (vierzon, bv2012:CODE, "
            "bv2022:CODE, epci:SIREN, cvl) ; un fichier de communes s'importe sur la page Territoire"
        )
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


def with_lieux(spec: str, lieux: str | None) -> str:
    """``spec`` with the fixed places of a file in the national standard added (``SPEC+lieux:FILE``).

    ``lieux`` is the file as the reader of the spec finds it: an absolute path on the command
    line, an imported file's reference in the dashboard (``ui.data``).
    """
    return f"{spec}{LIEUX_MARK}{lieux}" if lieux else spec


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


def load_territory_file(source: str | Path | bytes, filename: str) -> Territory:
    """Load a user file of communes (CSV or Excel) into a territory with its embedded fixed places.

    Parameters
    ----------
    source
        File path or raw bytes (an upload).
    filename
        Name shown in error messages (and used to choose CSV or Excel); also the territory's spec.

    Raises
    ------
    InputError
        On the first problem, naming the file, row and column (see
        :func:`planner.inputs.communes.read_communes_file`). Nothing is half-loaded.
    """
    communes = read_communes_file(source, filename)
    return Territory(
        spec=filename,
        name=f"Fichier {filename}",
        communes=communes,
        fixed_sites=sites_in(c.code_insee for c in communes),
    )
