"""Permanences and mixed plans on the default territory (issue 13: done when ≤ 1 % from the bound,
checked by the rules checker), and the checker catching a broken permanence rule."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta

import pytest

from planner.model import DOMICILE, PARCOURS, PERMANENCE, HostRequest
from planner.optimise.objective import objective_value
from planner.optimise.services import afternoon_start, solve_services
from planner.problem import SolveParams
from planner.rhythm import parse_rhythm
from planner.rules.check import check_plan, permanence_rhythm
from tests.builders import vierzon_problem

PARAMS = SolveParams(time_limit_s=60.0, gap=0.005, workers=1, seed=0)


def _problem(services, **kw):
    p = vierzon_problem()
    bus = replace(p.resources[0], services=services, **kw)
    return replace(p, resources=(bus,))


@pytest.fixture(scope="module")
def permanences():
    p = _problem((PERMANENCE,))
    return p, solve_services(p, PARAMS)


@pytest.fixture(scope="module")
def mixed():
    p = _problem((PARCOURS, PERMANENCE))
    return p, solve_services(p, PARAMS)


def test_monthly_rotation_of_permanences_is_valid_and_within_one_percent(permanences) -> None:
    problem, plan = permanences
    m = plan.metrics
    assert check_plan(plan, problem) == []
    assert m.gap <= 0.01 and m.objective <= m.bound + 1e-9
    assert abs(objective_value(plan, problem) - m.objective) < 1e-9  # recomputable from the plan
    assert plan.series and all(s.service == PERMANENCE for s in plan.series)
    # a monthly rotation on Tuesdays and Fridays: 1st…4th of each, morning and afternoon
    assert all(parse_rhythm(s.rhythm).kind == "monthly" for s in plan.series)
    assert len({s.rhythm for s in plan.series}) <= 8
    for s in plan.sessions:
        rhythm = parse_rhythm(next(x.rhythm for x in plan.series if x.id == s.series))
        assert rhythm.matches(s.date) and problem.season.is_open(s.date)


def test_mixed_plan_has_morning_permanences_and_afternoon_parcours(mixed) -> None:
    problem, plan = mixed
    m = plan.metrics
    assert check_plan(plan, problem) == []
    assert m.gap <= 0.01
    services = {s.service for s in plan.series}
    assert services == {PARCOURS, PERMANENCE}
    pm = afternoon_start(problem.resources[0])
    for s in plan.sessions:
        minutes = s.start.hour * 60 + s.start.minute
        assert (minutes < pm) == (s.service == PERMANENCE)


def test_a_permanence_moved_off_its_rhythm_is_caught(permanences) -> None:
    problem, plan = permanences
    first = plan.sessions[0]
    moved = replace(first, date=first.date + timedelta(days=7))  # 2e mardi → 3e mardi
    broken = replace(plan, sessions=(moved, *plan.sessions[1:]))
    found = permanence_rhythm(broken, problem)
    assert len(found) == 1 and "ne tombe pas" in found[0].message and found[0].uid == first.uid
    assert permanence_rhythm(plan, problem) == []


def test_two_visits_in_one_month_are_caught(permanences) -> None:
    problem, plan = permanences
    series = plan.series[0]
    mine = [s for s in plan.sessions if s.series == series.id]
    twice = replace(mine[1], date=mine[0].date, index=mine[1].index)
    broken = replace(plan, sessions=tuple(twice if s == mine[1] else s for s in plan.sessions))
    messages = [v.message for v in permanence_rhythm(broken, problem)]
    assert any("même période" in m for m in messages)


def test_a_permanence_counting_more_than_its_capacity_is_caught(permanences) -> None:
    problem, plan = permanences
    series = plan.series[0]
    host = series.host
    bigger = replace(
        series,
        participants=series.participants + 100,
        from_communes={**series.from_communes, host: series.from_communes.get(host, 0) + 100},
    )
    broken = replace(plan, series=(bigger, *plan.series[1:]))
    assert any("ne peuvent en recevoir" in v.message for v in check_plan(broken, problem))


def test_imposed_rhythm_is_kept() -> None:
    p = _problem((PERMANENCE,), permanence_rhythm="2e mardi du mois")
    plan = solve_services(p, replace(PARAMS, time_limit_s=20.0))
    assert check_plan(plan, p) == []
    assert {s.rhythm for s in plan.series} == {"monthly:2:1"}
    assert all(s.date.weekday() == 1 and 8 <= s.date.day <= 14 for s in plan.sessions)
    assert plan.metrics.gap <= 0.01


def test_home_visits_are_placed_valued_and_checked() -> None:
    p = _problem((PERMANENCE, DOMICILE), permanence_rhythm="2e mardi du mois")
    p = replace(p, requests=(HostRequest("18100", home_visits=2),))  # Genouilly
    plan = solve_services(p, replace(PARAMS, time_limit_s=20.0))
    assert check_plan(plan, p) == []
    home = [s for s in plan.series if s.service == DOMICILE]
    assert len(home) == 1 and home[0].host == "18100" and home[0].participants == 2
    visits = [s for s in plan.sessions if s.service == DOMICILE]
    assert len(visits) == 2 and all(s.host == "18100" for s in visits)
    # asking for fewer visits than planned breaks the rule
    fewer = replace(p, requests=(HostRequest("18100", home_visits=1),))
    assert any("demandée" in v.message for v in check_plan(plan, fewer))
    assert date(2027, 1, 1) <= visits[0].date


def test_an_imposed_commune_gets_a_permanence_and_the_km_budget_holds(permanences) -> None:
    _, free = permanences
    hosts = {s.host for s in free.series}
    forced = next(c for c in ("18128", "18085", "18167", "18064") if c not in hosts)  # small communes
    p = replace(_problem((PARCOURS, PERMANENCE)), must_host=(forced,))
    p = replace(p, rules=replace(p.rules, km_budget=2500.0))
    plan = solve_services(p, replace(PARAMS, time_limit_s=10.0))
    assert check_plan(plan, p) == []
    assert forced in {s.host for s in plan.sessions}
    base = p.resources[0].base
    assert sum(2 * p.matrix.km(base, s.host) for s in plan.sessions) <= 2500.0 + 1e-6


def test_cli_baseline_of_a_permanence_resource_is_the_parcours_saupoudrage(tmp_path) -> None:
    from planner.cli import main
    from planner.plan_json import load_plan

    out = tmp_path / "b.json"
    args = ["plan", "vierzon", "--start", "2027-01-04", "--end", "2027-06-25", "--quiet"]
    assert main([*args, "--service", "permanence", "--baseline", "--out", str(out)]) == 0
    plan = load_plan(out)
    assert plan.kind == "baseline" and {s.service for s in plan.sessions} == {PARCOURS}


def test_reasons_for_communes_left_out_are_true(mixed) -> None:
    """« complet »: every stop within reach is at capacity; « n'est à portée »: none is."""
    from planner.optimise.permanences import capacity_people
    from planner.territory.catchment import pool_caps, unmet_people

    problem, plan = mixed
    people = unmet_people(problem)
    bus = problem.resources[0]
    assert plan.unserved
    for u in plan.unserved:
        near = [
            s
            for s in plan.series
            if pool_caps(problem, bus, s.host, [u.code_insee], people)[u.code_insee] > 0
        ]
        if "n'est à portée" in u.reason:
            assert near == []
        else:
            assert "complet" in u.reason and near
            for s in near:
                held = [x for x in plan.sessions if x.series == s.id]
                minutes = sum((x.end.hour - x.start.hour) * 60 + x.end.minute - x.start.minute for x in held)
                cap = capacity_people(s.capacity, minutes) if s.service == PERMANENCE else bus.seats
                assert s.participants >= cap


