"""Matched activities → outcomes and repeat attendance (plan drawn in plans.py)."""

from planner.realised.activity import Activity, ActivityFile
from planner.realised.importing import import_activities
from tests.realised.plans import MARCH_3, MARCH_10, matching_plan, uid


def act(day, n, row, *, reason="", attendees=(), ages=None, homes=None, commune="18140"):
    return Activity(
        row=row,
        date=day,
        place="18120 Massay",
        commune=commune,
        participants=n,
        cancel_reason=reason,
        age_bands=ages or {},
        residence=homes or {},
        attendees=attendees,
        anonymous=n - len(attendees),
    )


def test_activities_of_one_session_add_up():
    plan = matching_plan()
    file = ActivityFile(
        "sheet",
        (
            act(MARCH_3, 3, 2, ages={"70+": 2}, homes={"18140": 3}),
            act(MARCH_3, 4, 3, ages={"70+": 1, "60-69": 2}, homes={"18140": 1, "18085": 2}),
        ),
    )
    (o,) = import_activities(file, plan).outcomes
    assert (o.uid, o.held, o.participants, o.source) == (uid(plan, "M", 1), True, 7, "sheet")
    assert dict(o.age_bands) == {"70+": 3, "60-69": 2} and dict(o.residence) == {"18140": 4, "18085": 2}


def test_a_session_is_cancelled_only_when_every_line_says_so():
    plan = matching_plan()
    cancelled = ActivityFile(
        "sheet", (act(MARCH_3, 0, 2, reason="weather"), act(MARCH_3, 0, 3, reason="weather"))
    )
    (o,) = import_activities(cancelled, plan).outcomes
    assert not o.held and o.cancel_reason == "weather"
    mixed = ActivityFile("sheet", (act(MARCH_3, 0, 2, reason="weather"), act(MARCH_3, 5, 3)))
    result = import_activities(mixed, plan)
    assert result.outcomes[0].held and result.outcomes[0].participants == 5
    assert result.warnings == (
        "séance du mardi 3 mars 2026 : les lignes 2 la disent annulée, d'autres la disent tenue ; elle est retenue comme tenue",
    )


def test_repeat_attendance_counts_people_over_held_sessions():
    plan = matching_plan()
    file = ActivityFile(
        "coop",
        (
            act(MARCH_3, 4, 2, attendees=(1, 2, 3)),  # one anonymous
            act(MARCH_10, 2, 3, attendees=(1,)),
            act(MARCH_10, 1, 4, attendees=(2,)),  # a second activity of the same session
        ),
    )
    (att,) = import_activities(file, plan).attendance
    assert att.series == "M" and att.sessions_covered == 2
    assert dict(att.by_sessions) == {2: 2, 1: 1} and att.anonymous == 2
    assert (att.came_all, att.came_most, att.people) == (2, 2, 3)


def test_no_attendance_without_identified_people_or_from_a_sheet():
    plan = matching_plan()
    anonymous = ActivityFile("coop", (act(MARCH_3, 4, 2),))
    assert import_activities(anonymous, plan).attendance == ()
    sheet = ActivityFile("sheet", (act(MARCH_3, 4, 2, attendees=(1, 2)),))
    assert import_activities(sheet, plan).attendance == ()
