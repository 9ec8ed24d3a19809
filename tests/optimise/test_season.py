"""The season model's building blocks: time of day, calendar windows, candidates, objective.

Instances are the drawing of ``tests/tiny_season.py``; every expected number is worked out by hand
in the test.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest
from tiny_season import SEASON, TUESDAYS, A, B, C, D, E, bus, matrix, problem

from planner.errors import InfeasibleError
from planner.model import CommuneNeed, HostRequest, Plan, PlanMetrics, Rules, Season, Series, Session
from planner.optimise.candidates import (
    allowed_gaps,
    build_candidates,
    chain_from,
    day_slots,
    series_windows,
    slot_fits,
    slot_start,
    slots_compatible,
)
from planner.optimise.cpsat import series_sizes
from planner.optimise.objective import commune_value, need_weight, objective_value

# ----------------------------------------------------------------------------- time of day


def test_bus_day_holds_two_sessions_and_a_long_team_day_more():
    assert day_slots(bus()) == 2  # 510 min: 2×180 + 30 break fits, 3×180 does not
    assert day_slots(bus(max_sessions_per_day=1)) == 1
    team = bus(id="team", kind="team", session_minutes=90, max_sessions_per_day=4, needs_power=False)
    assert day_slots(team) == 4  # 4×90 + 3×30 = 450 ≤ 510


def quarter_up(minutes: int) -> int:
    """Next quarter hour at or after ``minutes`` (the expected rounding, written independently)."""
    return -(-minutes // 15) * 15


def quarter_down(minutes: int) -> int:
    return minutes // 15 * 15


def test_slot_times_follow_the_drive_from_and_to_the_base():
    m = matrix()
    r = bus()
    nine, half_five = 9 * 60, 17 * 60 + 30
    assert slot_start(r, 0, B, m) == quarter_up(nine + 10) == 9 * 60 + 15  # 09:00 + 10 min → 09:15
    assert slot_start(r, 0, D, m) == quarter_up(nine + 60) == 10 * 60  # already on the hour
    # afternoon: back at 17:30 at the latest → latest start rounded down
    assert slot_start(r, 1, B, m) == quarter_down(half_five - 10 - 180) == 14 * 60 + 15  # 14:20 → 14:15
    assert slot_start(r, 1, D, m) == quarter_down(half_five - 60 - 180) == 13 * 60 + 30


def test_every_slot_start_is_on_the_quarter_hour_and_keeps_the_day():
    m = matrix()
    team = bus(id="team", kind="team", session_minutes=90, max_sessions_per_day=4, day_start=time(8, 50))
    for r in (bus(), bus(day_start=time(8, 55), day_end=time(17, 20)), team):
        for h in (A, B, C, D):
            for k in range(day_slots(r)):
                st = slot_start(r, k, h, m)
                assert st % 15 == 0
                if slot_fits(r, k, h, m):
                    assert st >= r.day_start.hour * 60 + r.day_start.minute + m.minutes(r.base, h)
                    back = st + r.session_minutes + m.minutes(h, r.base)
                    assert back <= r.day_end.hour * 60 + r.day_end.minute
    # a day starting 08:55 with 10 min to B: earliest arrival 09:05 → 09:15, not 09:05
    assert slot_start(bus(day_start=time(8, 55)), 0, B, m) == quarter_up(8 * 60 + 55 + 10) == 9 * 60 + 15


def test_slot_fits_keeps_and_breaks_the_day():
    m = matrix()
    assert slot_fits(bus(), 0, D, m)  # 10:00–13:00, back 14:00
    short = bus(day_end=time(13, 30))  # 09:00–13:30: D's morning ends 13:00, back at 14:00
    assert not slot_fits(short, 0, D, m)
    assert slot_fits(short, 0, B, m)
    # B's morning 09:15–12:15 and back at 12:25: a day ending 12:20 would fit at 09:10 (5-minute
    # times), not with quarter-hour starts
    assert not slot_fits(bus(day_end=time(12, 20)), 0, B, m)
    assert slot_fits(bus(day_end=time(12, 25)), 0, B, m)


def test_two_slots_compatible_only_with_the_drive_between():
    m = matrix()
    # A 09:00–12:00, drive 60 + break 30 → 13:30 = D's afternoon start: just fits
    assert slots_compatible(bus(), 0, A, 1, D, m)
    # B 09:15–12:15 (quarter hour), drive 50 + 30 → 13:35 > D's afternoon start 13:30
    assert not slots_compatible(bus(), 0, B, 1, D, m)
    # with B–D at 45 min: 12:15 + 45 + 30 = 13:30 → fits
    assert slots_compatible(bus(), 0, B, 1, D, matrix({(B, D): 45}))
    # with C–D at 70 min: C 09:30–12:30, drive 70 + 30 → 14:10 > 13:30
    assert not slots_compatible(bus(), 0, C, 1, D, matrix({(C, D): 70}))


# ----------------------------------------------------------------------------- calendar windows


def test_gaps_are_whole_weeks_within_tolerance():
    assert allowed_gaps(Rules()) == (7, 14)
    assert allowed_gaps(Rules(interval_tolerance_days=0)) == (7,)
    assert allowed_gaps(Rules(interval_days=14, interval_tolerance_days=7)) == (7, 14, 21)
    with pytest.raises(InfeasibleError, match="semaines entières"):
        allowed_gaps(Rules(interval_days=10, interval_tolerance_days=2))


def test_closed_date_pushes_a_session_one_week_within_tolerance():
    tuesdays = {date(2027, 1, 5), date(2027, 1, 12), date(2027, 1, 26), date(2027, 2, 2), date(2027, 2, 9)}
    got = chain_from(date(2027, 1, 5), tuesdays, 5, (7, 14))
    assert got == (date(2027, 1, 5), date(2027, 1, 12), date(2027, 1, 26), date(2027, 2, 2), date(2027, 2, 9))
    assert chain_from(date(2027, 1, 5), tuesdays, 5, (7,)) is None  # no tolerance: the hole breaks it


def test_windows_pack_the_season_and_skip_closed_dates():
    assert series_windows(SEASON, 1, Rules()) == [TUESDAYS]
    closed = Season(date(2027, 1, 5), date(2027, 2, 9), frozenset({date(2027, 1, 19)}))
    (w,) = series_windows(closed, 1, Rules())
    assert date(2027, 1, 19) not in w and len(w) == 5
    assert series_windows(closed, 1, Rules(interval_tolerance_days=0)) == []


# ----------------------------------------------------------------------------- candidates


def test_candidates_need_threshold_and_reach():
    cands = build_candidates(problem())
    hosts = {c.host for c in cands.free}
    assert E not in hosts  # 4 people within 15 min < threshold 6
    assert hosts == {A, B, C, D}
    assert {c.slot for c in cands.free} == {0, 1}
    assert all(c.dates == TUESDAYS for c in cands.free)


def test_bus_goes_only_where_there_is_power():
    no_power = (HostRequest(D, has_power=False),)
    assert D not in {c.host for c in build_candidates(problem(requests=no_power)).free}
    team = bus(id="team", kind="team", needs_power=False)
    assert D in {c.host for c in build_candidates(problem(requests=no_power, resources=(team,))).free}


def test_request_weekdays_and_blackout_dates_restrict_candidates():
    wrong_day = (HostRequest(D, weekdays=(3,)),)
    assert D not in {c.host for c in build_candidates(problem(requests=wrong_day)).free}
    blackout = (HostRequest(D, blackout_dates=frozenset({date(2027, 1, 19)})),)
    assert D not in {c.host for c in build_candidates(problem(requests=blackout)).free}
    fine = (HostRequest(D, weekdays=(1,), blackout_dates=frozenset({date(2027, 3, 2)})),)
    assert D in {c.host for c in build_candidates(problem(requests=fine)).free}


def test_requests_only_keeps_requesting_hosts():
    cands = build_candidates(problem(requests=(HostRequest(B),), requests_only=True))
    assert {c.host for c in cands.free} == {B}


def test_locked_session_removes_its_slot_and_completes_its_series():
    lk = Session("L1", 1, "bus", D, date(2027, 1, 5), time(10, 0), time(13, 0), locked=True)
    cands = build_candidates(problem(locked=(lk,)))
    (fixed,) = cands.fixed
    assert fixed.dates == TUESDAYS and fixed.locked_flags == (True, False, False, False, False)
    assert fixed.slot == 0
    assert all(c.slot == 1 for c in cands.free)  # the morning of the window is taken
    # afternoon hosts must be reachable from D after 13:00: A (60 min → 14:30 start) fits
    assert A in {c.host for c in cands.free}


# ----------------------------------------------------------------------------- objective


def test_need_weight_grows_with_unmet_need():
    assert need_weight(0, 12) == 0
    assert need_weight(24, 12) == pytest.approx(0.5)  # U / (U + 2·12)
    assert need_weight(40, 12) > need_weight(12, 12)


def test_commune_value_has_diminishing_returns_per_group():
    rules = Rules(repeat_value=0.5)
    assert commune_value(12, 1.0, rules, 12) == pytest.approx(12)
    assert commune_value(18, 1.0, rules, 12) == pytest.approx(12 + 0.5 * 6)
    assert commune_value(30, 0.5, rules, 12) == pytest.approx(0.5 * (12 + 6 + 0.25 * 6))


def test_series_sizes_split_within_threshold_and_seats():
    assert series_sizes(20, [12, 12], 6) == [12, 8]  # 6 + 6, then fill the first up to 12
    assert sum(series_sizes(24, [12, 12], 6)) == 24


def _plan(series, sessions) -> Plan:
    rules = Rules(travel_weight=0.0)
    metrics = PlanMetrics("OPTIMAL", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    return Plan("tiny", SEASON, rules, (bus(),), tuple(series), tuple(sessions), (), (), metrics)


def test_objective_value_by_hand():
    prob = problem(rules=Rules(travel_weight=0.01))
    s1 = Series("S1", A, "bus", 12, {A: 10, B: 2})
    sessions = [Session("S1", k + 1, "bus", A, d, time(9), time(12)) for k, d in enumerate(TUESDAYS)]
    got = objective_value(_plan([s1], sessions), prob)
    w_a, w_b = 40 / 64, 12 / 36  # coverage 0: priority weight 1
    penalty_b = 1 - 0.6 * 2 ** (-10 / 8)  # B is 10 min from A: a person from B counts w(10) = 25 %
    expected = 10 * w_a + 2 * w_b - 2 * w_b * penalty_b - 0.01 * 0  # A is the base: 0 km
    assert got == pytest.approx(expected)


def test_objective_values_the_least_covered_first():
    """Coverage c weighs a person (1 + P (1 − c)) / (1 + P): with P = 2, A covered at 40 %
    counts (1 + 1.2) / 3 of what it counted uncovered; with P = 0 coverage plays no part."""
    s1 = Series("S1", A, "bus", 12, {A: 12})
    sessions = [Session("S1", k + 1, "bus", A, d, time(9), time(12)) for k, d in enumerate(TUESDAYS)]
    plan = _plan([s1], sessions)
    covered = problem()
    covered = replace(covered, needs={**covered.needs, A: CommuneNeed(A, 80.0, 0.4, 40.0)})
    assert objective_value(plan, covered) == pytest.approx(12 * 40 / 64 * (1 + 2 * 0.6) / 3)
    flat = replace(covered, rules=replace(covered.rules, priority=0.0))
    assert objective_value(plan, flat) == pytest.approx(12 * 40 / 64)


def test_objective_counts_a_one_off_session_as_a_fifth_and_charges_km():
    prob = problem(rules=Rules(travel_weight=0.01))
    one = Series("S1", D, "bus", 12, {D: 12})
    got = objective_value(_plan([one], [Session("S1", 1, "bus", D, TUESDAYS[0], time(10), time(13))]), prob)
    assert got == pytest.approx(12 / 5 * 30 / 54 - 0.01 * 2 * 60)
