"""Selecting sessions on the calendars of the Tournée page (ui/plan_views.py, pure functions).

Hand-made plan, no territory needed (names are given)::

    bus-1, Tuesdays:  S01 at A 9:00  (5, 12 Jan 2027)   S02 at B 14:00 (5, 12 Jan 2027)
    bus-1, Fridays:   S03 at A 9:00  (8 Jan 2027), locked

A click on a calendar cell selects ``{"cle": "<series>#<n>"}``; Streamlit returns the points of
the point selection ``seances`` as ``{"selection": {"seances": [{"cle": ...}, ...]}}``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, time

import pytest

from planner.model import Plan, PlanMetrics, Resource, Rules, Season, Series, Session
from planner.rules.adjust import set_locked
from ui import plan_views as pv

A, B = "18001", "18002"
NAMES = {A: "Alpha", B: "Bêta"}


def make_plan() -> Plan:
    bus = Resource("bus-1", "bus", 12, A, (1, 4), time(9), time(18), 2, 180, True, "Bus")
    sessions = (
        Session("S01", 1, "bus-1", A, date(2027, 1, 5), time(9), time(12)),
        Session("S01", 2, "bus-1", A, date(2027, 1, 12), time(9), time(12)),
        Session("S02", 1, "bus-1", B, date(2027, 1, 5), time(14), time(17)),
        Session("S02", 2, "bus-1", B, date(2027, 1, 12), time(14), time(17)),
        Session("S03", 1, "bus-1", A, date(2027, 1, 8), time(9), time(12), locked=True),
    )
    return Plan(
        territory_spec="test",
        season=Season(date(2027, 1, 4), date(2027, 1, 29)),
        rules=Rules(sessions_per_series=2),
        resources=(bus,),
        series=(Series("S01", A, "bus-1", 8, {A: 8}), Series("S02", B, "bus-1", 7, {B: 7})),
        sessions=sessions,
        routes=(),
        unserved=(),
        metrics=PlanMetrics("OPTIMAL", 1.0, 1.0, 0.0, 0.1, 15, 15, 8, 8, 5, 0.0, 0.0),
    )


@pytest.fixture()
def plan() -> Plan:
    return make_plan()


def event(*refs: str) -> dict:
    return {"selection": {pv.CALENDAR_SELECTION: [{"cle": r} for r in refs]}}


def keys(sessions) -> list[tuple[str, int]]:
    return [(s.series, s.index) for s in sessions]


def test_each_calendar_row_carries_its_session_reference(plan):
    frame = pv.calendar_frame(plan, NAMES)
    assert sorted(frame["cle"]) == ["S01#1", "S01#2", "S02#1", "S02#2", "S03#1"]
    row = frame[frame["cle"] == "S02#2"].iloc[0]
    assert (row["commune"], row["séance"], row["date"]) == ("Bêta", "2/2", "mar. 12/01/2027")


def test_selected_cells_give_their_sessions_in_calendar_order(plan):
    picked = pv.selected_sessions(plan, event("S02#2", "S01#1", "S03#1"))
    assert keys(picked) == [("S01", 1), ("S03", 1), ("S02", 2)]  # by date, then start
    assert picked[1].locked and not picked[0].locked


def test_every_shape_of_the_selection_is_read(plan):
    points = [{"cle": "S01#2"}]
    assert pv.selection_refs({"selection": {pv.CALENDAR_SELECTION: points}}) == ["S01#2"]
    assert pv.selection_refs({pv.CALENDAR_SELECTION: points}) == ["S01#2"]  # the selection part
    assert pv.selection_refs(points) == ["S01#2"]
    assert pv.selection_refs({"selection": {pv.CALENDAR_SELECTION: {"vlPoint": {"or": points}}}}) == ["S01#2"]


def test_nothing_selected_gives_nothing(plan):
    assert pv.selected_sessions(plan, None) == []
    assert pv.selected_sessions(plan, {"selection": {pv.CALENDAR_SELECTION: {}}}) == []  # Streamlit's empty
    assert pv.selected_sessions(plan, {"selection": {}}) == []


def test_points_without_a_session_and_repeats_are_ignored(plan):
    raw = {
        "selection": {
            pv.CALENDAR_SELECTION: [{}, {"jour": 1}, {"cle": None}, {"cle": "S02#1"}, {"cle": "S02#1"}]
        }
    }
    assert pv.selection_refs(raw) == ["S02#1"]
    assert keys(pv.selected_sessions(plan, raw)) == [("S02", 1)]


def test_a_selection_left_from_another_plan_keeps_only_what_still_exists(plan):
    smaller = replace(plan, sessions=tuple(s for s in plan.sessions if s.series != "S02"))
    assert keys(pv.selected_sessions(smaller, event("S02#1", "S01#2", "S99#1"))) == [("S01", 2)]


def test_the_selected_sessions_lock_and_unlock_with_planner_adjust(plan):
    picked = pv.selected_sessions(plan, event("S01#1", "S02#2"))
    locked = set_locked(plan, keys(picked), True)
    assert sorted(keys(s for s in locked.sessions if s.locked)) == [("S01", 1), ("S02", 2), ("S03", 1)]
    unlocked = set_locked(locked, keys(pv.selected_sessions(locked, event("S03#1"))), False)
    assert sorted(keys(s for s in unlocked.sessions if s.locked)) == [("S01", 1), ("S02", 2)]


def test_calendar_key_changes_with_the_plan_so_a_selection_never_outlives_it(plan):
    same = make_plan()
    assert pv.calendar_key(plan, "gantt") == pv.calendar_key(same, "gantt")
    assert pv.calendar_key(plan, "gantt") != pv.calendar_key(plan, "series")
    relocked = set_locked(plan, [("S01", 1)], True)
    assert pv.calendar_key(relocked, "gantt") != pv.calendar_key(plan, "gantt")
    moved = replace(plan, sessions=(replace(plan.sessions[0], date=date(2027, 1, 19)), *plan.sessions[1:]))
    assert pv.calendar_key(moved, "gantt") != pv.calendar_key(plan, "gantt")


def _params(spec: dict) -> list[dict]:
    """Every parameter of a Vega-Lite spec, at the top or inside its layers."""
    found = list(spec.get("params", []))
    for layer in spec.get("layer", []):
        found += _params(layer)
    return found


@pytest.mark.parametrize("chart", [pv.gantt_chart, pv.series_chart])
def test_both_calendars_declare_the_session_selection(plan, chart):
    spec = chart(plan, NAMES).to_dict()
    (param,) = [p for p in _params(spec) if p.get("name") == pv.CALENDAR_SELECTION]
    assert param["select"]["type"] == "point" and param["select"]["fields"] == ["cle"]
    assert param["select"]["toggle"] == "true"  # each click adds or removes one session
    text = json.dumps(spec)
    assert '"param": "seances"' in text and '"empty": false' in text  # selected marks are highlighted


def test_an_empty_plan_draws_calendars_without_a_selection():
    empty = replace(make_plan(), sessions=(), series=())
    for chart in (pv.gantt_chart, pv.series_chart):
        assert _params(chart(empty, NAMES).to_dict()) == []
    assert pv.selected_sessions(empty, event("S01#1")) == []


def test_the_calendar_legend_is_html_with_the_chart_colours(plan):
    """Vega's legend (cut at 1,000–1,400 px) is gone; the HTML one names each host in its colour."""
    spec = pv.gantt_chart(plan, NAMES).to_dict()
    text = json.dumps(spec)
    assert '"legend": null' in text
    scale = next(
        layer["encoding"]["color"]["scale"]
        for layer in spec["layer"]
        if "color" in layer.get("encoding", {}) and "field" in layer["encoding"]["color"]
    )
    legend = pv.gantt_legend_html(plan, NAMES)
    assert scale["domain"] == ["Alpha", "Bêta"]  # alphabetical, accents aside
    for name, colour in zip(scale["domain"], scale["range"], strict=True):
        assert f'<span style="color:{colour}">■</span> {name}</span>' in legend
    assert "flex-wrap:wrap" in legend  # it wraps at any width
    assert pv.gantt_legend_html(plan, {**NAMES, A: "<b>A&B</b>"}).count("&lt;b&gt;A&amp;B&lt;/b&gt;") == 1
