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
  (0 urban … 1 very dispersed rural habitat, see :data:`planner.territory.region.GRILLE_DENSITE_LEVELS`);
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
(:func:`planner.territory.travel.territory_matrix`, or the matrix given); a place whose commune is not in the
matrix uses its own coordinates (:func:`planner.territory.travel.rect_travel`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.french import french_number
from planner.model import CommuneNeed, Territory
from planner.territory.travel import TravelMatrix, rect_travel, territory_matrix

#: Centre-Val de Loire references (computed from the embedded data, see data/SOURCES.md).
REF_SHARE_65P = 0.230  # people aged 65+ / population, RP 2021
REF_SHARE_NO_DIPLOMA = 0.233  # no diploma, 15+ out of school / population, RP 2016
REF_MEDIAN_INCOME = 22_716.0  # € per consumption unit, population-weighted, Filosofi 2021
REF_POVERTY_PCT = 16.8  # % population-weighted over the communes where it is published


#: Short references of the sources the default weights rest on (shared by the docstring of
#: :class:`NeedWeights` and the French explanations of :data:`WEIGHT_INFO`).
SRC_INSEE_1780 = "INSEE Première n° 1780 (2019)"
SRC_FILOSOFI = "INSEE Filosofi 2021"
SRC_ARCEP = "ARCEP"
SRC_DENSITY_GRID = "grille communale de densité INSEE"
SRC_FRANCE_SERVICES = "ANCT, France services"
SRC_MONOGRAPH = "monographie du territoire de Vierzon (2021)"
SRC_USER = "votre fichier"


@dataclass(frozen=True)
class WeightInfo:
    """How one field of :class:`NeedWeights` is explained, bounded and offered in the UI.

    Attributes
    ----------
    name
        Field name in :class:`NeedWeights` (and on the command line, ``--weight NAME=VALUE``).
    label
        French label of the control.
    explanation
        One French line: what the setting does and where its default comes from. The
        Territoire page shows it as the control's help and in its « Méthode et sources » table.
    source
        Short reference of the source (one of the ``SRC_*`` constants); the English docstring
        of :class:`NeedWeights` cites the same reference.
    bounds
        Accepted range ``(low, high)``, inclusive; :class:`NeedWeights` refuses values outside it.
    ui
        ``(low, high, step)`` of the control on the Territoire page (within ``bounds``).
    unit
        ``"share"`` (a rate in [0, 1]), ``"factor"`` (a weight), ``"minutes"`` or ``"people"``.
    """

    name: str
    label: str
    explanation: str
    source: str
    bounds: tuple[float, float]
    ui: tuple[float, float, float]
    unit: str = "factor"


#: Every numeric need weight, in the order the Territoire page shows them. ``user_indicator``
#: (a column name, not a number) is the only field of :class:`NeedWeights` not listed.
WEIGHT_INFO: tuple[WeightInfo, ...] = (
    WeightInfo(
        "rate_65p",
        "Part des 65 ans et plus ayant besoin d'aide",
        "64 % des 75 ans ou plus n'ont pas utilisé Internet dans l'année, les 65-74 ans bien moins, "
        "et la moitié environ des 65 ans ou plus ont 75 ans ou plus : 45 % par défaut.",
        SRC_INSEE_1780,
        (0.0, 1.0),
        (0.0, 1.0, 0.05),
        "share",
    ),
    WeightInfo(
        "rate_no_diploma",
        "Part des moins de 65 ans sans diplôme",
        "L'illectronisme est plusieurs fois plus fréquent sans diplôme (ni CEP ni BEPC) : 30 % par "
        "défaut, un ordre de grandeur et non une mesure.",
        SRC_INSEE_1780,
        (0.0, 1.0),
        (0.0, 1.0, 0.05),
        "share",
    ),
    WeightInfo(
        "rate_other",
        "Part des autres habitants",
        "Calée pour que la moyenne soit d'environ 17 % de personnes en illectronisme (15 ans ou plus) "
        "dans une population comme celle de la France : 7 % par défaut.",
        SRC_INSEE_1780,
        (0.0, 1.0),
        (0.0, 0.5, 0.01),
        "share",
    ),
    WeightInfo(
        "income",
        "Poids du revenu médian",
        "L'illectronisme est plus fréquent chez les ménages modestes ; avec 0,5, un revenu médian "
        "10 % sous celui de la région donne 5 % de besoin en plus (poids à discuter).",
        SRC_FILOSOFI,
        (0.0, 5.0),
        (0.0, 2.0, 0.1),
    ),
    WeightInfo(
        "poverty",
        "Poids du taux de pauvreté",
        "Là où il est publié ; avec 1, un taux de pauvreté supérieur de 10 points à celui de la région "
        "donne 10 % de besoin en plus (poids à discuter).",
        SRC_FILOSOFI,
        (0.0, 5.0),
        (0.0, 3.0, 0.1),
    ),
    WeightInfo(
        "fibre",
        "Poids de l'absence de fibre",
        "Part des locaux non raccordables à la fibre ; avec 0,2, une commune sans aucun local "
        "raccordable a 20 % de besoin en plus (poids à discuter).",
        SRC_ARCEP,
        (0.0, 5.0),
        (0.0, 1.0, 0.05),
    ),
    WeightInfo(
        "rurality",
        "Poids de la ruralité",
        "Éloignement des services et de l'aide ; avec 0,15, l'habitat rural très dispersé a 15 % de "
        "besoin en plus, les centres urbains rien (poids à discuter).",
        SRC_DENSITY_GRID,
        (0.0, 5.0),
        (0.0, 1.0, 0.05),
    ),
    WeightInfo(
        "user_weight",
        "Poids de l'indicateur complémentaire",
        "Pour un indicateur de votre fichier (par ex. un score de fragilité numérique) : avec 1, une "
        "commune 20 % au-dessus de la moyenne a 20 % de besoin en plus ; 0 par défaut.",
        SRC_USER,
        (-5.0, 5.0),
        (-2.0, 2.0, 0.1),
    ),
    WeightInfo(
        "catchment_minutes",
        "Rayon d'attraction d'un lieu fixe (minutes)",
        "Au-delà, un lieu fixe n'aide plus ; 20 minutes par défaut, moins que l'objectif de 30 minutes "
        "du réseau France services, car les personnes les plus éloignées du numérique se déplacent peu.",
        SRC_FRANCE_SERVICES,
        (1.0, 120.0),
        (5.0, 60.0, 5.0),
        "minutes",
    ),
    WeightInfo(
        "people_per_site",
        "Personnes accompagnées par an par lieu fixe",
        "250 par défaut : Str@t'Emploi reçoit environ 2 nouvelles personnes par jour, l'EPN de Graçay "
        "30 participants aux ateliers et 4 à 5 personnes par semaine en accès libre.",
        SRC_MONOGRAPH,
        (0.0, math.inf),
        (0.0, 5000.0, 50.0),
        "people",
    ),
)


@dataclass(frozen=True)
class NeedWeights:
    """Weights of the need model and parameters of the coverage model.

    These are estimates to discuss with the people who know the territory, not measurements:
    each default is an order of magnitude drawn from the source named below. The same
    explanation, in French, is shown beside each control of the Territoire page
    (:data:`WEIGHT_INFO`), and every weight can be set on the command line
    (``--weight NAME=VALUE``, see :func:`parse_weight`).

    Attributes
    ----------
    rate_65p : float, default 0.45
        Share of people aged 65+ needing help. Source: INSEE Première n° 1780 (2019): 64 % of
        people aged 75+ did not use the internet in the year; the 65–74 are far more connected;
        about half of the 65+ are 75+.
    rate_no_diploma : float, default 0.30
        Share of people under 65 with no diploma (15+, out of school, no diploma, CEP or BEPC)
        needing help. Source: INSEE Première n° 1780 (2019): illectronism is several times more
        frequent without a diploma. An order of magnitude, not a measured rate.
    rate_other : float, default 0.07
        Share of everyone else needing help. Source: INSEE Première n° 1780 (2019): 17 % of people
        aged 15+ are in illectronism; 0.07 brings the average of the three groups to about that
        in a population like France's.
    income : float, default 0.5
        Weight of the gap to the regional median disposable income per consumption unit:
        10 % poorer → 5 % more need. Source: INSEE Filosofi 2021 for the indicator; INSEE
        Première n° 1780 for the direction (illectronism is more frequent in poor households);
        the size is a judgement.
    poverty : float, default 1.0
        Weight of the poverty-rate gap in points, where published: +10 points → 10 % more need.
        Source: INSEE Filosofi 2021 (poverty rate at 60 % of the median); the size is a judgement.
    fibre : float, default 0.2
        Extra need where no premises can get fibre (proportional to the share that cannot).
        Source: ARCEP (premises that can be connected to FttH); the size is a judgement.
    rurality : float, default 0.15
        Extra need in very dispersed rural habitat (distance to services and to help), scaled by
        the rurality level. Source: grille communale de densité INSEE (7 levels, see
        :data:`planner.territory.region.GRILLE_DENSITE_LEVELS`); the size is a judgement.
    user_indicator : str, default ""
        Name of an indicator column of the user's file (``""`` for none), e.g. a fragility score.
    user_weight : float, default 0.0
        Its weight: ``f_user = 1 + user_weight × (x / mean − 1)``. Source: votre fichier (the
        user's own indicator; no default effect).
    catchment_minutes : float, default 20.0
        Drive time beyond which a fixed place gives no coverage. Source: ANCT, France services
        (the network's aim is a place within 30 minutes of everyone); shorter here because the
        people furthest from digital tools travel least.
    people_per_site : float, default 250.0
        People a place of capacity 1 helps per year. Source: monographie du territoire de
        Vierzon (2021): the Str@t'Emploi association receives about 2 new people a day; the EPN
        of Graçay 30 workshop participants and 4–5 weekly free-access users.

    Raises
    ------
    InputError
        When a value is outside its range (:attr:`WeightInfo.bounds`), in French.
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
        for info in WEIGHT_INFO:
            value = getattr(self, info.name)
            low, high = info.bounds
            if low <= value <= high:
                continue
            if math.isinf(high):
                raise InputError(
                    f"« {info.label} » ({info.name}) ne peut pas être négatif (lu {french_number(value)})"
                )
            raise InputError(
                f"« {info.label} » ({info.name}) doit être compris entre {french_number(low)} et {french_number(high)} "
                f"(lu {french_number(value)})"
            )


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
        Travel matrix covering the territory; default :func:`planner.territory.travel.territory_matrix`.

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