def test_one_permanence_a_day_when_the_resource_holds_one_session() -> None:
    p = _problem((PERMANENCE,), max_sessions_per_day=1, permanence_rhythm="2e mardi du mois")
    plan = solve_services(p, replace(PARAMS, time_limit_s=10.0))
    assert check_plan(plan, p) == [] and len(plan.series) == 1
    from planner.errors import InputError

    with pytest.raises(InputError, match="au moins 2"):
        solve_services(_problem((PARCOURS, PERMANENCE), max_sessions_per_day=1), PARAMS)


@pytest.mark.parametrize(("rhythm", "days"), [("tous les 15 jours", 14), ("hebdomadaire", 7)])
def test_fortnightly_and_weekly_rotations(rhythm: str, days: int) -> None:
    p = _problem((PERMANENCE,), permanence_rhythm=rhythm)
    plan = solve_services(p, replace(PARAMS, time_limit_s=30.0))
    assert check_plan(plan, p) == [] and plan.metrics.gap <= 0.01
    for s in plan.series:
        dates = sorted(x.date for x in plan.sessions if x.series == s.id)
        assert all((b - a).days % days == 0 for a, b in itertools.pairwise(dates))


def test_announced_permanences_are_kept_and_the_rest_is_chosen_around_them(permanences) -> None:
    """Re-plan with two permanences announced (locked), one moved to a stop the plan did not
    choose: both are kept, with their identity, and the plan stays valid."""
    problem, plan = permanences
    first = plan.series[0]
    kept = tuple(replace(s, locked=True) for s in plan.sessions if s.series == first.id)[:2]
    # an announced permanence at a commune the optimiser left out, on the 3rd Tuesday morning
    hosts = {s.host for s in plan.series}
    forced_host = next(c for c in ("18128", "18085", "18167", "18064") if c not in hosts)
    from datetime import time

    from planner.model import Session

    extra = tuple(
        Session(
            "P99-" + forced_host,
            k,
            "bus-1",
            forced_host,
            d,
            time(9, 30),
            time(12, 30),
            True,
            service=PERMANENCE,
        )
        for k, d in enumerate((date(2027, 1, 19), date(2027, 2, 16)), start=1)
    )
    again = replace(problem, locked=kept + extra)
    replanned = solve_services(again, replace(PARAMS, time_limit_s=20.0))
    assert check_plan(replanned, again) == []
    by_key = {(s.series, s.index): s for s in replanned.sessions}
    for lock in kept + extra:
        got = by_key[(lock.series, lock.index)]
        assert got.locked and (got.date, got.start, got.host) == (lock.date, lock.start, lock.host)
        assert got.uid == lock.uid or not lock.uid
    series = {s.id: s for s in replanned.series}
    assert series["P99-" + forced_host].rhythm == "monthly:3:1"
    assert replanned.metrics.gap <= 0.01


