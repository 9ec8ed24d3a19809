"""The three service types in the domain objects and the plan file (issue 13, items 4 and 5)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, time

import pytest

from planner.errors import InputError
from planner.model import DOMICILE, PARCOURS, PERMANENCE, HostRequest, Resource, Series, Session
from planner.plan_json import (
    plan_from_dict,
    plan_to_dict,
    request_from_dict,
    request_to_dict,
    resource_from_dict,
    resource_to_dict,
    session_from_dict,
    session_to_dict,
)
from planner.rhythm import Rhythm, parse_rhythm, parse_rhythm_setting


def _session(**kw) -> Session:
    base = dict(
        series="P1",
        index=1,
        resource="bus-1",
        host="18279",
        date=date(2027, 1, 12),
        start=time(9),
        end=time(12),
    )
    return Session(**(base | kw))


def test_session_service_defaults_to_parcours_and_is_content() -> None:
    s = _session()
    assert s.service == PARCOURS
    assert _session(service=PERMANENCE) != s  # what is held is content
    assert replace(s, uid="x", sequence=3) == s  # identity stays bookkeeping
    with pytest.raises(InputError, match="prestation"):
        _session(service="atelier")


def test_old_files_load_as_parcours_and_new_fields_round_trip() -> None:
    old = {
        "series": "S1",
        "index": 1,
        "resource": "bus-1",
        "host": "18279",
        "date": "2027-01-12",
        "start": "09:00",
        "end": "12:00",
    }
    assert session_from_dict(old).service == PARCOURS
    perm = _session(service=PERMANENCE)
    assert session_from_dict(session_to_dict(perm)) == perm
    r = Resource(
        "bus-1", "bus", 12, "18279", services=(PARCOURS, PERMANENCE), permanence_rhythm="2e mardi du mois"
    )
    assert resource_from_dict(resource_to_dict(r)) == r
    d = resource_to_dict(r)
    for k in (
        "services",
        "permanence_rhythm",
        "permanence_minutes",
        "permanence_capacity",
        "home_visit_minutes",
    ):
        d.pop(k)
    assert resource_from_dict(d).services == (PARCOURS,)
    q = HostRequest("18279", home_visits=2)
    assert request_from_dict(request_to_dict(q)) == q
    assert request_from_dict({"code_insee": "18279"}).home_visits == 0


def test_plan_round_trip_keeps_series_service(tmp_path) -> None:
    from planner.model import Plan, PlanMetrics
    from tests.builders import vierzon_problem

    problem = vierzon_problem()
    metrics = PlanMetrics("FEASIBLE", 1.0, 1.0, 0.0, 0.1, 1.0, 1.0, 9, 0, 1, 10.0, 1.0)
    series = Series("P1", "18279", "bus-1", 9, {"18279": 9}, {"18279": 0.0}, PERMANENCE, "monthly:2:1", 3.0)
    home = Series("D1", "18279", "bus-1", 2, {"18279": 2}, {"18279": 0.0}, DOMICILE)
    plan = Plan(
        "vierzon",
        problem.season,
        problem.rules,
        problem.resources,
        (series, home),
        (_session(service=PERMANENCE),),
        (),
        (),
        metrics,
    )
    back = plan_from_dict(plan_to_dict(plan))
    assert back.series == plan.series and back.sessions == plan.sessions


def test_resource_and_series_reject_bad_settings() -> None:
    with pytest.raises(InputError, match="prestation"):
        Resource("bus-1", "bus", 12, "18279", services=("atelier",))
    with pytest.raises(InputError, match="rythme"):
        Resource("bus-1", "bus", 12, "18279", permanence_rhythm="de temps en temps")
    with pytest.raises(InputError, match="capacité"):
        Resource("bus-1", "bus", 12, "18279", permanence_capacity=0)
    with pytest.raises(InputError, match="rythme"):
        Series("P1", "18279", "bus-1", 9, service=PERMANENCE, rhythm="monthly:9:1")


@pytest.mark.parametrize(
    ("text", "code", "poster"),
    [
        ("2e mardi du mois", "monthly:2:1", "tous les 2es mardis du mois"),
        ("le 1er jeudi", "monthly:1:3", "tous les 1ers jeudis du mois"),
        ("dernier vendredi du mois", "monthly:-1:4", "tous les derniers vendredis du mois"),
        ("tous les mardis", "weekly:1", "tous les mardis"),
        ("un mercredi sur deux", "fortnightly:2:0", "un mercredi sur deux"),
    ],
)
def test_rhythm_reads_french_and_codes(text: str, code: str, poster: str) -> None:
    r = parse_rhythm(text)
    assert r.code == code and r.poster_fr == poster
    assert parse_rhythm(r.code) == r


def test_rhythm_dates() -> None:
    second_tuesday = Rhythm("monthly", 1, 2)
    days = second_tuesday.dates(date(2027, 1, 1), date(2027, 6, 30))
    assert days == [
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
        date(2027, 4, 13),
        date(2027, 5, 11),
        date(2027, 6, 8),
    ]
    assert not second_tuesday.matches(date(2027, 1, 19))
    last = Rhythm("monthly", 4, -1)
    assert last.dates(date(2027, 1, 1), date(2027, 2, 28)) == [date(2027, 1, 29), date(2027, 2, 26)]
    fortnight = parse_rhythm("un mardi sur deux")
    d = fortnight.dates(date(2026, 12, 1), date(2027, 1, 31))
    assert all((b - a).days == 14 for a, b in itertools.pairwise(d))  # no break at the new year
    assert parse_rhythm_setting("mensuel") == ("monthly", None)
