"""The value of a permanence and of home visits, on the parcours' yardstick."""

from __future__ import annotations

from dataclasses import replace

from planner.model import DOMICILE, PERMANENCE, Series
from planner.optimise.objective import person_weights, series_value
from planner.optimise.permanences import (
    capacity_people,
    home_visits_value,
    permanence_value,
    reach,
    service_share,
    take,
)
from planner.territory.catchment import unmet_people
from tests.builders import vierzon_problem


def test_reach_is_host_then_attendance_caps_and_capacity_caps_take() -> None:
    problem = vierzon_problem()
    bus = problem.resources[0]
    people = unmet_people(problem)
    host = "18148"  # Méreau
    within = reach(problem, bus, host)
    assert next(iter(within)) == host and within[host] == people[host]
    assert all(n <= people[c] for c, n in within.items())
    small = replace(bus, permanence_capacity=1.0, permanence_minutes=60)
    got = take(problem, small, host, visits=3)
    assert sum(got.values()) == min(3, sum(within.values()))
    big = take(problem, bus, host, visits=10_000)
    assert big == within  # capacity not binding: everyone within reach


def test_value_is_weighted_like_a_parcours() -> None:
    problem = vierzon_problem()
    bus = problem.resources[0]
    w = person_weights(problem)
    host = "18148"
    got = take(problem, bus, host, visits=6)
    assert permanence_value(problem, host, bus, got) == series_value(problem, [(host, bus.id, 1.0, got)], 0.0)
    # a poorly covered commune's person is worth more than a well covered one's
    home_a = home_visits_value(problem, host, bus, 1)
    assert abs(home_a - w[host]) < 1e-9


def test_service_share() -> None:
    from datetime import date, time

    from planner.model import Session

    perm = Series("P", "18148", "bus-1", 18, service=PERMANENCE, rhythm="monthly:2:1", capacity=3.0)
    visit = Session("P", 1, "bus-1", "18148", date(2027, 1, 12), time(9), time(12), service=PERMANENCE)
    assert capacity_people(3.0, 180, 2) == 18
    assert service_share(perm, [visit], 5) == 0.5
    assert service_share(perm, [visit, visit, visit], 5) == 1.0
    home = Series("D", "18148", "bus-1", 2, service=DOMICILE)
    assert service_share(home, [visit], 5) == 0.5
    assert service_share(Series("S", "18148", "bus-1", 8), [visit] * 2, 5) == 0.4
