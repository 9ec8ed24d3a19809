"""Equity and travel figures: definitions, and recomputed from the plan file alone."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date, time

import pytest

from planner.model import Plan, PlanMetrics, Resource, Route, Rules, Season, Series, Session
from planner.plan_json import plan_from_dict, plan_to_dict
from planner.publish.equity import equity_lines, equity_of, least_covered, plan_equity


def test_least_covered_third_is_the_lowest_coverage_then_the_code():
    coverage = {"18005": 0.2, "18001": 0.0, "18003": 0.00004, "18002": 0.5, "18004": 0.1}
    # ceil(5 / 3) = 2; 0.00004 rounds to 0.0 (4 decimals, as the territory JSON): a tie with 18001
    assert least_covered(coverage) == ("18001", "18003")
    assert len(least_covered({f"180{i:02d}": i / 100 for i in range(34)})) == 12


def _plan() -> Plan:
    bus = Resource("bus", "bus", 12, "18001", (1,), time(9), time(17, 30), 2, 180, True)
    day = date(2027, 1, 5)
    series = (
        Series("S1", "18001", "bus", 12, {"18001": 10, "18002": 2}, {"18001": 0.0, "18002": 9.0}),
        Series("S2", "18003", "bus", 8, {"18003": 7, "18004": 1}, {"18003": 0.0, "18004": 4.0}),
    )
    sessions = (
        Session("S1", 1, "bus", "18001", day, time(9), time(12)),
        Session("S2", 1, "bus", "18003", day, time(14), time(17)),
    )
    return Plan(
        "t",
        Season(day, day),
        Rules(sessions_per_series=1),
        (bus,),
        series,
        sessions,
        (Route("bus", day, ("18001", "18001", "18003", "18001"), 40.0, 40.0),),
        (),
        PlanMetrics("OPTIMAL", 1.0, 1.0, 0.0, 0.1, 10.0, 10.0, 20, 20, 2, 40.0, 0.7),
    )


COVERAGE = {"18001": 0.5, "18002": 0.4, "18003": 0.0, "18004": 0.3, "18005": 0.6, "18006": 0.9}
UNMET = {"18001": 40.0, "18002": 10.0, "18003": 20.0, "18004": 10.0, "18005": 10.0, "18006": 10.0}


def test_figures_of_a_hand_made_plan():
    """Third = 18003 (0.0), 18004 (0.3): 30 of 100 unmet; S2 at 18003 holds 1 of 2 sessions;
    participants from the third 7 + 1 of 20; travellers 2 (9 min) + 1 (4 min) = 3, mean 22/3."""
    e = equity_of(_plan(), COVERAGE, UNMET, 0.5, 0.317)
    assert e.least_covered == ("18003", "18004")
    assert e.least_covered_need_share == pytest.approx(0.30)
    assert e.least_covered_session_share == pytest.approx(0.5)
    assert e.least_covered_participant_share == pytest.approx(8 / 20)
    assert e.least_covered_hosts == 1
    assert (e.participants_travelling, e.participants) == (3, 20)
    assert e.travel_minutes_mean == pytest.approx((2 * 9 + 1 * 4) / 3) and e.travel_minutes_max == 9.0
    assert (e.base_series, e.base_sessions) == (1, 1)
    assert (e.km, e.km_eur, e.co2_kg) == (40.0, 20.0, pytest.approx(12.68))
    lines = equity_lines(e)
    assert lines["travelling"] == "3 sur 20 (15 %)" and lines["least_covered_hosts"] == "1 sur 2"


def test_the_plan_file_is_enough_to_recompute_them():
    from planner.publish.equity import metric_fields
    from planner.publish.report import CostRates

    plan = _plan()
    plan = replace(plan, metrics=replace(plan.metrics, **metric_fields(plan, COVERAGE, UNMET, CostRates())))
    again = plan_from_dict(json.loads(json.dumps(plan_to_dict(plan))))
    e = plan_equity(again)
    m = again.metrics
    assert e.least_covered == m.least_covered
    for name in (
        "least_covered_need_share",
        "least_covered_session_share",
        "least_covered_participant_share",
        "travel_minutes_mean",
        "km_eur",
        "co2_kg",
    ):
        assert math.isclose(getattr(e, name), getattr(m, name), abs_tol=0.01), name
    assert (e.least_covered_hosts, e.participants_travelling, e.base_series) == (
        m.least_covered_hosts,
        m.participants_travelling,
        m.base_series,
    )
    assert dict(again.series[0].from_minutes) == {"18001": 0.0, "18002": 9.0}


def test_a_plan_file_written_before_these_figures_still_loads():
    from planner.plan_json import _REQUIRED_METRICS

    d = plan_to_dict(_plan())
    d["metrics"] = {k: d["metrics"][k] for k in _REQUIRED_METRICS}
    for s in d["series"]:
        del s["from_minutes"]
    for r in d["resources"]:
        del r["public"]
    for key in ("priority", "attendance_share", "attendance_half_minutes", "km_budget"):
        del d["rules"][key]
    plan = plan_from_dict(d)
    assert plan.metrics.coverage == {} and plan.metrics.least_covered == ()
    assert plan.resources[0].public == "general" and plan.series[0].from_minutes == {}
