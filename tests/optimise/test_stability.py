"""Stable re-plans on the tiny season of :mod:`tests.optimise.tiny_season`.

The previous plan is made on purpose a little worse than the best one: only A and C may host
(requests only), so it holds a series at A and one at C. Once every commune may host again, the
best plan puts D (30 people, need weight 30/54) where C is (its 12 people of B and C count 12/36
each): a gain, but a small one.

    A (base) --10-- B --10-- C --40-- D        E: 50 min from everyone
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from planner.model import HostRequest, Season
from planner.optimise.candidates import build_candidates
from planner.optimise.solve import solve
from planner.optimise.stability import (
    LEVELS,
    carry_identities,
    explain_changes,
    extend,
    level,
    replan,
)
from planner.problem import SolveParams
from planner.rules.adjust import replan_problem, with_locks
from planner.rules.check import check_plan
from tests.optimise.tiny_season import SEASON, TUESDAYS, A, C, D, assert_plan_rules, problem
from tests.optimise.tiny_season import bus as bus_of

PARAMS = SolveParams(time_limit_s=20, workers=1, seed=0)


@pytest.fixture(scope="module")
def previous():
    """The plan of the A-and-C-only season: a series at A and one at C."""
    only_a_c = problem(requests=(HostRequest(A), HostRequest(C)), requests_only=True)
    plan = solve(only_a_c, PARAMS)
    assert sorted(x.host for x in plan.series) == [A, C]
    return plan


def _replan(previous, keep_value, **changes):
    p = replan_problem(problem(**changes), previous, keep_value=keep_value)
    return p, replan(p, PARAMS)


def _slots(plan):
    return {(s.resource, s.host, s.date, s.start) for s in plan.sessions}


def test_the_levels_go_from_nothing_moves_to_from_scratch():
    assert [x.key for x in LEVELS] == ["frozen", "stable", "flexible", "scratch"]
    values = [x.keep_value for x in LEVELS]
    assert values == sorted(values, reverse=True) and values[-1] == 0.0
    assert level("stable").label == "Ne bouger que pour un gain net"


def test_a_small_gain_does_not_move_a_planned_series_but_is_priced(previous):
    p, stable = _replan(previous, keep_value=1.0)
    assert_plan_rules(stable, p)
    assert _slots(stable) == _slots(previous)
    report = explain_changes(previous, stable, p)
    assert report.kept == 10 and report.changes == ()
    # forcing the alternative: the best plan moves C's series to D and is worth more, by less
    # than the 5 × 1.0 the moved sessions would give up
    best = solve(problem(), PARAMS)
    assert D in {x.host for x in best.series} and C not in {x.host for x in best.series}
    assert stable.metrics.best_objective == pytest.approx(best.metrics.objective)
    price = best.metrics.objective - stable.metrics.objective
    assert 0 < price < 5 * 1.0
    # the bound reported is the free solve's: a bound of the value, not of value + bonus
    assert stable.metrics.bound == pytest.approx(best.metrics.bound)
    assert check_plan(stable, p) == []


def test_a_small_keep_value_lets_the_gain_move_it_and_says_why(previous):
    p, flexible = _replan(previous, keep_value=0.1)
    assert D in {x.host for x in flexible.series}
    report = explain_changes(previous, flexible, p)
    moved = [c for c in report.changes if c.before.host == C]
    assert len(moved) == 5 and {c.kind for c in moved} == {"gain"}
    assert report.value > report.value_if_kept
    assert "le nouveau plan vaut plus" in moved[0].reason
    assert report.kept == 5  # A's series stays


def test_from_scratch_is_worth_the_plain_solve_with_identities_carried(previous):
    _, scratch = _replan(previous, keep_value=0.0)
    best = solve(problem(), PARAMS)
    assert scratch.metrics.objective == pytest.approx(best.metrics.objective)
    assert scratch.metrics.best_objective is None
    # A's series is the same five sessions (same identities), one revision later for each that moved
    before = {s.uid: s for s in previous.sessions if s.host == A}
    at_a = [s for s in scratch.sessions if s.host == A]
    assert {s.uid for s in at_a} == set(before)
    for s in at_a:
        was = before[s.uid]
        assert s.sequence == was.sequence + ((s.date, s.start) != (was.date, was.start))


LONGER = Season(SEASON.start, date(2027, 2, 9))  # one more Tuesday at the end


def test_a_closed_day_moves_only_the_session_it_closes(previous):
    """Closing the 3rd Tuesday: each series keeps its 4 other dates and takes the new last
    Tuesday (the interval rule allows two weeks after a closed date)."""
    closed = TUESDAYS[2]
    season = Season(LONGER.start, LONGER.end, frozenset({closed}), {closed: "Formation de l'équipe"})
    p, new = _replan(previous, keep_value=1.0, season=season)
    assert_plan_rules(new, p)
    report = explain_changes(previous, new, p)
    assert report.kept == 8
    assert [c.kind for c in report.changes] == ["forced", "forced"]
    assert all(c.before.date == closed and c.after.date == date(2027, 2, 9) for c in report.changes)
    assert all("tombe un jour fermé (Formation de l'équipe)" in c.reason for c in report.changes)
    # the moved sessions are the same sessions, one revision later
    prev = {s.uid: s for s in previous.sessions}
    moved = [s for s in new.sessions if s.date == date(2027, 2, 9)]
    assert len(moved) == 2 and all(s.uid in prev and s.sequence == prev[s.uid].sequence + 1 for s in moved)


def test_a_series_that_cannot_be_repaired_goes_and_says_why(previous):
    """As above, but C is not available on the new last Tuesday: C's series cannot be completed."""
    closed = TUESDAYS[2]
    season = Season(LONGER.start, LONGER.end, frozenset({closed}), {closed: "Formation de l'équipe"})
    busy_c = (HostRequest(C, blackout_dates=frozenset({date(2027, 2, 9)})),)
    p, new = _replan(previous, keep_value=1.0, season=season, requests=busy_c)
    report = explain_changes(previous, new, p)
    at_c = [c for c in report.changes if c.before.host == C]
    assert sorted(c.kind for c in at_c) == ["forced"] + ["series"] * 4
    series = [c for c in at_c if c.kind == "series"]
    assert all(f"sa séance du {closed:%d/%m/%Y}, qui tombe un jour fermé" in c.reason for c in series)
    assert not any(s.host == C for s in new.sessions)


