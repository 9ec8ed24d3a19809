"""Two or three plans along the frontier between going to the least covered and driving less.

The coordinator's settings give the *balanced* plan. Two variants move along the frontier,
each the optimum of a slightly different objective (so each is a plan no other beats on both
counts at once, for its own weights):

- « au plus près des moins couverts »: « priorité aux moins couverts » raised to
  :data:`STRONG_PRIORITY` (or five times the coordinator's, if higher, up to 20);
- « le moins de km »: kilometres weigh in the value, :data:`KM_WEIGHT` person per km (50 km
  cost as much as one person served) or twice the coordinator's weight if already set. The value
  counts a return trip from the base per session (:func:`planner.optimise.objective.plan_km`),
  not the routes shown (Vierzon: 2,812.8 km against 1,685.6), and its explanation says so.
  It is solved by :func:`planner.optimise.route_km.fewest_km_plan`: one plan for one problem,
  run after run, its series grouped into days for the fewest route km (proven), and never more
  km than the balanced plan. Its explanation says what was proven (:func:`fewest_km_note`).

In a re-plan (``problem.previous``) each variant is re-planned as the balanced plan is
(:func:`planner.optimise.stability.replan`: its bound and ``best_objective`` without the bonus of
kept sessions); a variant the stability holds to the balanced plan's sessions says so
(:func:`same_plan_note`).

Every variant is judged with the same figures (:mod:`planner.publish.equity`) and with the
coordinator's own objective (:func:`planner.optimise.objective.objective_value` under their
rules), side by side; keeping one is the coordinator's choice. A variant's plan file records that
value and those rules (``metrics.reference_value``, ``metrics.reference_rules``), so that the
figure shown is recomputed from the file (:func:`planner.optimise.objective.reference_value`, ``python -m planner score``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from planner.french import french_decimal
from planner.model import Plan, Rules
from planner.optimise.objective import objective_value
from planner.optimise.route_km import FewestKm, fewest_km_plan
from planner.problem import PlanningProblem, ProgressEvent, SolveParams
from planner.publish.equity import Equity, plan_equity

STRONG_PRIORITY = 10.0
KM_WEIGHT = 0.02


@dataclass(frozen=True)
class Variant:
    """One point of the frontier: a key, its French name, how its rules differ, and the French
    sentence saying how it weighs things (given its own rules, so the figures said are those
    it was solved with)."""

    key: str
    label: str
    explain: Callable[[Rules], str]
    rules: Callable[[Rules], Rules]


def _closest(rules: Rules) -> Rules:
    return replace(rules, priority=min(20.0, max(STRONG_PRIORITY, 5 * rules.priority)))


def _fewest_km(rules: Rules) -> Rules:
    return replace(rules, travel_weight=max(KM_WEIGHT, 2 * rules.travel_weight))


def _km_per_person(rules: Rules) -> str:
    """How many km of return trips cost one person served, in French (« 50 », « 16,7 »)."""
    km = 1.0 / rules.travel_weight
    return french_decimal(km, 0 if abs(km - round(km)) < 0.05 else 1)


def _explain_closest(rules: Rules) -> str:
    return (
        f"La priorité aux moins couverts est poussée à {french_decimal(rules.priority, 0)} : le plan va "
        "d'abord là où les lieux fixes n'aident presque personne, quitte à rouler davantage."
    )


def _explain_balanced(rules: Rules) -> str:
    people = (
        "les personnes des communes les moins couvertes comptent davantage"
        if rules.priority > 0
        else "chaque personne compte autant, quelle que soit la couverture de sa commune"
    )
    km = (
        f"{_km_per_person(rules)} km d'allers-retours depuis la base coûtent autant qu'une personne servie"
        if rules.travel_weight > 0
        else "les kilomètres ne départagent que des plans de même valeur"
    )
    return f"Vos réglages : {people}, et {km}."


def _explain_fewest_km(rules: Rules) -> str:
    return (
        "Les kilomètres comptent dans la valeur du plan : chaque séance y compte un aller-retour depuis "
        f"la base, et {_km_per_person(rules)} km de ces allers-retours coûtent autant qu'une personne servie."
    )


#: The variants, in the order they are shown.
VARIANTS: tuple[Variant, ...] = (
    Variant("closest", "Au plus près des moins couverts", _explain_closest, _closest),
    Variant("balanced", "Équilibré", _explain_balanced, lambda rules: rules),
    Variant("fewest_km", "Le moins de km", _explain_fewest_km, _fewest_km),
)


@dataclass(frozen=True)
class Alternative:
    """A plan of the frontier with its figures.

    ``value`` is the coordinator's objective (their rules) evaluated on the plan, so the
    three plans are compared with one yardstick; ``plan.metrics.objective`` is each plan's own.
    """

    key: str
    label: str
    explanation: str
    plan: Plan
    value: float
    equity: Equity


def variant_problem(problem: PlanningProblem, key: str) -> PlanningProblem:
    """``problem`` with the rules of variant ``key``."""
    variant = next(v for v in VARIANTS if v.key == key)
    return replace(problem, rules=variant.rules(problem.rules))


def solve_alternatives(
    problem: PlanningProblem,
    params: SolveParams,
    *,
    balanced: Plan | None = None,
    on_progress: Callable[[str, ProgressEvent], None] | None = None,
    stop: threading.Event | None = None,
) -> list[Alternative]:
    """The plans of :data:`VARIANTS` (the balanced one is ``balanced`` when given).

    Parameters
    ----------
    problem
        The coordinator's problem (their rules give the balanced plan and the yardstick).
    params
        Search parameters of each solve.
    balanced
        The plan already solved with the coordinator's rules, reused as is.
    on_progress
        Called with the variant's key and each progress event.
    stop
        Stops the solve running and skips the ones left.
    """
    from planner.optimise.stability import replan

    out = []
    for v in VARIANTS:
        explanation = v.explain(v.rules(problem.rules))
        if v.key == "balanced" and balanced is not None:
            plan = balanced
        else:
            if stop is not None and stop.is_set():
                break
            report = None if on_progress is None else (lambda ev, key=v.key: on_progress(key, ev))
            vp = variant_problem(problem, v.key)
            fewest = (
                fewest_km_plan(vp, params, balanced=balanced, on_progress=report, stop=stop)
                if v.key == "fewest_km"
                else None
            )
            # a re-plan (``problem.previous``) values each variant as the balanced one is valued
            plan = fewest.plan if fewest is not None else replan(vp, params, on_progress=report, stop=stop)
            if v.key == "fewest_km":
                explanation = f"{explanation} {fewest_km_note(fewest, plan, balanced)}"
            explanation += same_plan_note(problem, plan, balanced)
        value = objective_value(plan, problem)
        if v.key == "balanced":
            balanced = plan  # « le moins de km » is held to it (VARIANTS puts it after)
        else:
            # the file of a variant keeps the yardstick it is shown with (its own rules differ)
            plan = replace(
                plan, metrics=replace(plan.metrics, reference_value=value, reference_rules=problem.rules)
            )
        out.append(Alternative(v.key, v.label, explanation, plan, value, plan_equity(plan)))
    return out


def same_plan_note(problem: PlanningProblem, plan: Plan, balanced: Plan | None) -> str:
    """In a re-plan, what to say when a variant holds exactly the balanced plan's sessions.

    The stability bonus of each kept session then outweighed what the variant's rules would
    gain by moving them: the three plans are one, and only another stability compares them.
    """
    if not problem.previous or balanced is None or _slots(plan) != _slots(balanced):
        return ""
    return (
        " Ici, c'est le même plan que le plan équilibré : la stabilité choisie garde les séances "
        "prévues. Pour comparer vraiment, choisissez une stabilité plus souple (ou « Repartir de zéro »)."
    )


def _slots(plan: Plan) -> list[tuple]:
    return sorted((s.resource, s.host, s.date, s.start, s.end) for s in plan.sessions)


def fewest_km_note(fewest: FewestKm | None, plan: Plan, balanced: Plan | None) -> str:
    """What is true of « le moins de km »'s kilometres, in French.

    ``fewest`` is ``None`` when the plan was solved as any plan (a large territory, a re-plan):
    its days are then laid out by :func:`planner.optimise.routing.order_days`, which reports no
    proof (a re-plan keeps its days).
    """
    if fewest is not None and fewest.capped:
        said = (
            "Le meilleur plan de cette valeur roulait plus que le plan équilibré : celui-ci reprend "
            "les parcours du plan équilibré, groupés par jour au plus court."
        )
    elif fewest is not None and fewest.km_proven:
        # what lay_out proves is about these series only: not that no other plan drives less
        said = (
            "Ses parcours sont groupés par jour au plus court, preuve à l'appui : aucune autre façon de "
            "placer ces mêmes parcours dans les journées ne roule moins (un autre choix de parcours, "
            "lui, pourrait rouler moins)."
        )
    else:
        said = "Ses parcours sont groupés par jour pour rouler moins, sans preuve que ce soit le minimum."
    if balanced is not None and plan.metrics.km > balanced.metrics.km + 1e-6:
        said += " Attention : sur ce territoire, il roule plus que le plan équilibré."
    return said
