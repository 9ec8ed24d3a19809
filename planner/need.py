"""Need for digital help per commune, the coverage fixed places already give, and the unmet need.

Need model
----------
The estimated number of people needing help in commune *i* is ``need_i = population_i × rate_i``
with

``rate_i = min(1, base_i × f_income × f_poverty × f_fibre × f_rurality × f_user)``

``base_i = r65 × s65 + rnd × snd × (1 − s65) + rother × (1 − s65 − snd × (1 − s65))``

where ``s65`` is the share of people aged 65+ (census 2021), ``snd`` the share of people aged 15+
out of school with no diploma, CEP or BEPC (census 2016) — taken as independent of age, so the
no-diploma people under 65 are ``snd × (1 − s65)`` — and ``r65``, ``rnd``, ``rother`` the
rates of need in each group. Missing indicators fall back to the Centre-Val de Loire shares.
The modifiers are 1 when their indicator is missing:

- ``f_income = 1 + income × (REF_MEDIAN_INCOME − median) / REF_MEDIAN_INCOME``, clipped to [0.5, 1.5]
  (Filosofi 2021 median disposable income per consumption unit);
- ``f_poverty = 1 + poverty × (rate − REF_POVERTY_PCT) / 100`` (Filosofi 2021, where published);
- ``f_fibre = 1 + fibre × (1 − ftth_pct / 100)`` (ARCEP: premises that can get fibre);
- ``f_rurality = 1 + rurality × level`` with ``level`` from the INSEE density grid
  (0 urban … 1 very dispersed rural habitat, see :data:`planner.territory.GRILLE_DENSITE_LEVELS`);
- ``f_user = clip(1 + user_weight × (x / mean(x) − 1), 0, 3)`` for a user indicator column ``x``
  (e.g. a fragility index score), mean over the territory's communes that have it.

Sources of the default weights (see :class:`NeedWeights`): INSEE Première n° 1780 (Legleye &
Rolland, October 2019, « Une personne sur six n'utilise pas Internet, plus d'un usager sur trois
manque de compétences numériques de base »): 17 % of people aged 15+ are in illectronism; 64 % of
people aged 75+ did not use the internet in the year; illectronism is several times more frequent
without a diploma and in poor households. The group rates below are orders of magnitude derived
from these figures, chosen so that the regional average rate is about 20 % (the region is older
than France): they are settings to discuss locally, not measurements.

Coverage (enhanced two-step floating catchment area)
----------------------------------------------------
Each fixed place *j* offers ``S_j = capacity_j × people_per_site`` people helped per year. With the
Gaussian distance decay of Dai (2010) on the drive time ``t`` (minutes) and the catchment ``t0``:

``W(t) = (exp(−½ (t/t0)²) − exp(−½)) / (1 − exp(−½))`` for ``t ≤ t0``, else ``0``

so that ``W(0) = 1`` and ``W(t0) = 0``. Step 1: ``R_j = S_j / Σ_k need_k W(t_kj)`` (supply per
person in need within reach of *j*; 0 when nobody is in reach). Step 2: ``A_i = Σ_j R_j W(t_ij)``.
``coverage_i = min(1, A_i)`` and ``unmet_need_i = need_i × (1 − coverage_i)``.

Drive times from a place to a commune are those of the place's commune in the travel matrix
(:func:`planner.travel.territory_matrix`, or the matrix given); a place whose commune is not in the
matrix uses its own coordinates (:func:`planner.travel.rect_travel`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.model import CommuneNeed, Territory
from planner.travel import TravelMatrix, rect_travel, territory_matrix

#: Centre-Val de Loire references (computed from the embedded data, see data/SOURCES.md).
REF_SHARE_65P = 0.230  # people aged 65+ / population, RP 2021
REF_SHARE_NO_DIPLOMA = 0.233  # no diploma, 15+ out of school / population, RP 2016
REF_MEDIAN_INCOME = 22_716.0  # € per consumption unit, population-weighted, Filosofi 2021
REF_POVERTY_PCT = 16.8  # % population-weighted over the communes where it is published


@dataclass(frozen=True)
class NeedWeights:
    """Weights of the need model and parameters of the coverage model.

    Attributes
    ----------
    rate_65p
        Share of people aged 65+ needing help (0.45). INSEE Première 1780 (2019): 64 % of the
        75+ did not use the internet in the year; the 65–74 are far more connected; about half of
        the 65+ are 75+.
    rate_no_diploma
        Share of people under 65 with no diploma (15+, out of school) needing help (0.30).
        INSEE Première 1780: illectronism is several times more frequent without a diploma.
    rate_other
        Share of everyone else needing help (0.07), so that the average is about the 17 % of
        INSEE Première 1780 in a population like France's.
    income
        Weight of the gap to the regional median income (0.5): 10 % poorer → 5 % more need.
    poverty
        Weight of the poverty-rate gap in points (1.0): +10 points → 10 % more need.
    fibre
        Extra need where no premises can get fibre (0.2), ARCEP.
    rurality
        Extra need in very dispersed rural habitat (0.15): distance to services and to help.
    user_indicator
        Name of a user indicator column (``""`` for none), e.g. a fragility score.
    user_weight
        Its weight: ``f_user = 1 + user_weight × (x / mean − 1)``.
    catchment_minutes
        Drive time beyond which a fixed place gives no coverage (20 min).
    people_per_site
        People a place of capacity 1 helps per year (250: the Str@t'Emploi association in the
        monograph receives about 2 new people a day; the EPN of Graçay 30 workshop participants
        and 4–5 weekly free-access users).
    """

    rate_65p: float = 0.45
    rate_no_diploma: float = 0.30
    rate_other: float = 0.07
    income: float = 0.5
    poverty: float = 1.0
    fibre: float = 0.2
    rurality: float = 0.15
    user_indicator: str = ""
    user_weight: float = 0.0
    catchment_minutes: float = 20.0
    people_per_site: float = 250.0

    def __post_init__(self) -> None:
        for name in ("rate_65p", "rate_no_diploma", "rate_other"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise InputError(f"le taux « {name} » doit être compris entre 0 et 1 (lu {value})")
        for name in ("income", "poverty", "fibre", "rurality"):
            value = getattr(self, name)
            if not 0.0 <= value <= 5.0:
                raise InputError(f"le poids « {name} » doit être compris entre 0 et 5 (lu {value})")
        if not -5.0 <= self.user_weight <= 5.0:
            raise InputError(
                f"le poids de l'indicateur utilisateur doit être compris entre -5 et 5 (lu {self.user_weight})"
            )
        if not 1.0 <= self.catchment_minutes <= 120.0:
            raise InputError("le rayon d'attraction des lieux fixes doit être compris entre 1 et 120 minutes")
        if self.people_per_site < 0:
            raise InputError("le nombre de personnes accompagnées par lieu ne peut pas être négatif")


def weight_names() -> tuple[str, ...]:
    """Names of the fields of :class:`NeedWeights` (for the CLI and the UI)."""
    return tuple(f.name for f in fields(NeedWeights))


def parse_weight(weights: NeedWeights, text: str) -> NeedWeights:
    """Apply one ``NAME=VALUE`` setting (as given on the command line) to ``weights``."""
    from dataclasses import replace

    if "=" not in text:
        raise InputError(f"réglage de poids invalide « {text} » : NOM=VALEUR attendu, ex. rate_65p=0.5")
    name, value = (part.strip() for part in text.split("=", 1))
    if name not in weight_names():
        raise InputError(f"poids inconnu « {name} » ; poids possibles : {', '.join(weight_names())}")
    if name == "user_indicator":
        return replace(weights, user_indicator=value)
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise InputError(f"valeur numérique attendue pour « {name} », lu « {value} »") from None
    return replace(weights, **{name: number})


def decay(minutes: np.ndarray | float, catchment_minutes: float) -> np.ndarray:
    """Gaussian distance decay of Dai (2010): 1 at 0 min, 0 at and beyond ``catchment_minutes``."""
    t = np.asarray(minutes, dtype=float)
    edge = math.exp(-0.5)
    w = (np.exp(-0.5 * (t / catchment_minutes) ** 2) - edge) / (1.0 - edge)
    return np.where(t <= catchment_minutes, np.clip(w, 0.0, 1.0), 0.0)


def need_rates(territory: Territory, weights: NeedWeights = NeedWeights()) -> np.ndarray:
    """Share of each commune's population needing help (territory order), in [0, 1]."""
    communes = territory.communes

    def ind(name: str) -> np.ndarray:
        return np.array([c.indicators.get(name, np.nan) for c in communes], dtype=float)

    def share(numerator: str, denominator: str, ref: float) -> np.ndarray:
        num, den = ind(numerator), ind(denominator)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = num / den
        return np.clip(np.where(np.isfinite(s) & (den > 0), s, ref), 0.0, 1.0)

    s65 = share("pop_65p", "pop_totale_rp2021", REF_SHARE_65P)
    snd = share("pop_15p_non_scol_sans_diplome_rp2016", "pop_totale_rp2016", REF_SHARE_NO_DIPLOMA)
    nd_young = snd * (1.0 - s65)
    other = np.clip(1.0 - s65 - nd_young, 0.0, 1.0)
    base = weights.rate_65p * s65 + weights.rate_no_diploma * nd_young + weights.rate_other * other

    income = ind("revenu_median_uc_2021")
    f_income = np.where(
        np.isfinite(income),
        np.clip(1.0 + weights.income * (REF_MEDIAN_INCOME - income) / REF_MEDIAN_INCOME, 0.5, 1.5),
        1.0,
    )
    poverty = ind("taux_pauvrete_2021")
    f_poverty = np.where(
        np.isfinite(poverty),
        np.clip(1.0 + weights.poverty * (poverty - REF_POVERTY_PCT) / 100.0, 0.5, 2.0),
        1.0,
    )
    fibre = ind("fibre_ftth_pct")
    f_fibre = np.where(np.isfinite(fibre), 1.0 + weights.fibre * (1.0 - np.clip(fibre, 0, 100) / 100.0), 1.0)
    rural = ind("ruralite_niveau")
    f_rural = np.where(np.isfinite(rural), 1.0 + weights.rurality * np.clip(rural, 0.0, 1.0), 1.0)
    f_user = np.ones(len(communes))
    if weights.user_indicator and weights.user_weight:
        x = ind(weights.user_indicator)
        if not np.isfinite(x).any():
            raise InputError(
                f"indicateur « {weights.user_indicator} » absent du territoire « {territory.name} »",
                column=weights.user_indicator,
            )
        mean = float(np.nanmean(x))
        if mean > 0:
            f_user = np.where(
                np.isfinite(x), np.clip(1.0 + weights.user_weight * (x / mean - 1.0), 0.0, 3.0), 1.0
            )
    return np.clip(base * f_income * f_poverty * f_fibre * f_rural * f_user, 0.0, 1.0)


