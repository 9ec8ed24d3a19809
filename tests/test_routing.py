"""Daily routes (tiny drawing of ``tests/tiny_season.py``: A–B 10, B–C 10, A–C 20, C–D 40, A–D 60)."""

from __future__ import annotations

import itertools
from datetime import time

import pytest
from tiny_season import TUESDAYS, A, B, C, D, bus, matrix

from planner.model import Session
from planner.routing import best_order, day_routes, route_of


def test_route_goes_from_the_base_and_back():
    r = route_of(bus(), TUESDAYS[0], [B, D], matrix())
    assert r.stops == (A, B, D, A)
    assert r.km == pytest.approx(10 + 50 + 60)
    assert r.drive_minutes == pytest.approx(120)


def test_repeated_consecutive_stop_is_merged():
    assert route_of(bus(), TUESDAYS[0], [B, B], matrix()).stops == (A, B, A)


def test_day_routes_follow_the_start_times():
    day = TUESDAYS[0]
    sessions = [
        Session("S2", 1, "bus", D, day, time(13, 30), time(16, 30)),
        Session("S1", 1, "bus", B, day, time(9, 10), time(12, 10)),
    ]
    (route,) = day_routes([bus()], sessions, matrix())
    assert route.stops == (A, B, D, A)


def test_best_order_for_two_stops_takes_the_shorter_way():
    # both orders are 120 km on this line; A→C→B→A is 20+10+10 = 40 = A→B→C→A: either is fine
    assert sorted(best_order(A, [C, B], matrix())) == [B, C]


def test_best_order_uses_the_routing_library_for_several_stops():
    # Points on a line A–B–C–D: visiting in order B, C, D (or reversed) is the shortest tour (120 km)
    order = best_order(A, [D, B, C], matrix(), time_limit_s=0.5, exact_up_to=0)
    assert order in ([B, C, D], [D, C, B])
    m = matrix()
    stops = [A, *order, A]
    assert sum(m.km(a, b) for a, b in itertools.pairwise(stops)) == pytest.approx(120)


def test_best_order_avoids_a_zigzag():
    m = matrix()
    zigzag = [D, B, C]
    tour = [A, *zigzag, A]
    assert sum(m.km(a, b) for a, b in itertools.pairwise(tour)) > 120  # 60+50+10+20 = 140
    assert best_order(A, zigzag, m) != zigzag  # every order tried
    assert best_order(A, zigzag, m, time_limit_s=0.5, exact_up_to=0) != zigzag  # routing library
