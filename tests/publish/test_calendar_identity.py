"""Calendar identity across publications: a re-plan with one more closed day, read back with icalendar.

The first publication is the tiny plan (two series of five Tuesdays at Bréviande, mornings, and
Dampierre, afternoons). The re-plan closes the third Tuesday (31 March)::

    Tuesday      17/3  24/3  31/3  7/4  14/4  21/4
    Bréviande     1     2     ✗     3    4     5      sessions 3–5 pushed one week (moved)
    Dampierre     1     2     ✗     4    5            session 3 dropped (removed)

Sessions 1–2 of both series and 4–5 of Dampierre did not move: same UID, same SEQUENCE.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import icalendar
import pytest
from tiny_plan import DATES, tiny_plan

from planner.model import session_uid
from planner.plan_json import plan_from_dict, plan_to_dict
from planner.publish import make_context, write
from planner.publish.ics import host_calendar, resource_calendar
from planner.publish.revisions import calendar_revisions

CLOSED = DATES[2]


def published() -> object:
    """The first publication: every session with its identity (as build_plan gives them)."""
    plan = tiny_plan()
    return replace(plan, sessions=tuple(replace(s, uid=session_uid("tiny", s)) for s in plan.sessions))


def replanned(first, *, bump: bool = True):
    """The re-plan with 31 March closed: moved sessions keep their uid (sequence +1 when ``bump``)."""
    sessions = []
    for s in first.sessions:
        if s.series == "S1" and s.index >= 3:
            sessions.append(replace(s, date=s.date + timedelta(days=7), sequence=s.sequence + int(bump)))
        elif s.series == "S2" and s.date == CLOSED:
            continue
        else:
            sessions.append(s)
    season = replace(first.season, closed_dates=first.season.closed_dates | {CLOSED})
    return replace(first, season=season, sessions=tuple(sessions))


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    """Events of a calendar serialised and parsed back, by UID."""
    back = icalendar.Calendar.from_ical(cal.to_ical())
    return {str(e["uid"]): e for e in back.walk("VEVENT")}


@pytest.mark.parametrize("bump", [True, False], ids=["replan-bumps", "replan-forgets-to-bump"])
def test_replan_with_one_more_closed_day_keeps_uids_bumps_moved_and_cancels_removed(bump):
    first = published()
    second = replanned(first, bump=bump)
    before = events(resource_calendar(make_context(first), "bus1"))
    after = events(resource_calendar(make_context(second, previous=[first]), "bus1"))
    assert len(before) == 10 and all(int(e["sequence"]) == 0 for e in before.values())
    # every UID of the first publication is still there: nothing is duplicated, nothing lost
    assert set(after) == set(before)
    by_key = {(s.series, s.index): f"{s.uid}@aller-vers" for s in first.sessions}
    unmoved = [by_key[("S1", i)] for i in (1, 2)] + [by_key[("S2", i)] for i in (1, 2, 4, 5)]
    moved = [by_key[("S1", i)] for i in (3, 4, 5)]
    removed = by_key[("S2", 3)]
    for uid in unmoved:
        assert int(after[uid]["sequence"]) == 0
        assert after[uid].decoded("dtstart") == before[uid].decoded("dtstart")
        assert "status" not in after[uid] or str(after[uid]["status"]) != "CANCELLED"
    for uid in moved:
        assert int(after[uid]["sequence"]) == 1
        assert after[uid].decoded("dtstart") - before[uid].decoded("dtstart") == timedelta(days=7)
    assert str(after[removed]["status"]) == "CANCELLED"
    assert int(after[removed]["sequence"]) == 1
    assert after[removed].decoded("dtstart") == before[removed].decoded("dtstart")
    assert str(after[removed]["summary"]).startswith("Annulé")


def test_the_removed_session_is_cancelled_in_its_communes_calendar_only():
    first = published()
    ctx = make_context(replanned(first), previous=[first])
    dampierre = events(host_calendar(ctx, "18004"))
    breviande = events(host_calendar(ctx, "18002"))
    assert [str(e.get("status")) for e in dampierre.values()].count("CANCELLED") == 1
    assert len(dampierre) == 5 and len(breviande) == 5
    assert not any(str(e.get("status")) == "CANCELLED" for e in breviande.values())


def test_without_the_previous_publication_nothing_is_cancelled():
    first = published()
    ctx = make_context(replanned(first))
    assert len(events(resource_calendar(ctx, "bus1"))) == 9


def test_identity_survives_the_plan_file_and_a_third_publication():
    first = published()
    second = plan_from_dict(plan_to_dict(replanned(first)))
    # third publication: the dropped Dampierre session comes back on 28 April, and session 5 of
    # Bréviande moves once more
    back = replace(
        next(s for s in first.sessions if (s.series, s.index) == ("S2", 3)),
        date=DATES[4] + timedelta(days=14),
    )
    third = replace(
        second,
        sessions=(
            *tuple(
                replace(
                    s, start=s.start.replace(hour=10), end=s.end.replace(hour=13), sequence=s.sequence + 1
                )
                if (s.series, s.index) == ("S1", 5)
                else s
                for s in second.sessions
            ),
            back,
        ),
    )
    revs = {r.uid: r for r in calendar_revisions(third, [first, second])}
    assert not any(r.cancelled for r in revs.values())
    assert revs[back.uid].sequence == 2  # cancelled (1), then rescheduled (2)
    s15 = next(s for s in first.sessions if (s.series, s.index) == ("S1", 5))
    assert revs[s15.uid].sequence == 2


def test_a_session_moved_to_another_commune_is_cancelled_where_it_was():
    first = published()
    moved = tuple(
        replace(s, host="18003", sequence=1) if (s.series, s.index) == ("S2", 5) else s
        for s in first.sessions
    )
    ctx = make_context(replace(first, sessions=moved), previous=[first])
    uid = next(f"{s.uid}@aller-vers" for s in first.sessions if (s.series, s.index) == ("S2", 5))
    assert str(events(host_calendar(ctx, "18004"))[uid]["status"]) == "CANCELLED"
    new_home = events(host_calendar(ctx, "18003"))[uid]
    assert "status" not in new_home and int(new_home["sequence"]) == 1


def test_a_past_seasons_sessions_are_not_cancelled_by_the_next_season():
    first = published()
    next_year = replace(
        first,
        season=replace(
            first.season,
            start=first.season.start + timedelta(days=364),
            end=first.season.end + timedelta(days=364),
        ),
        sessions=tuple(replace(s, date=s.date + timedelta(days=364), uid="") for s in first.sessions),
    )
    revs = calendar_revisions(next_year, [first])
    assert len(revs) == 10 and not any(r.cancelled for r in revs)
    assert not {r.uid for r in revs} & {s.uid for s in first.sessions}


def test_ics_export_writes_the_calendar_of_a_commune_that_lost_all_its_sessions(tmp_path):
    first = published()
    gone = replace(first, sessions=tuple(s for s in first.sessions if s.host != "18004"))
    paths = write(make_context(gone, previous=[first]), "ics", tmp_path)
    dampierre = next(p for p in paths if p.name.endswith("_18004.ics"))
    statuses = {str(e["status"]) for e in icalendar.Calendar.from_ical(dampierre.read_bytes()).walk("VEVENT")}
    assert statuses == {"CANCELLED"}