def site_minutes(territory: Territory, matrix: TravelMatrix) -> np.ndarray:
    """Drive minutes from each fixed place (rows) to each commune (columns, territory order)."""
    sites = territory.fixed_sites
    n = len(territory.communes)
    out = np.zeros((len(sites), n))
    col = np.array([matrix.index(c) for c in territory.codes], dtype=int)
    outside = []
    known = set(matrix.codes)
    for row, site in enumerate(sites):
        if site.code_insee in known:
            out[row] = matrix.drive_min[matrix.index(site.code_insee), col]
        else:
            outside.append(row)
    if outside:
        _, minutes = rect_travel(
            [sites[r].lat for r in outside],
            [sites[r].lon for r in outside],
            [c.lat for c in territory.communes],
            [c.lon for c in territory.communes],
        )
        out[outside] = minutes
    return out


def e2sfca(need: np.ndarray, supply: np.ndarray, minutes: np.ndarray, catchment_minutes: float) -> np.ndarray:
    """Enhanced 2SFCA accessibility ``A_i`` (supply per person in need) for each commune.

    Parameters
    ----------
    need
        Demand per commune, shape ``(n,)``.
    supply
        Supply per site, shape ``(m,)``.
    minutes
        Drive time site → commune, shape ``(m, n)``.
    catchment_minutes
        Catchment of the Gaussian decay (:func:`decay`).
    """
    w = decay(minutes, catchment_minutes)  # (m, n)
    reach = w @ need  # (m,)
    ratio = np.divide(supply, reach, out=np.zeros_like(supply, dtype=float), where=reach > 0)
    return ratio @ w  # (n,)


