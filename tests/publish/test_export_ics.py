"""iCalendar export read back with icalendar: event count, Paris times across the DST change."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

import icalendar
from tiny_plan import DATES

from planner.model import session_uid
from planner.publish import write
from planner.publish.ics import event_uid

UTC = ZoneInfo("UTC")


def _events(path):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return cal, list(cal.walk("VEVENT"))


def test_one_calendar_per_resource_and_per_host(ctx, tmp_path):
    paths = write(ctx, "ics", tmp_path)
    names = sorted(p.name for p in paths)
    assert names == [
        "calendrier_breviande_18002.ics",
        "calendrier_dampierre-test_18004.ics",
        "calendrier_moyen_bus1.ics",
    ]


def test_resource_calendar_has_one_event_per_session(ctx, tmp_path):
    write(ctx, "ics", tmp_path)
    _, events = _events(tmp_path / "calendrier_moyen_bus1.ics")
    assert len(events) == len(ctx.plan.sessions) == 10
    _, host_events = _events(tmp_path / "calendrier_breviande_18002.ics")
    assert len(host_events) == 5


def test_times_are_right_in_europe_paris_across_dst(ctx, tmp_path):
    write(ctx, "ics", tmp_path)
    cal, events = _events(tmp_path / "calendrier_breviande_18002.ics")
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    starts = sorted(e.decoded("dtstart") for e in events)
    assert [s.date() for s in starts] == list(DATES)
    for s in starts:
        assert str(s.tzinfo) == "Europe/Paris"
        assert s.time() == time(9, 0)
    # 9:00 in Paris is 08:00 UTC before the change (29 March 2026) and 07:00 UTC after.
    assert starts[0].astimezone(UTC).hour == 8  # 17 March
    assert starts[2].astimezone(UTC).hour == 7  # 31 March
    raw = (tmp_path / "calendrier_breviande_18002.ics").read_text()
    assert "DTSTART;TZID=Europe/Paris:20260317T090000" in raw


def test_each_event_names_place_series_and_session_number(ctx, tmp_path):
    write(ctx, "ics", tmp_path)
    _, events = _events(tmp_path / "calendrier_breviande_18002.ics")
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert "Salle des fêtes" in str(first["location"])
    assert "Bréviande" in str(first["location"])
    assert "séance 1/5" in str(first["summary"])
    assert "Parcours Bréviande" in str(first["description"])
    assert first.decoded("dtend") == datetime(2026, 3, 17, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))


def test_uids_are_unique_and_stable(ctx, tmp_path):
    write(ctx, "ics", tmp_path / "a")
    write(ctx, "ics", tmp_path / "b")
    _, a = _events(tmp_path / "a" / "calendrier_moyen_bus1.ics")
    _, b = _events(tmp_path / "b" / "calendrier_moyen_bus1.ics")
    uids_a = sorted(str(e["uid"]) for e in a)
    assert len(set(uids_a)) == 10
    assert uids_a == sorted(str(e["uid"]) for e in b)
    s = ctx.plan.sessions[0]
    assert event_uid(ctx, s) == f"{session_uid('tiny', s)}@aller-vers"
    # a session's own identity wins over the one it would have been given
    assert event_uid(ctx, replace(s, uid="abc")) == "abc@aller-vers"
