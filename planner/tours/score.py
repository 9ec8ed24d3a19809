"""Score a current tour with the optimiser's yardstick: the same figures, objective and rules.

:func:`score_tour` turns a :class:`~planner.tours.load.Tour` into a plan of kind ``"tour"``
(:mod:`planner.tours.build`) whose metrics are those of every plan the optimiser writes — need,
participants, people in full parcours, kilometres and drive hours of its routes, the equity and
travel figures (:func:`planner.publish.equity.with_equity_figures`), the kilometres' euros and CO2 — and
whose ``objective`` is :func:`planner.optimise.objective.objective_value`, the optimiser's own, on
the problem the optimiser would solve (same need, rules, resources and season). The rules checker
(:func:`planner.rules.check.check_plan`) lists what the tour breaks; nothing is fixed.

A plan JSON is scored as it is (its series and people kept), so scoring the optimiser's own plan
gives back its reported objective.

A tour comes with no proof: its status is ``"SCORED"`` and its ``bound`` the people of unmet need
of the territory (each counts at most 1 in the objective), a true bound but a loose one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from planner.model import Plan, PlanMetrics, Resource, Rules, Series, Session, Territory, Unserved
from planner.optimise.solve import finish_plan
from planner.problem import PlanningProblem
from planner.rules.check import Violation, check_plan, split_accepted
from planner.territory.catchment import reach_minutes, unmet_people
from planner.territory.need import CommuneNeed, NeedWeights, compute_need
from planner.territory.travel import TravelMatrix, territory_matrix
from planner.tours.build import group_series, tour_resources, tour_sessions
from planner.tours.load import Tour

TOUR, SCORED = "tour", "SCORED"


@dataclass(frozen=True)
class ScoredTour:
    """A tour as a plan with its figures, the problem it is measured on, and the rules it breaks.

    ``violations`` are the checker's, less those the plan's accepted exceptions cover
    (``accepted``).
    """

    tour: Tour
    plan: Plan
    problem: PlanningProblem
    violations: tuple[Violation, ...]
    accepted: tuple[Violation, ...] = ()

    @property
    def objective(self) -> float:
        """The tour's value under the optimiser's objective."""
        return self.plan.metrics.objective


def need_weights(plan: Plan | None) -> NeedWeights:
    """The need weights a plan was computed with (defaults for a tour table)."""
    if plan is None or not plan.inputs.need_weights:
        return NeedWeights()
    return NeedWeights(**dict(plan.inputs.need_weights))


@dataclass(frozen=True)
class TourOptions:
    """What a tour is measured with, beyond the tour and its territory (:func:`tour_problem`).

    Attributes
    ----------
    matrix
        Travel matrix of the territory (default: computed from it).
    needs
        Need of every commune (default: the territory's, with the default weights or the plan's own).
    rules
        Rules of the problem (default: the plan's for a plan JSON, else :class:`~planner.model.Rules`).
    resources
        Resources of a tour table (default: vehicles fitted to the tour, :func:`tour_resources`).
    """

    matrix: TravelMatrix | None = None
    needs: Mapping[str, CommuneNeed] | None = None
    rules: Rules | None = None
    resources: Sequence[Resource] = ()


def tour_problem(
    tour: Tour, territory: Territory, options: TourOptions = TourOptions()
) -> tuple[PlanningProblem, dict[str, str]]:
    """The problem the optimiser would solve for this tour's territory, vehicles and season.

    A tour read from a plan JSON takes the plan's resources, rules, requests and need weights;
    a table takes ``options.resources`` (else vehicles fitted to the tour, :func:`tour_resources`)
    and ``options.rules`` (default :class:`~planner.model.Rules`). Returns the problem and
    ``vehicle → resource id``.
    """
    matrix = territory_matrix(territory) if options.matrix is None else options.matrix
    rules = options.rules
    plan = tour.plan
    needs = options.needs
    if needs is None:
        needs = compute_need(territory, need_weights(plan), matrix)
    if plan is not None:
        ids = {r.id: r.id for r in plan.resources}
        codes = set(territory.codes)
        problem = PlanningProblem(
            territory=territory,
            needs=needs,
            matrix=matrix,
            resources=plan.resources,
            season=plan.season,
            rules=plan.rules if rules is None else rules,
            requests=tuple(q for q in plan.inputs.requests if q.code_insee in codes),
            locked=tuple(s for s in plan.sessions if s.locked),
            requests_only=plan.inputs.requests_only,
            accepted=tuple(plan.accepted),
        )
        return problem, ids
    found, ids = tour_resources(tour, territory, matrix, options.resources)
    problem = PlanningProblem(
        territory=territory,
        needs=needs,
        matrix=matrix,
        resources=found,
        season=tour.season,
        rules=rules or Rules(),
    )
    return problem, ids


def _bound(problem: PlanningProblem) -> float:
    """A true bound, easy to state: the people of unmet need of the territory (a person counts at
    most 1 in the objective, and a tour counts each at most once)."""
    return float(sum(unmet_people(problem).values()))


def left_out(plan: Plan, problem: PlanningProblem) -> tuple[Unserved, ...]:
    """Communes with unmet need that no series of the tour counts anyone from, neediest first."""
    counted = {c for x in plan.series for c in x.from_communes}
    people = unmet_people(problem)
    radius = reach_minutes(problem)
    hosts = {s.host for s in plan.sessions}
    out = []
    for code in problem.territory.codes:
        need = problem.needs[code]
        if code in counted or people.get(code, 0) < 1:
            continue
        near = [h for h in hosts if problem.matrix.minutes(code, h) <= radius + 1e-9]
        name = problem.territory.commune(code).name
        if near:
            reason = "les passages à proximité sont déjà complets avec les habitants d'autres communes"
        else:
            reason = f"la tournée ne passe pas à moins de {radius:g} min de route"
        out.append(Unserved(code, need.unmet_need, reason, f"un passage à {name} ou tout près", name))
    return tuple(sorted(out, key=lambda u: (-u.unmet_need, u.code_insee)))


def with_figures(
    plan: Plan,
    problem: PlanningProblem,
    *,
    unserved: tuple[Unserved, ...] | None = None,
    bound: float | None = None,
) -> Plan:
    """``plan`` with its routes and every figure recomputed as the optimiser's plans have them
    (:func:`planner.optimise.solve.finish_plan`), on ``problem``'s territory, season, rules and
    resources; ``unserved`` defaults to :func:`left_out`.

    ``bound`` is the problem's easy bound when already known (it depends on the problem only).
    """
    figures = finish_plan(
        problem,
        list(plan.series),
        list(plan.sessions),
        left_out(plan, problem) if unserved is None else unserved,
        kind=TOUR,
        status=SCORED,
        bound=_bound(problem) if bound is None else bound,
        solve_seconds=0.0,
    )
    return replace(figures, accepted=plan.accepted, inputs=plan.inputs)  # what the tour's plan file kept


def tour_plan(tour: Tour, problem: PlanningProblem, ids: dict[str, str]) -> Plan:
    """The tour as a plan of kind ``"tour"`` with every figure (a plan JSON: its own series)."""
    if tour.plan is not None:
        return with_figures(tour.plan, problem, unserved=tour.plan.unserved)
    sessions = tour_sessions(tour, ids, problem.territory.spec)
    series, named = group_series(sessions, problem)
    empty = PlanMetrics("", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0, 0.0, 0.0)
    plan = Plan(
        problem.territory.spec, problem.season, problem.rules, problem.resources, series, named, (), (), empty
    )
    return with_figures(plan, problem)


def locked_problem(plan: Plan, problem: PlanningProblem) -> PlanningProblem:
    """``problem`` with the plan's locked sessions as the announced ones."""
    return replace(problem, locked=tuple(s for s in plan.sessions if s.locked))


def check(plan: Plan, problem: PlanningProblem) -> tuple[tuple[Violation, ...], tuple[Violation, ...]]:
    """The rules the plan breaks, and those its accepted exceptions cover."""
    found = check_plan(plan, problem)
    open_, ok = split_accepted(found, tuple(plan.accepted) + tuple(problem.accepted))
    return tuple(open_), tuple(ok)


def score_tour(tour: Tour, territory: Territory, options: TourOptions = TourOptions()) -> ScoredTour:
    """Score ``tour`` on ``territory``: its plan with every figure and the rules it breaks.

    ``options`` (:class:`TourOptions`) give the matrix, need, rules and resources of the problem
    it is measured on (:func:`tour_problem`).
    """
    problem, ids = tour_problem(tour, territory, options)
    plan = tour_plan(tour, problem, ids)
    problem = locked_problem(plan, problem)
    violations, accepted = check(plan, problem)
    return ScoredTour(tour, plan, problem, violations, accepted)


def rescore(scored: ScoredTour, series: Sequence[Series], sessions: Sequence[Session]) -> ScoredTour:
    """The same tour with other series and sessions (a change): figures and check again."""
    plan = replace(scored.plan, series=tuple(series), sessions=tuple(sessions))
    plan = with_figures(plan, scored.problem, bound=scored.plan.metrics.bound)
    problem = locked_problem(plan, scored.problem)
    violations, accepted = check(plan, problem)
    return ScoredTour(scored.tour, plan, problem, violations, accepted)