def compute_need(
    territory: Territory, weights: NeedWeights = NeedWeights(), matrix: TravelMatrix | None = None
) -> dict[str, CommuneNeed]:
    """Need, coverage by fixed places and unmet need of every commune of ``territory``.

    Parameters
    ----------
    territory
        The communes and their fixed places.
    weights
        Need weights and coverage parameters.
    matrix
        Travel matrix covering the territory; default :func:`planner.travel.territory_matrix`.

    Returns
    -------
    dict
        ``code_insee -> CommuneNeed`` in territory order.
    """
    if matrix is None:
        matrix = territory_matrix(territory)
    population = np.array([c.population for c in territory.communes], dtype=float)
    need = population * need_rates(territory, weights)
    if territory.fixed_sites and weights.people_per_site > 0:
        supply = np.array([s.capacity for s in territory.fixed_sites]) * weights.people_per_site
        access = e2sfca(need, supply, site_minutes(territory, matrix), weights.catchment_minutes)
        coverage = np.clip(access, 0.0, 1.0)
    else:
        coverage = np.zeros(len(need))
    return {
        c.code_insee: CommuneNeed(
            code_insee=c.code_insee,
            need=float(need[i]),
            coverage=float(coverage[i]),
            unmet_need=float(need[i] * (1.0 - coverage[i])),
        )
        for i, c in enumerate(territory.communes)
    }


def need_table(territory: Territory, needs: dict[str, CommuneNeed]) -> pd.DataFrame:
    """One row per commune: code_insee, name, population, need, coverage, unmet_need, EPCI, indicators.

    Sorted by decreasing unmet need.
    """
    sites_by_commune: dict[str, int] = {}
    for site in territory.fixed_sites:
        sites_by_commune[site.code_insee] = sites_by_commune.get(site.code_insee, 0) + 1
    rows = []
    for c in territory.communes:
        n = needs[c.code_insee]
        rows.append(
            {
                "code_insee": c.code_insee,
                "name": c.name,
                "population": c.population,
                "need": n.need,
                "coverage": n.coverage,
                "unmet_need": n.unmet_need,
                "need_rate": n.need / c.population if c.population else 0.0,
                "fixed_sites": sites_by_commune.get(c.code_insee, 0),
                "epci": c.epci_name,
                "epci_siren": c.epci_siren,
                "lat": c.lat,
                "lon": c.lon,
                "part_65p_pct": c.indicators.get("part_65p_pct", np.nan),
                "revenu_median_uc_2021": c.indicators.get("revenu_median_uc_2021", np.nan),
                "fibre_ftth_pct": c.indicators.get("fibre_ftth_pct", np.nan),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.sort_values("unmet_need", ascending=False, kind="stable").reset_index(drop=True)
