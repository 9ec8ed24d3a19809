"""Equity and travel figures of a plan: does it go to the people farthest from help?

Definitions (the same as the shared before-stop hook's, and recomputable from the plan file
alone — :func:`plan_equity` reads nothing else):

* the **least-covered third** = the ``ceil(n / 3)`` communes of the territory with the lowest
  coverage by fixed places (``metrics.coverage``, the E2SFCA coverage of
  :mod:`planner.territory.need` rounded to 4 decimals, ties by INSEE code); on the default
  Vierzon territory, the 12 least-covered of 34;
* its **share of the unmet need** (``metrics.unmet_need``), of the **sessions** (sessions held
  in one of its communes) and of the **participants** (participants who live there, from each
  series' ``from_communes``); **hosts** = how many of its communes hold at least one session;
* **participants assumed to travel** = participants whose commune is not the host, with the
  participant-weighted mean and the longest drive (``from_minutes`` of each series);
* **base town** = series and sessions held in their resource's base commune;
* **km** are the routes' kilometres, **€** and **CO2** those kilometres times the rates of
  :class:`planner.publish.report.CostRates` (the rates used are written beside them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from planner.model import Plan


def least_covered(coverage: Mapping[str, float]) -> tuple[str, ...]:
    """The least-covered third of the communes: lowest coverage (4 decimals), then code."""
    n = math.ceil(len(coverage) / 3)
    return tuple(sorted(coverage, key=lambda c: (round(coverage[c], 4), c))[:n])


@dataclass(frozen=True)
class Equity:
    """The equity and travel figures of one plan (see the module docstring)."""

    least_covered: tuple[str, ...]
    least_covered_need_share: float
    least_covered_session_share: float
    least_covered_participant_share: float
    least_covered_hosts: int
    participants: int
    participants_travelling: int
    travel_minutes_mean: float
    travel_minutes_max: float
    base_series: int
    base_sessions: int
    sessions: int
    km: float
    km_eur: float
    co2_kg: float

    @property
    def travelling_share(self) -> float:
        """Participants assumed to travel, as a share of all participants (0 without any)."""
        return self.participants_travelling / self.participants if self.participants else 0.0


def equity_of(
    plan: Plan,
    coverage: Mapping[str, float],
    unmet_need: Mapping[str, float],
    eur_per_km: float,
    co2_kg_per_km: float,
) -> Equity:
    """The figures of ``plan`` given the territory's coverage and unmet need per commune."""
    third = least_covered(coverage)
    low = set(third)
    total_unmet = sum(unmet_need.values())
    people = sum(sum(se.from_communes.values()) for se in plan.series)
    low_people = sum(n for se in plan.series for c, n in se.from_communes.items() if c in low)
    away = [
        (n, float(se.from_minutes.get(c, 0.0)))
        for se in plan.series
        for c, n in se.from_communes.items()
        if c != se.host and n > 0
    ]
    travelling = sum(n for n, _ in away)
    base = {r.id: r.base for r in plan.resources}
    km = sum(r.km for r in plan.routes) if plan.routes else plan.metrics.km
    n_sessions = len(plan.sessions)
    return Equity(
        least_covered=third,
        least_covered_need_share=sum(unmet_need.get(c, 0.0) for c in third) / total_unmet
        if total_unmet
        else 0.0,
        least_covered_session_share=sum(1 for s in plan.sessions if s.host in low) / n_sessions
        if n_sessions
        else 0.0,
        least_covered_participant_share=low_people / people if people else 0.0,
        least_covered_hosts=len(low & {s.host for s in plan.sessions}),
        participants=people,
        participants_travelling=travelling,
        travel_minutes_mean=sum(n * t for n, t in away) / travelling if travelling else 0.0,
        travel_minutes_max=max((t for _, t in away), default=0.0),
        base_series=sum(1 for se in plan.series if se.host == base.get(se.resource)),
        base_sessions=sum(1 for s in plan.sessions if s.host == base.get(s.resource)),
        sessions=n_sessions,
        km=km,
        km_eur=km * eur_per_km,
        co2_kg=km * co2_kg_per_km,
    )


def rounded(coverage: Mapping[str, float], unmet_need: Mapping[str, float]) -> tuple[dict, dict]:
    """Coverage to 4 decimals and unmet need to 2, as the plan file keeps them."""
    return {c: round(v, 4) for c, v in coverage.items()}, {c: round(v, 2) for c, v in unmet_need.items()}


def territory_equity(
    plan: Plan, coverage: Mapping[str, float], unmet_need: Mapping[str, float], rates
) -> Equity:
    """The figures of ``plan`` on a territory's coverage and unmet need, rounded as the plan file
    keeps them (so that :func:`plan_equity` finds the same); ``rates``: a
    :class:`~planner.publish.report.CostRates`."""
    coverage, unmet_need = rounded(coverage, unmet_need)
    return equity_of(plan, coverage, unmet_need, rates.eur_per_km, rates.co2_kg_per_km)


def with_equity_figures(plan: Plan, needs: Mapping) -> Plan:
    """``plan`` with its equity and travel figures computed from ``needs`` (code INSEE → CommuneNeed).

    The one place a freshly built plan (optimised, permanences, scored tour) gets these figures,
    at the default cost rates, so that every kind of plan is measured the same way.
    """
    from dataclasses import replace

    from planner.publish.report import CostRates

    fields = metric_fields(
        plan, {c: needs[c].coverage for c in needs}, {c: needs[c].unmet_need for c in needs}, CostRates()
    )
    return replace(plan, metrics=replace(plan.metrics, **fields))


