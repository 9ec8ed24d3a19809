"""Held sessions are history: a re-plan of the rest of the season must keep them as they were."""

from __future__ import annotations

from dataclasses import replace

from planner.model import Plan, Session
from planner.problem import PlanningProblem
from planner.realised.season import RealisedSeason


def sessions_to_lock(plan: Plan, realised: RealisedSeason) -> tuple[Session, ...]:
    """The sessions of ``plan`` recorded as held, with ``locked=True`` and their ``uid`` kept.

    Give them to the re-plan with the sessions already announced to the public (the locked
    sessions of the store): held ones then never move, and what was recorded for them stays
    attached to their ``uid``. Cancelled sessions are not returned: they did not happen.
    """
    return tuple(replace(s, locked=True) for s in realised.held(plan))


def lock_held(problem: PlanningProblem, plan: Plan, realised: RealisedSeason) -> PlanningProblem:
    """``problem`` with every session of ``plan`` recorded as held added to its locked sessions.

    What a re-plan (dashboard or ``plan --previous``) solves, whatever the stability chosen:
    a held session is history, even when the coordinator re-plans « from scratch ». Sessions
    already locked in ``problem`` are left as they are.
    """
    known = {s.uid for s in problem.locked}
    extra = tuple(s for s in sessions_to_lock(plan, realised) if s.uid not in known)
    return replace(problem, locked=problem.locked + extra) if extra else problem
