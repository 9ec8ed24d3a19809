"""Held sessions are locked for a re-plan, with their identity; cancelled ones are not."""

from dataclasses import replace

from planner.realised.locks import sessions_to_lock
from planner.realised.outcome import SessionOutcome
from planner.realised.season import RealisedSeason
from tests.realised.plans import tiny_plan_with_uids, uid


def test_held_sessions_are_locked_with_their_uid():
    plan = tiny_plan_with_uids()
    realised = RealisedSeason.of(
        [
            SessionOutcome(uid(plan, "S1", 2), True, 8),
            SessionOutcome(uid(plan, "S2", 1), True, 5),
            SessionOutcome(uid(plan, "S1", 3), False, cancel_reason="breakdown"),
        ]
    )
    locked = sessions_to_lock(plan, realised)
    assert [(s.series, s.index) for s in locked] == [("S2", 1), ("S1", 2)]  # plan order
    assert all(s.locked for s in locked)
    assert {s.uid for s in locked} == {uid(plan, "S1", 2), uid(plan, "S2", 1)}
    original = {s.uid: s for s in plan.sessions}
    assert all(replace(s, locked=False) == original[s.uid] for s in locked)  # same place and time
    assert all(s.sequence == original[s.uid].sequence for s in locked)


def test_nothing_held_nothing_locked():
    assert sessions_to_lock(tiny_plan_with_uids(), RealisedSeason()) == ()