def metric_fields(plan: Plan, coverage: Mapping[str, float], unmet_need: Mapping[str, float], rates) -> dict:
    """The :class:`~planner.model.PlanMetrics` fields of ``plan`` (see :func:`territory_equity`)."""
    e = territory_equity(plan, coverage, unmet_need, rates)
    coverage, unmet_need = rounded(coverage, unmet_need)
    return {
        "coverage": coverage,
        "unmet_need": unmet_need,
        **_figure_fields(e),
        "eur_per_km": rates.eur_per_km,
        "co2_kg_per_km": rates.co2_kg_per_km,
    }


def _figure_fields(e: Equity) -> dict:
    """The :class:`~planner.model.PlanMetrics` fields the figures ``e`` fill."""
    return {
        "least_covered": e.least_covered,
        "least_covered_need_share": e.least_covered_need_share,
        "least_covered_session_share": e.least_covered_session_share,
        "least_covered_participant_share": e.least_covered_participant_share,
        "least_covered_hosts": e.least_covered_hosts,
        "participants_travelling": e.participants_travelling,
        "travel_minutes_mean": e.travel_minutes_mean,
        "travel_minutes_max": e.travel_minutes_max,
        "base_series": e.base_series,
        "base_sessions": e.base_sessions,
        "km_eur": e.km_eur,
        "co2_kg": e.co2_kg,
    }


def with_own_figures(plan: Plan) -> Plan:
    """``plan`` with its equity, euros and CO2 recomputed from its own file (:func:`plan_equity`).

    For a plan edited by hand: its routes and hosts changed, the coverage, unmet need and rates
    it rests on did not.
    """
    from dataclasses import replace

    return replace(plan, metrics=replace(plan.metrics, **_figure_fields(plan_equity(plan))))


def plan_equity(plan: Plan) -> Equity:
    """The figures of a plan from its own file: ``metrics.coverage``, ``metrics.unmet_need`` and
    the rates written beside the kilometres (a plan written before these figures gives zeros)."""
    m = plan.metrics
    return equity_of(plan, m.coverage, m.unmet_need, m.eur_per_km, m.co2_kg_per_km)


#: French labels of the equity and travel figures, in the order they are shown.
LABELS: dict[str, str] = {
    "least_covered_sessions": "Séances dans le tiers le moins couvert",
    "least_covered_participants": "Participants venant du tiers le moins couvert",
    "least_covered_need": "Part du besoin non couvert de ce tiers",
    "least_covered_hosts": "Communes de ce tiers qui accueillent au moins une séance",
    "travelling": "Participants supposés venir d'une autre commune",
    "travel_minutes": "Trajet de ceux qui se déplacent",
    "base_sessions": "Séances dans la commune de base",
    "km": "Kilomètres",
    "km_eur": "Coût des kilomètres",
    "co2_kg": "Émissions de CO2",
}

#: One French sentence per figure (help texts, the README's definitions).
HELP: dict[str, str] = {
    "least_covered_sessions": "Part des séances tenues dans le tiers des communes que les lieux fixes couvrent "
    "le moins ; à comparer à la part de leur besoin non couvert.",
    "least_covered_participants": "Part des participants qui habitent le tiers des communes le moins couvert.",
    "least_covered_need": "Ce que ce tiers des communes pèse dans le besoin non couvert du territoire : "
    "un plan équitable lui donne au moins cette part des séances.",
    "least_covered_hosts": "Nombre de communes de ce tiers qui accueillent au moins une séance.",
    "travelling": "Participants dont la commune n'est pas celle de la séance (le plan suppose qu'ils font "
    "le trajet chaque semaine).",
    "travel_minutes": "Temps de route moyen (et le plus long) de ceux qui viennent d'une autre commune.",
    "base_sessions": "Séances tenues dans la commune d'où part le moyen itinérant : le bus est fait pour "
    "aller ailleurs.",
    "km": "Kilomètres des tournées, aller et retour depuis la base.",
    "km_eur": "Kilomètres × coût au km (carburant, entretien, assurance).",
    "co2_kg": "Kilomètres × consommation du véhicule × 3,17 kg CO2e par litre de gazole.",
}


def equity_lines(e: Equity) -> dict[str, str]:
    """The figures of ``e`` in French words, keyed as :data:`LABELS`."""
    from planner.french import french_decimal

    def pct(x: float) -> str:
        return f"{french_decimal(100 * x, 0)} %"

    n = len(e.least_covered)
    return {
        "least_covered_sessions": pct(e.least_covered_session_share),
        "least_covered_participants": pct(e.least_covered_participant_share),
        "least_covered_need": pct(e.least_covered_need_share),
        "least_covered_hosts": f"{e.least_covered_hosts} sur {n}",
        "travelling": f"{e.participants_travelling} sur {e.participants} ({pct(e.travelling_share)})",
        "travel_minutes": (
            f"{french_decimal(e.travel_minutes_mean, 0)} min en moyenne, {french_decimal(e.travel_minutes_max, 0)} "
            "au plus"
            if e.participants_travelling
            else "personne ne se déplace"
        ),
        "base_sessions": f"{e.base_sessions} sur {e.sessions}",
        "km": f"{french_decimal(e.km, 0)} km",
        "km_eur": f"{french_decimal(e.km_eur, 0)} €",
        "co2_kg": f"{french_decimal(e.co2_kg, 0)} kg CO2e",
    }