def test_a_longer_season_keeps_the_dates_outside_the_new_windows(previous):
    """One more Tuesday at the start shifts every window by a week: only the extra candidates
    (the previous series' own dates) let the re-plan keep them."""
    longer = Season(date(2026, 12, 29), SEASON.end)
    p = replan_problem(problem(season=longer), previous, keep_value=1.0)
    cands = build_candidates(p)
    assert not any(c.dates == TUESDAYS for c in cands.free)  # not a window any more
    terms = extend(p, cands)
    assert {cands.free[i].dates for i in terms.extra} == {TUESDAYS}
    new = replan(p, PARAMS)
    assert _slots(previous) <= _slots(new)
    assert_plan_rules(new, p)


def test_locked_sessions_never_move_and_keep_their_identity(previous):
    locked = with_locks(previous, [(previous.sessions[0].series, 1)])
    p, new = _replan(locked, keep_value=0.0)
    lock = locked.sessions[0]
    twin = next(s for s in new.sessions if s.locked)
    assert (twin.date, twin.start, twin.host, twin.uid, twin.sequence) == (
        lock.date,
        lock.start,
        lock.host,
        lock.uid,
        lock.sequence,
    )
    assert explain_changes(locked, new, p).locked_moved == 0


def test_a_moved_session_keeps_its_uid_with_a_new_revision(previous):
    later = [replace(s, date=s.date + timedelta(days=7)) for s in previous.sessions if s.date < TUESDAYS[4]]
    moved = replace(previous, sessions=tuple(later))
    carried = carry_identities(moved, previous.sessions)
    prev = {s.uid: s for s in previous.sessions}
    for s in carried.sessions:
        was = prev[s.uid]
        assert s.host == was.host and s.sequence == was.sequence + (s.date != was.date)
    assert len({s.uid for s in carried.sessions}) == len(carried.sessions)


def test_a_hand_move_accepted_against_the_rules_survives_a_replan(previous):
    """Session 3 of A's series moved by hand to the Wednesday, its warnings accepted: the series
    is kept exactly so by a re-plan (neither completed nor reshaped), its exceptions still apply."""
    from planner.rules.adjust import accept, move_session
    from planner.rules.check import check_with_exceptions

    p = problem()
    third = next(s for s in previous.sessions if s.host == A and s.index == 3)
    adj = move_session(previous, p, (third.series, 3), new_date=third.date + timedelta(days=1))
    assert {v.rule for v in adj.violations} >= {"series_shape", "resource_calendar"}
    edited = accept(adj, by="coordination", on=date(2027, 1, 2))
    assert all(s.locked for s in edited.sessions if s.series == third.series)
    again = replan(replan_problem(p, edited, keep_value=1.0), PARAMS)
    kept = sorted(
        (s for s in again.sessions if s.uid in {x.uid for x in edited.sessions if x.host == A}),
        key=lambda s: s.index,
    )
    assert [(s.date, s.start) for s in kept] == [
        (s.date, s.start) for s in sorted((x for x in edited.sessions if x.host == A), key=lambda s: s.index)
    ]
    assert check_with_exceptions(again, replan_problem(p, edited)).ok
    assert again.accepted


def test_a_place_taken_by_a_locked_parcours_is_said_so_and_true():
    """One session a day, ten Tuesdays: two parcours one after the other. The first has started
    (its first session is kept as held) when the third Tuesday closes: completed as announced, it
    takes the sixth Tuesday, which the second parcours held — that session is « displaced », its
    siblings go with it (« series »), and the sixth Tuesday indeed belongs to the first parcours."""
    tuesdays = [date(2027, 1, 5) + timedelta(weeks=k) for k in range(10)]
    one_a_day = (bus_of(max_sessions_per_day=1),)
    p0 = problem(resources=one_a_day, season=Season(tuesdays[0], tuesdays[-1]))
    first = solve(p0, PARAMS)
    assert len(first.series) == 2
    closed = Season(tuesdays[0], tuesdays[-1], frozenset({tuesdays[2]}), {tuesdays[2]: "Fermeture"})
    p = replan_problem(replace(p0, season=closed), first, keep_value=1.0, frozen_before=tuesdays[1])
    new = replan(p, PARAMS)
    report = explain_changes(first, new, p)
    early = next(s.series for s in first.sessions if s.date == tuesdays[0])
    later = [s for s in first.sessions if s.series != early]
    displaced = [c for c in report.changes if c.kind == "displaced"]
    assert [c.before.date for c in displaced] == [tuesdays[5]]
    holder = next(s for s in new.sessions if s.date == tuesdays[5])
    assert holder.series in {s.series for s in new.sessions if s.locked}
    assert (
        f"sa place revient au parcours verrouillé de {p.territory.commune(holder.host).name}"
        == displaced[0].reason
    )
    assert {c.before.date for c in report.changes if c.kind == "series"} == {s.date for s in later} - {
        tuesdays[5]
    }