def test_announced_permanences_off_rhythm_are_refused_in_french(permanences) -> None:
    from datetime import time

    from planner.errors import InputError
    from planner.model import Session

    problem, _ = permanences
    odd = tuple(
        Session("PX", k, "bus-1", "18128", d, time(9, 30), time(12, 30), True, service=PERMANENCE)
        for k, d in enumerate((date(2027, 1, 19), date(2027, 2, 2)), start=1)  # 3rd then 1st Tuesday
    )
    with pytest.raises(InputError, match="ne suivent pas le rythme"):
        solve_services(replace(problem, locked=odd), PARAMS)


def test_announced_home_visits_stay_and_count_among_those_asked() -> None:
    p = _problem((PERMANENCE, DOMICILE), permanence_rhythm="2e mardi du mois")
    p = replace(p, requests=(HostRequest("18100", home_visits=3),))
    first = solve_services(p, replace(PARAMS, time_limit_s=20.0))
    visit = next(s for s in first.sessions if s.service == DOMICILE)
    again = replace(p, locked=(replace(visit, locked=True),))
    plan = solve_services(again, replace(PARAMS, time_limit_s=20.0))
    assert check_plan(plan, again) == []
    visits = [s for s in plan.sessions if s.service == DOMICILE]
    assert len(visits) == 3 and any(s.uid == visit.uid and s.locked for s in visits)
