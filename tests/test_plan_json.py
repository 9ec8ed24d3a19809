"""The plan JSON format round-trips and reports bad files in French."""

import json
from dataclasses import replace
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.model import Plan, PlanMetrics, Resource, Route, Rules, Season, Series, Session, Unserved
from planner.plan_json import load_plan, plan_from_dict, plan_to_dict, save_plan


def tiny_plan() -> Plan:
    season = Season(
        date(2027, 1, 4), date(2027, 2, 26), frozenset({date(2027, 1, 1)}), {date(2027, 1, 1): "1er janvier"}
    )
    bus = Resource("bus-1", "bus", 12, "18279")
    sessions = tuple(
        Session(
            "S01-18100",
            k,
            "bus-1",
            "18100",
            date(2027, 1, 5) + timedelta(weeks=k - 1),
            time(9, 30),
            time(12, 30),
            k == 1,
        )
        for k in range(1, 6)
    )
    return Plan(
        territory_spec="vierzon",
        season=season,
        rules=Rules(),
        resources=(bus,),
        series=(Series("S01-18100", "18100", "bus-1", 8, {"18100": 5, "18101": 3}),),
        sessions=sessions,
        routes=(Route("bus-1", date(2027, 1, 5), ("18279", "18100", "18279"), 49.0, 49.0),),
        unserved=(Unserved("18200", 12.5, "seuil non atteint", "élargir le rayon", name="X"),),
        metrics=PlanMetrics("OPTIMAL", 10.0, 10.0, 0.0, 0.5, 100.0, 90.0, 8, 8, 5, 245.0, 4.1),
    )


def test_round_trip_is_identity():
    plan = tiny_plan()
    assert plan_from_dict(json.loads(json.dumps(plan_to_dict(plan)))) == plan


def test_required_fields_are_present():
    d = plan_to_dict(tiny_plan())
    assert {"season", "rules", "resources", "series", "sessions", "routes", "unserved", "metrics"} <= d.keys()
    assert d["sessions"][0] == {
        "series": "S01-18100",
        "index": 1,
        "resource": "bus-1",
        "host": "18100",
        "date": "2027-01-05",
        "start": "09:30",
        "end": "12:30",
        "locked": True,
        "uid": "",
        "sequence": 0,
        "service": "parcours",
    }
    assert d["season"]["closed_dates"] == ["2027-01-01"]


def test_a_session_keeps_its_identity_through_the_file_and_old_files_get_one(tmp_path):
    plan = tiny_plan()
    moved = replace(plan.sessions[0], uid="abc123", sequence=2)
    d = plan_to_dict(replace(plan, sessions=(moved, *plan.sessions[1:])))
    back = plan_from_dict(d)
    assert (back.sessions[0].uid, back.sessions[0].sequence) == ("abc123", 2)
    # a file written before identities existed: every session gets a distinct, repeatable one
    for s in d["sessions"]:
        s.pop("uid"), s.pop("sequence")
    first, again = plan_from_dict(d), plan_from_dict(d)
    uids = [s.uid for s in first.sessions]
    assert all(uids) and len(set(uids)) == len(uids)
    assert uids == [s.uid for s in again.sessions]


def test_save_and_load(tmp_path):
    path = tmp_path / "plan.json"
    save_plan(tiny_plan(), path)
    assert load_plan(path) == tiny_plan()


def test_bad_files_give_french_errors(tmp_path):
    bad = tmp_path / "cassé.json"
    bad.write_text("{pas du json", encoding="utf-8")
    with pytest.raises(InputError, match=r"cassé\.json.*JSON invalide"):
        load_plan(bad)
    missing = tmp_path / "incomplet.json"
    d = plan_to_dict(tiny_plan())
    del d["metrics"]
    missing.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(InputError, match="plan illisible"):
        load_plan(missing)
    with pytest.raises(InputError, match="introuvable"):
        load_plan(tmp_path / "absent.json")


def test_the_bound_of_a_restricted_solve_goes_through_the_file_and_old_files_load():
    """``bound``/``gap`` of the problem asked, ``restricted_bound`` and ``greedy_parts`` round-trip;
    a file written before them loads with « no restriction »."""
    plan = tiny_plan()
    m = replace(plan.metrics, status="FEASIBLE", bound=12.0, gap=1 / 6, restricted_bound=10.0, greedy_parts=1)
    restricted = replace(plan, metrics=m)
    d = json.loads(json.dumps(plan_to_dict(restricted)))
    assert (d["metrics"]["restricted_bound"], d["metrics"]["greedy_parts"]) == (10.0, 1)
    assert plan_from_dict(d) == restricted
    for key in ("restricted_bound", "greedy_parts"):
        d["metrics"].pop(key)
    old = plan_from_dict(d).metrics
    assert (old.restricted_bound, old.greedy_parts, old.bound, old.gap) == (None, 0, 12.0, 1 / 6)


def test_a_reference_value_and_its_rules_round_trip_and_are_absent_otherwise():
    """« Valeur selon vos réglages » of a plan of the frontier is in its file, with those rules."""
    plan = load_plan(Path(__file__).parent / "data" / "plan_vierzon_petit.json")
    assert "reference_value" not in plan_to_dict(plan)["metrics"]
    rules = Rules(priority=3.0, travel_weight=0.0)
    marked = replace(plan, metrics=replace(plan.metrics, reference_value=12.5, reference_rules=rules))
    d = plan_to_dict(marked)
    assert d["metrics"]["reference_value"] == 12.5 and d["metrics"]["reference_rules"]["priority"] == 3.0
    again = plan_from_dict(json.loads(json.dumps(d)))
    assert again.metrics.reference_value == 12.5 and again.metrics.reference_rules == rules
