"""The current tour beside the optimised plan and the saupoudrage, on the same days.

Both reference plans are computed on the tour's own problem (:attr:`ScoredTour.problem`): the same
territory and need, the same vehicles with the days and hours the tour uses and the services it runs
(permanences, parcours, home visits: :func:`planner.optimise.services.solve_services`), the same
season and rules — only the announced stops are not imposed, so that the optimiser shows what those
days could do. The saupoudrage is one-off workshops on the same vehicle days. Every figure of the table is read from a plan's metrics (recomputable from its file) and the
value is the same objective for the three.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from planner.french import french_decimal
from planner.model import PARCOURS, Plan
from planner.problem import SolveParams
from planner.publish.equity import equity_lines, plan_equity
from planner.tours.score import ScoredTour

TOUR_LABEL, OPTIMISED_LABEL, BASELINE_LABEL = "Tournée actuelle", "Plan optimisé", "Saupoudrage"


@dataclass(frozen=True)
class Comparison:
    """The tour's plan and the two reference plans computed on the same days."""

    tour: Plan
    optimised: Plan
    baseline: Plan
    tour_violations: int

    @property
    def plans(self) -> dict[str, Plan]:
        """``label → plan`` in the order shown."""
        return {TOUR_LABEL: self.tour, OPTIMISED_LABEL: self.optimised, BASELINE_LABEL: self.baseline}


def same_days(scored: ScoredTour, params: SolveParams | None = None) -> Comparison:
    """Solve the tour's problem (optimised and saupoudrage) and return the three plans."""
    from planner.optimise.services import needs_services, solve_services
    from planner.optimise.solve import solve, solve_baseline

    problem = replace(scored.problem, locked=(), accepted=())
    params = params or SolveParams(time_limit_s=20.0, workers=1)
    optimised = solve_services(problem, params) if needs_services(problem) else solve(problem, params)
    # the saupoudrage is one-off workshops by definition: the same vehicles, as parcours vehicles
    one_off = replace(problem, resources=tuple(replace(r, services=(PARCOURS,)) for r in problem.resources))
    return Comparison(scored.plan, optimised, solve_baseline(one_off), len(scored.violations))


def with_tour(comparison: Comparison, scored: ScoredTour) -> Comparison:
    """The same reference plans beside another state of the tour (after a change was adopted)."""
    return replace(comparison, tour=scored.plan, tour_violations=len(scored.violations))


def notes(comparison: Comparison) -> list[str]:
    """What a reader must know to read the table right (French sentences)."""
    out = []
    mine = {x.service for x in comparison.tour.series}
    theirs = {x.service for x in comparison.optimised.series}
    if mine - theirs - {PARCOURS} and theirs <= {PARCOURS}:
        out.append(
            "Le plan optimisé ne contient que des parcours : la tournée a des permanences ou des visites à "
            "domicile, que l'optimiseur n'a pas placées sur ces journées. La valeur compare les deux sur la "
            "même mesure."
        )
    return out


def _hosts(plan: Plan) -> int:
    return len({s.host for s in plan.sessions})


def rows(comparison: Comparison) -> list[tuple[str, list[str]]]:
    """``(French label, [value per plan])`` for every figure of the comparison."""

    def n(x: float, d: int = 0) -> str:
        return french_decimal(x, d)

    plans = list(comparison.plans.values())
    eq = [equity_lines(plan_equity(p)) for p in plans]
    out = [
        ("Valeur (objectif de l'optimiseur)", [n(p.metrics.objective, 1) for p in plans]),
        ("Personnes servies", [n(p.metrics.participants) for p in plans]),
        ("dont en parcours complets", [n(p.metrics.participants_full_series) for p in plans]),
        ("Séances", [n(p.metrics.sessions) for p in plans]),
        ("Communes d'accueil", [n(_hosts(p)) for p in plans]),
        ("Séances dans le tiers le moins couvert", [e["least_covered_sessions"] for e in eq]),
        ("Communes de ce tiers qui accueillent", [e["least_covered_hosts"] for e in eq]),
        ("Kilomètres", [e["km"] for e in eq]),
        ("Coût des kilomètres", [e["km_eur"] for e in eq]),
        ("Émissions de CO2", [e["co2_kg"] for e in eq]),
        ("Règles enfreintes", [n(comparison.tour_violations), "0", "— (référence)"]),
    ]
    return out


def text_table(comparison: Comparison) -> str:
    """The comparison as aligned plain text (the CLI)."""
    table = [("", *comparison.plans), *((label, *values) for label, values in rows(comparison))]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    return "\n".join(
        "  ".join(c.replace("\u202f", " ").ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in table
    )
