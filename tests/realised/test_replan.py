"""Half a season recorded, the rest re-planned: every held session is kept, with what happened to it.

Runs the optimiser on the tiny drawing of ``tests/optimise/tiny_season.py`` (two parcours on five
Tuesdays), records the first two Tuesdays as held, re-plans with a travel cost that would move a
parcours elsewhere, and checks that the held sessions stay where and when they were.
"""

from planner.model import Rules
from planner.optimise.solve import solve
from planner.problem import SolveParams
from planner.realised.locks import sessions_to_lock
from planner.realised.outcome import SessionOutcome
from planner.realised.season import RealisedSeason
from planner.rules.check import check_plan
from tests.optimise.tiny_season import TUESDAYS, problem

PARAMS = SolveParams(time_limit_s=20, gap=0.0, workers=1, seed=1)


def test_replan_keeps_every_held_session_and_its_outcome():
    first = solve(problem(), PARAMS)
    held = [s for s in first.sessions if s.date in TUESDAYS[:2]]
    realised = RealisedSeason.of(SessionOutcome(s.uid, True, 7 + s.index) for s in held)
    locked = sessions_to_lock(first, realised)
    assert {s.uid for s in locked} == {s.uid for s in held} and len(locked) == 4

    free = solve(problem(rules=Rules(travel_weight=0.02)), PARAMS)  # without the locks…
    placed = {(s.host, s.date, s.start) for s in free.sessions}
    assert any((s.host, s.date, s.start) not in placed for s in held)  # …a held session would move

    prob = problem(rules=Rules(travel_weight=0.02), locked=locked)
    second = solve(prob, PARAMS)
    assert check_plan(second, prob) == []
    kept = {s.uid: s for s in second.sessions}
    for s in held:
        again = kept[s.uid]
        assert (again.host, again.date, again.start, again.end, again.resource) == (
            s.host,
            s.date,
            s.start,
            s.end,
            s.resource,
        )
    assert realised.for_plan(second).outcomes == realised.outcomes
    assert len(realised.held(second)) == 4
