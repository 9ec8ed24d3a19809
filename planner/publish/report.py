"""Key figures of a plan for funders, side by side with the saupoudrage baseline.

Every figure comes with a one-line French definition (:data:`DEFINITIONS`) that a funder can
read without knowing the model. The main ideas:

* **service** of a commune = the participants of the plan who live there (``from_communes``
  of each series; the host itself when a series does not say where its people come from);
* **equity** = Gini index of service relative to need between communes: communes are sorted
  by service per person in need; the Lorenz curve joins the cumulative share of need (x) to
  the cumulative share of service (y); ``G = 1 − Σ_k (x_k − x_{k−1}) (y_k + y_{k−1})``.
  Service proportional to need gives the diagonal and ``G = 0``; everything in one commune of
  ``n`` with equal need gives ``G = 1 − 1/n``;
* **mediation places** = communes holding a fixed site, plus the communes hosting a full series
  of the plan (a single visit a year is not a place one can go to); a **white zone** is a commune
  more than 20 minutes' drive from every mediation place;
* **equity and travel** = the figures of :mod:`planner.publish.equity` (least-covered third,
  participants assumed to travel, sessions in the base town), computed on the territory's own
  coverage and unmet need so that a baseline and a plan are judged alike;
* **CO2** = km × fuel use (L/100 km) × 3.17 kg CO2e per litre of road diesel, upstream and
  combustion included (arrêté du 26 avril 2017 pris pour l'application du décret n° 2017-639,
  annexe, « gazole routier » : 0,66 amont + 2,51 combustion); the default fuel use, 10 L/100 km,
  is that of a diesel light commercial vehicle (bus numérique aménagé) and is a setting.

pandas only appears in the functions returning tables (``*_frame``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.french import french_decimal
from planner.model import PARCOURS, PERMANENCE, CommuneNeed, Plan, Territory
from planner.publish.equity import HELP as EQUITY_HELP
from planner.publish.equity import LABELS as EQUITY_LABELS
from planner.publish.equity import Equity, territory_equity
from planner.territory.need import site_minutes
from planner.territory.travel import TravelMatrix

NEAR_MINUTES = 15.0
WHITE_ZONE_MINUTES = 20.0
CO2_KG_PER_LITRE_DIESEL = 3.17
CO2_SOURCE = (
    "3,17 kg CO2e par litre de gazole routier, amont et combustion (arrêté du 26 avril 2017, "
    "décret n° 2017-639, valeur reprise par la Base Carbone de l'ADEME)"
)


@dataclass(frozen=True)
class CostRates:
    """User-set rates turning km and hours into money and CO2.

    Parameters
    ----------
    eur_per_km
        Running cost of the vehicle per km (fuel, upkeep, insurance share).
    eur_per_hour
        Cost of one hour of the resource on the road or in a workshop (crew included).
    fuel_l_per_100km
        Fuel use of the vehicle (10 L/100 km: a diesel light commercial vehicle).
    co2_kg_per_litre
        Emission factor of the fuel (3.17 kg CO2e per litre of road diesel, see :data:`CO2_SOURCE`).
    """

    eur_per_km: float = 0.50
    eur_per_hour: float = 50.0
    fuel_l_per_100km: float = 10.0
    co2_kg_per_litre: float = CO2_KG_PER_LITRE_DIESEL

    def __post_init__(self) -> None:
        labels = {
            "eur_per_km": "coût au km",
            "eur_per_hour": "coût horaire",
            "fuel_l_per_100km": "consommation",
            "co2_kg_per_litre": "facteur d'émission",
        }
        for name, label in labels.items():
            if getattr(self, name) < 0:
                raise InputError(f"le taux « {label} » ne peut pas être négatif")

    @property
    def co2_kg_per_km(self) -> float:
        """Kilograms of CO2e per km driven."""
        return self.fuel_l_per_100km / 100.0 * self.co2_kg_per_litre


@dataclass(frozen=True, eq=False)
class ReportContext:
    """The territory a plan is judged on: communes, their need, drive times."""

    territory: Territory
    needs: Mapping[str, CommuneNeed]
    matrix: TravelMatrix

    @classmethod
    def from_problem(cls, problem) -> ReportContext:
        """Take territory, needs and matrix from a :class:`~planner.problem.PlanningProblem`."""
        return cls(problem.territory, problem.needs, problem.matrix)

    def need(self, code: str) -> float:
        """Estimated people in need in a commune (0 when unknown)."""
        n = self.needs.get(code)
        return n.need if n else 0.0

    def unmet(self, code: str) -> float:
        """Unmet need of a commune (0 when unknown)."""
        n = self.needs.get(code)
        return n.unmet_need if n else 0.0


# ---------------------------------------------------------------- equity
def lorenz_points(service: Sequence[float], need: Sequence[float]) -> list[tuple[float, float]]:
    """Lorenz curve of service relative to need, from ``(0, 0)`` to ``(1, 1)``.

    Units with zero need are left out. Units are sorted by service per unit of need (least
    served first); each point is (cumulative share of need, cumulative share of service).
    With no service at all the curve is flat at 0 and ends at ``(1, 0)``.
    """
    s = np.asarray(service, dtype=float)
    n = np.asarray(need, dtype=float)
    if s.shape != n.shape:
        raise ValueError("service and need must have the same length")
    keep = n > 0
    s, n = s[keep], n[keep]
    if n.size == 0:
        return [(0.0, 0.0), (1.0, 1.0)]
    order = np.argsort(s / n, kind="stable")
    s, n = s[order], n[order]
    x = np.concatenate([[0.0], np.cumsum(n) / n.sum()])
    total = s.sum()
    y = np.concatenate([[0.0], np.cumsum(s) / total]) if total > 0 else np.zeros(n.size + 1)
    return [(float(a), float(b)) for a, b in zip(x, y, strict=True)]


def gini(service: Sequence[float], need: Sequence[float]) -> float:
    """Gini index of service relative to need: 0 = proportional to need, → 1 = all in one place.

    ``G = 1 − Σ_k (x_k − x_{k−1}) (y_k + y_{k−1})`` on the points of :func:`lorenz_points`.
    Returns ``nan`` when there is no service or no need.
    """
    s = np.asarray(service, dtype=float)
    n = np.asarray(need, dtype=float)
    if s[n > 0].sum() <= 0 or n.sum() <= 0:
        return float("nan")
    pts = np.asarray(lorenz_points(s, n))
    dx = np.diff(pts[:, 0])
    ys = pts[1:, 1] + pts[:-1, 1]
    return float(1.0 - np.sum(dx * ys))


# ---------------------------------------------------------------- service and places
def served_by_commune(plan: Plan, series_ids: Iterable[str] | None = None) -> dict[str, int]:
    """Participants of the plan by home commune (only the series ``series_ids`` when given)."""
    keep = None if series_ids is None else set(series_ids)
    out: dict[str, int] = defaultdict(int)
    for s in plan.series:
        if keep is not None and s.id not in keep:
            continue
        if s.from_communes:
            for code, k in s.from_communes.items():
                out[code] += int(k)
        else:
            out[s.host] += int(s.participants)
    return dict(out)


def sessions_per_series(plan: Plan) -> dict[str, int]:
    """Number of sessions of each series in the plan."""
    out: dict[str, int] = defaultdict(int)
    for s in plan.sessions:
        out[s.series] += 1
    return dict(out)


def full_series_ids(plan: Plan, k: int | None = None) -> set[str]:
    """Parcours holding at least ``k`` sessions (default: the plan's rule, 5); a permanence or
    home visits are never a parcours, however many dates they have."""
    k = plan.rules.sessions_per_series if k is None else k
    counts = sessions_per_series(plan)
    return {s.id for s in plan.series if s.service == PARCOURS and counts.get(s.id, 0) >= k}


def plan_hosts(plan: Plan) -> tuple[str, ...]:
    """Communes holding at least one session of the plan (sorted)."""
    return tuple(sorted({s.host for s in plan.sessions}))


def series_hosts(plan: Plan, k: int | None = None) -> tuple[str, ...]:
    """Communes holding a full series (``k`` sessions, default the plan's rule), sorted.

    Only these count as mediation places: a single visit a year is not a place people can go to.
    A permanence with as many dates is one (a regular stop people know); home visits are not.
    """
    full = full_series_ids(plan, k)
    k = plan.rules.sessions_per_series if k is None else k
    counts = sessions_per_series(plan)
    regular = {s.id for s in plan.series if s.service == PERMANENCE and counts.get(s.id, 0) >= k}
    return tuple(sorted({s.host for s in plan.series if s.id in full | regular}))


def minutes_to_places(ctx: ReportContext, hosts: Iterable[str] = ()) -> dict[str, float]:
    """Drive minutes from each commune to its nearest mediation place.

    Places are the fixed sites of the territory (drive times from
    :func:`planner.territory.need.site_minutes`, the same the coverage model uses) and the given host
    communes (drive times from the matrix). ``inf`` when there is no place at all.
    """
    codes = ctx.territory.codes
    best = np.full(len(codes), np.inf)
    if ctx.territory.fixed_sites:
        best = site_minutes(ctx.territory, ctx.matrix).min(axis=0)
    rows = [ctx.matrix.index(c) for c in codes]
    for h in set(hosts):
        if h in ctx.matrix.codes:
            best = np.minimum(best, ctx.matrix.drive_min[rows, ctx.matrix.index(h)])
    return {c: float(v) for c, v in zip(codes, best, strict=True)}


def white_zones(
    ctx: ReportContext, hosts: Iterable[str] = (), max_minutes: float = WHITE_ZONE_MINUTES
) -> tuple[str, ...]:
    """Communes more than ``max_minutes`` from every mediation place (fixed sites + ``hosts``)."""
    minutes = minutes_to_places(ctx, hosts)
    return tuple(c for c in ctx.territory.codes if minutes[c] > max_minutes + 1e-9)


def need_near_places(
    ctx: ReportContext, hosts: Iterable[str] = (), max_minutes: float = NEAR_MINUTES
) -> float:
    """People in need living within ``max_minutes`` of a mediation place (fixed sites + ``hosts``)."""
    minutes = minutes_to_places(ctx, hosts)
    return float(sum(ctx.need(c) for c in ctx.territory.codes if minutes[c] <= max_minutes + 1e-9))


# ---------------------------------------------------------------- figures
@dataclass(frozen=True)
class PlanFigures:
    """The figures of one plan (see :data:`DEFINITIONS` for their meaning)."""

    participants: int
    participants_full_series: int
    unmet_share: float
    unmet_full_share: float
    communes_full_series: int
    communes_visited: int
    sessions: int
    need_near: float
    white_zones: tuple[str, ...]
    white_zone_population: int
    gini: float
    km: float
    drive_hours: float
    staff_hours: float
    cost_eur: float
    co2_kg: float
    service: Mapping[str, int] = field(default_factory=dict)
    equity: Equity | None = None

    def per_participant(self, value: float) -> float:
        """``value`` divided by the participants (``nan`` without participants)."""
        return value / self.participants if self.participants else float("nan")


def plan_figures(
    plan: Plan, ctx: ReportContext, rates: CostRates | None = None, k: int | None = None
) -> PlanFigures:
    """Compute the figures of one plan on a territory.

    Parameters
    ----------
    plan
        The plan (optimised or baseline).
    ctx
        Territory, needs and drive times.
    rates
        Money and CO2 rates (defaults of :class:`CostRates`).
    k
        Sessions that make a full series (default: the plan's rule). Pass the optimised plan's
        value to judge a baseline by the same yardstick.
    """
    rates = rates or CostRates()
    service = served_by_commune(plan)
    codes = ctx.territory.codes
    unmet_total = sum(ctx.unmet(c) for c in codes)
    unmet_served = sum(min(service.get(c, 0), ctx.unmet(c)) for c in codes)
    full = full_series_ids(plan, k)
    full_service = served_by_commune(plan, full)
    unmet_full = sum(min(full_service.get(c, 0), ctx.unmet(c)) for c in codes)
    hosts = plan_hosts(plan)
    places = series_hosts(plan, k)
    if plan.routes:
        km = sum(r.km for r in plan.routes)
        drive_hours = sum(r.drive_minutes for r in plan.routes) / 60.0
    else:
        km, drive_hours = plan.metrics.km, plan.metrics.drive_hours
    session_hours = sum(
        (s.end.hour * 60 + s.end.minute - s.start.hour * 60 - s.start.minute) / 60.0 for s in plan.sessions
    )
    staff_hours = drive_hours + session_hours
    white = white_zones(ctx, places)
    pop = {c.code_insee: c.population for c in ctx.territory.communes}
    return PlanFigures(
        participants=sum(s.participants for s in plan.series),
        participants_full_series=sum(s.participants for s in plan.series if s.id in full),
        unmet_share=unmet_served / unmet_total if unmet_total > 0 else float("nan"),
        unmet_full_share=unmet_full / unmet_total if unmet_total > 0 else float("nan"),
        communes_full_series=len({s.host for s in plan.series if s.id in full}),
        communes_visited=len(hosts),
        sessions=len(plan.sessions),
        need_near=need_near_places(ctx, places),
        white_zones=white,
        white_zone_population=sum(pop[c] for c in white),
        gini=gini([service.get(c, 0) for c in codes], [ctx.unmet(c) for c in codes]),
        km=km,
        drive_hours=drive_hours,
        staff_hours=staff_hours,
        cost_eur=km * rates.eur_per_km + staff_hours * rates.eur_per_hour,
        co2_kg=km * rates.co2_kg_per_km,
        service=service,
        equity=territory_equity(
            plan,
            {c: ctx.needs[c].coverage if c in ctx.needs else 0.0 for c in codes},
            {c: ctx.unmet(c) for c in codes},
            rates,
        ),
    )


@dataclass(frozen=True)
class Figure:
    """One key figure: the plan's value, the baseline's, and the situation before any plan."""

    key: str
    label: str
    definition: str
    unit: str
    decimals: int
    plan: float
    baseline: float | None = None
    before: float | None = None
    higher_is_better: bool = True


#: The figures a funder should read first, in this order (see :data:`SAUPOUDRAGE_NOTE`).
HEADLINE_KEYS: tuple[str, ...] = ("participants_full_series", "unmet_full_share")

#: Why the saupoudrage "reaches" more people yet teaches nobody (one line, under the headline).
SAUPOUDRAGE_NOTE = (
    "Le saupoudrage « touche » plus de monde, car chaque commune reçoit une visite ; mais une "
    "séance isolée de 3 heures n'est pas un parcours : personne n'y apprend à se servir seul du "
    "numérique. Seules les personnes qui suivent un parcours complet comptent comme formées."
)

#: key -> (label, one-line definition, unit, decimals, higher_is_better), headline figures first
DEFINITIONS: dict[str, tuple[str, str, str, int, bool]] = {
    "participants_full_series": (
        "Personnes suivant un parcours complet",
        "Personnes inscrites dans un groupe qui reçoit toutes les séances d'un parcours (5 par défaut) : c'est ce qui permet d'apprendre.",
        "pers.",
        0,
        True,
    ),
    "unmet_full_share": (
        "Part du besoin non couvert servie par des parcours complets",
        "Personnes suivant un parcours complet (au plus le besoin de leur commune) rapportées au besoin non couvert total du territoire.",
        "%",
        1,
        True,
    ),
    "participants": (
        "Personnes touchées (séances isolées comprises)",
        "Places occupées dans tous les groupes, même venus à une seule séance : une visite isolée « touche » sans former.",
        "pers.",
        0,
        True,
    ),
    "unmet_share": (
        "Part du besoin non couvert touchée (séances isolées comprises)",
        "Personnes touchées, même une seule fois (au plus le besoin de leur commune), rapportées au besoin non couvert total du territoire.",
        "%",
        1,
        True,
    ),
    "communes_full_series": (
        "Communes avec un parcours complet",
        "Communes qui accueillent au moins un parcours avec toutes ses séances.",
        "communes",
        0,
        True,
    ),
    "communes_visited": (
        "Communes visitées",
        "Communes qui accueillent au moins une séance, même isolée.",
        "communes",
        0,
        True,
    ),
    "sessions": (
        "Séances",
        "Nombre d'ateliers de 3 heures (environ) tenus dans la saison.",
        "séances",
        0,
        True,
    ),
    "need_near": (
        "Personnes en besoin à moins de 15 min d'un lieu de médiation",
        "Besoin estimé des communes situées à 15 minutes de route au plus d'un lieu fixe (EPN, France services…) ou d'une commune qui accueille un parcours complet.",
        "pers.",
        0,
        True,
    ),
    "white_zones": (
        "Zones blanches",
        "Communes à plus de 20 minutes de route de tout lieu de médiation : lieu fixe ou commune qui accueille un parcours complet.",
        "communes",
        0,
        False,
    ),
    "white_zone_population": (
        "Habitants en zone blanche",
        "Population des communes en zone blanche.",
        "hab.",
        0,
        False,
    ),
    "gini": (
        "Indice de Gini (équité)",
        "Répartition des personnes accompagnées entre communes au regard de leur besoin non couvert : 0 = partout proportionnel au besoin, 1 = tout dans une seule commune.",
        "",
        2,
        False,
    ),
    "km": (
        "Kilomètres parcourus",
        "Distance routière totale des tournées, aller et retour depuis la base.",
        "km",
        0,
        False,
    ),
    "drive_hours": ("Heures de route", "Temps de conduite total des tournées.", "h", 1, False),
    "staff_hours": (
        "Heures mobilisées",
        "Heures de route et d'ateliers du moyen itinérant (équipage compris dans le taux horaire).",
        "h",
        1,
        False,
    ),
    "km_per_participant": (
        "Kilomètres par personne",
        "Kilomètres parcourus divisés par le nombre de personnes accompagnées.",
        "km",
        1,
        False,
    ),
    "hours_per_participant": (
        "Heures par personne",
        "Heures mobilisées (route et ateliers) divisées par le nombre de personnes accompagnées.",
        "h",
        2,
        False,
    ),
    "cost_eur": (
        "Coût estimé",
        "Kilomètres × coût au km + heures mobilisées × coût horaire, avec les taux saisis.",
        "€",
        0,
        False,
    ),
    "cost_per_participant": (
        "Coût par personne",
        "Coût estimé divisé par le nombre de personnes accompagnées.",
        "€",
        0,
        False,
    ),
    "cost_per_full_participant": (
        "Coût par parcours complet suivi",
        "Coût estimé divisé par le nombre de personnes qui suivent un parcours complet (— si aucune).",
        "€",
        0,
        False,
    ),
    "co2_kg": (
        "Émissions de CO2",
        "Kilomètres × consommation du véhicule × 3,17 kg CO2e par litre de gazole (facteur réglementaire, amont et combustion).",
        "kg CO2e",
        0,
        False,
    ),
    "co2_per_participant": (
        "CO2 par personne",
        "Émissions de CO2 divisées par le nombre de personnes accompagnées.",
        "kg CO2e",
        1,
        False,
    ),
    "least_covered_session_share": (
        EQUITY_LABELS["least_covered_sessions"],
        EQUITY_HELP["least_covered_sessions"],
        "%",
        0,
        True,
    ),
    "least_covered_need_share": (
        EQUITY_LABELS["least_covered_need"],
        EQUITY_HELP["least_covered_need"],
        "%",
        0,
        True,
    ),
    "least_covered_participant_share": (
        EQUITY_LABELS["least_covered_participants"],
        EQUITY_HELP["least_covered_participants"],
        "%",
        0,
        True,
    ),
    "least_covered_hosts": (
        EQUITY_LABELS["least_covered_hosts"],
        EQUITY_HELP["least_covered_hosts"],
        "communes",
        0,
        True,
    ),
    "travelling_share": (EQUITY_LABELS["travelling"], EQUITY_HELP["travelling"], "%", 0, False),
    "travel_minutes_mean": (
        "Trajet moyen de ceux qui se déplacent",
        EQUITY_HELP["travel_minutes"],
        "min",
        0,
        False,
    ),
    "base_sessions": (EQUITY_LABELS["base_sessions"], EQUITY_HELP["base_sessions"], "séances", 0, False),
    "km_eur": (EQUITY_LABELS["km_eur"], EQUITY_HELP["km_eur"], "€", 0, False),
}


def _values(f: PlanFigures) -> dict[str, float]:
    return {
        "participants": f.participants,
        "participants_full_series": f.participants_full_series,
        "unmet_share": f.unmet_share * 100.0,
        "unmet_full_share": f.unmet_full_share * 100.0,
        "communes_full_series": f.communes_full_series,
        "communes_visited": f.communes_visited,
        "sessions": f.sessions,
        "need_near": f.need_near,
        "white_zones": len(f.white_zones),
        "white_zone_population": f.white_zone_population,
        "gini": f.gini,
        "km": f.km,
        "drive_hours": f.drive_hours,
        "staff_hours": f.staff_hours,
        "km_per_participant": f.per_participant(f.km),
        "hours_per_participant": f.per_participant(f.staff_hours),
        "cost_eur": f.cost_eur,
        "cost_per_participant": f.per_participant(f.cost_eur),
        "cost_per_full_participant": (
            f.cost_eur / f.participants_full_series if f.participants_full_series else float("nan")
        ),
        "co2_kg": f.co2_kg,
        "co2_per_participant": f.per_participant(f.co2_kg),
        **_equity_values(f.equity),
    }


def _equity_values(e: Equity | None) -> dict[str, float]:
    if e is None:
        return {}
    return {
        "least_covered_session_share": 100 * e.least_covered_session_share,
        "least_covered_need_share": 100 * e.least_covered_need_share,
        "least_covered_participant_share": 100 * e.least_covered_participant_share,
        "least_covered_hosts": e.least_covered_hosts,
        "travelling_share": 100 * e.travelling_share,
        "travel_minutes_mean": e.travel_minutes_mean,
        "base_sessions": e.base_sessions,
        "km_eur": e.km_eur,
    }


def key_figures(
    plan: Plan, ctx: ReportContext, baseline: Plan | None = None, rates: CostRates | None = None
) -> list[Figure]:
    """Every key figure of ``plan``, with the baseline's value and the situation before any plan.

    The baseline is judged with the plan's number of sessions per full series.
    """
    k = plan.rules.sessions_per_series
    mine = _values(plan_figures(plan, ctx, rates, k))
    base = _values(plan_figures(baseline, ctx, rates, k)) if baseline is not None else {}
    before = {
        "need_near": need_near_places(ctx, ()),
        "white_zones": float(len(white_zones(ctx, ()))),
    }
    pop = {c.code_insee: c.population for c in ctx.territory.communes}
    before["white_zone_population"] = float(sum(pop[c] for c in white_zones(ctx, ())))
    out = []
    for key, (label, definition, unit, decimals, better) in DEFINITIONS.items():
        out.append(
            Figure(
                key=key,
                label=label,
                definition=definition,
                unit=unit,
                decimals=decimals,
                plan=float(mine[key]),
                baseline=float(base[key]) if key in base else None,
                before=before.get(key),
                higher_is_better=better,
            )
        )
    return out


_SINGULAR = {"communes": "commune", "séances": "séance"}


def format_figure(fig: Figure, value: float | None) -> str:
    """A figure's value with its unit, in French format (``1 commune``, ``2 communes``)."""
    text = french_decimal(value, fig.decimals)
    if text == "—" or not fig.unit:
        return text
    unit = _SINGULAR.get(fig.unit, fig.unit) if value is not None and abs(value) < 2 else fig.unit
    return f"{text} {unit}"


def figures_frame(figures: Sequence[Figure], *, formatted: bool = False) -> pd.DataFrame:
    """Key figures as a table with French headers (numbers, or French text when ``formatted``)."""
    rows = []
    for f in figures:

        def val(v: float | None, f: Figure = f):
            if formatted:
                return format_figure(f, v)
            return None if v is None or not np.isfinite(v) else round(v, f.decimals + 2)

        rows.append(
            {
                "Indicateur": f.label,
                "Plan": val(f.plan),
                "Saupoudrage": val(f.baseline),
                "Avant le plan": val(f.before),
                "Unité": f.unit,
                "Définition": f.definition,
            }
        )
    return pd.DataFrame(rows)


def lorenz_frame(plans: Mapping[str, Plan], ctx: ReportContext) -> pd.DataFrame:
    """Lorenz points of several plans: columns ``Plan``, ``Part du besoin``, ``Part du service``."""
    codes = ctx.territory.codes
    rows = []
    for label, plan in plans.items():
        service = served_by_commune(plan)
        for x, y in lorenz_points([service.get(c, 0) for c in codes], [ctx.unmet(c) for c in codes]):
            rows.append({"Plan": label, "Part du besoin": x, "Part du service": y})
    return pd.DataFrame(rows, columns=["Plan", "Part du besoin", "Part du service"])


def commune_frame(plan: Plan, ctx: ReportContext, baseline: Plan | None = None) -> pd.DataFrame:
    """One row per commune: need, service of the plan (and baseline), minutes to a place, white zone."""
    service = served_by_commune(plan)
    before = minutes_to_places(ctx, ())
    k = plan.rules.sessions_per_series
    after = minutes_to_places(ctx, series_hosts(plan, k))
    base_service = served_by_commune(baseline) if baseline is not None else {}
    base_after = minutes_to_places(ctx, series_hosts(baseline, k)) if baseline is not None else {}
    hosts = set(plan_hosts(plan))
    rows = []
    for c in ctx.territory.communes:
        row = {
            "code_insee": c.code_insee,
            "Commune": c.name,
            "EPCI": c.epci_name or c.epci_siren or "—",
            "Population": c.population,
            "Besoin": ctx.need(c.code_insee),
            "Besoin non couvert": ctx.unmet(c.code_insee),
            "Personnes accompagnées (plan)": service.get(c.code_insee, 0),
            "Besoin servi (plan)": min(float(service.get(c.code_insee, 0)), ctx.unmet(c.code_insee)),
            "Commune d'accueil (plan)": c.code_insee in hosts,
            "Minutes au lieu le plus proche (avant)": before[c.code_insee],
            "Minutes au lieu le plus proche (plan)": after[c.code_insee],
            "Zone blanche (avant)": before[c.code_insee] > WHITE_ZONE_MINUTES,
            "Zone blanche (plan)": after[c.code_insee] > WHITE_ZONE_MINUTES,
            "lat": c.lat,
            "lon": c.lon,
        }
        if baseline is not None:
            row["Personnes accompagnées (saupoudrage)"] = base_service.get(c.code_insee, 0)
            row["Zone blanche (saupoudrage)"] = base_after[c.code_insee] > WHITE_ZONE_MINUTES
        rows.append(row)
    return pd.DataFrame(rows)


def epci_frame(plan: Plan, ctx: ReportContext, baseline: Plan | None = None) -> pd.DataFrame:
    """Figures by EPCI: communes, population, need, people reached, hosts, white zones."""
    df = commune_frame(plan, ctx, baseline)
    agg = {
        "Communes": ("code_insee", "count"),
        "Population": ("Population", "sum"),
        "Besoin non couvert": ("Besoin non couvert", "sum"),
        "Personnes accompagnées (plan)": ("Personnes accompagnées (plan)", "sum"),
        "Besoin servi (plan)": ("Besoin servi (plan)", "sum"),
        "Communes d'accueil (plan)": ("Commune d'accueil (plan)", "sum"),
        "Zones blanches (avant)": ("Zone blanche (avant)", "sum"),
        "Zones blanches (plan)": ("Zone blanche (plan)", "sum"),
    }
    if baseline is not None:
        agg["Personnes accompagnées (saupoudrage)"] = ("Personnes accompagnées (saupoudrage)", "sum")
        agg["Zones blanches (saupoudrage)"] = ("Zone blanche (saupoudrage)", "sum")
    out = df.groupby("EPCI", sort=True).agg(**agg).reset_index()
    unmet = out["Besoin non couvert"].where(out["Besoin non couvert"] > 0)
    out["Part du besoin servie (plan, %)"] = (out.pop("Besoin servi (plan)") / unmet * 100).round(1)
    out["Besoin non couvert"] = out["Besoin non couvert"].round(0)
    return out
