"""Held sessions are history: a re-plan of the rest of the season must keep them as they were."""

from __future__ import annotations

from dataclasses import replace

from planner.model import Plan, Session
from planner.realised.season import RealisedSeason


def sessions_to_lock(plan: Plan, realised: RealisedSeason) -> tuple[Session, ...]:
    """The sessions of ``plan`` recorded as held, with ``locked=True`` and their ``uid`` kept.

    Give them to the re-plan with the sessions already announced to the public (the locked
    sessions of the store): held ones then never move, and what was recorded for them stays
    attached to their ``uid``. Cancelled sessions are not returned: they did not happen.
    """
    return tuple(replace(s, locked=True) for s in realised.held(plan))
