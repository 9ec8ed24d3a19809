"""The diff between two plan versions: sessions added, removed, moved, in readable French.

Tiny plans: one bus, one series of 3 sessions at host A (18001) on Tuesdays.
"""

from dataclasses import replace
from datetime import date, time, timedelta

from planner.french import french_date
from planner.model import Plan, PlanMetrics, Resource, Rules, Season, Series, Session
from planner.rules.diff import by_commune, describe_diff, diff_plans, diff_rows, resource_names

A, B, BASE = "18001", "18002", "18003"
NAMES = {A: "Alpha", B: "Bêta", BASE: "Base"}


def session(series: str, k: int, host: str, day: date, start: time = time(9, 30)) -> Session:
    return Session(series, k, "bus-1", host, day, start, time(start.hour + 3, start.minute))


def plan_of(sessions: list[Session]) -> Plan:
    hosts = {s.series: s.host for s in sessions}
    return Plan(
        territory_spec="test",
        season=Season(date(2027, 1, 4), date(2027, 3, 26)),
        rules=Rules(sessions_per_series=3),
        resources=(Resource("bus-1", "bus", 12, BASE),),
        series=tuple(Series(sid, host, "bus-1", 8, {host: 8}) for sid, host in hosts.items()),
        sessions=tuple(sessions),
        routes=(),
        unserved=(),
        metrics=PlanMetrics("OPTIMAL", 1.0, 1.0, 0.0, 0.1, 10.0, 8.0, 8, 8, len(sessions), 0.0, 0.0),
    )


TUE = date(2027, 1, 5)


def series_at(sid: str, host: str, first: date, n: int = 3) -> list[Session]:
    return [session(sid, k, host, first + timedelta(weeks=k - 1)) for k in range(1, n + 1)]


def test_identical_plans_have_an_empty_diff():
    p = plan_of(series_at("S01", A, TUE))
    d = diff_plans(p, p)
    assert d.is_empty
    assert d.unchanged == 3
    assert describe_diff(d) == ["Aucune différence : les 3 séances sont identiques."]


def test_renamed_series_at_same_slots_is_unchanged():
    old = plan_of(series_at("S01", A, TUE))
    new = plan_of(series_at("S07-renamed", A, TUE))
    d = diff_plans(old, new)
    assert d.is_empty and d.unchanged == 3


def test_added_and_removed_series():
    old = plan_of(series_at("S01", A, TUE))
    new = plan_of(series_at("S02", B, TUE + timedelta(days=3)))
    d = diff_plans(old, new)
    assert [s.host for s in d.added] == [B, B, B]
    assert [s.host for s in d.removed] == [A, A, A]
    assert d.moved == ()
    assert d.series_added == (B,) and d.series_removed == (A,)
    text = describe_diff(d, NAMES, resource_names(new))
    assert text[0] == "3 séance(s) ajoutée(s), 3 retirée(s), 0 déplacée(s), 0 inchangée(s)."
    assert "Parcours en plus : Bêta." in text
    assert "Parcours en moins : Alpha." in text
    assert "Ajoutée : Bêta, séance 1 — vendredi 8 janvier 2027 à 9 h 30 (Bus 1)" in text
    assert not any("S02" in line or "bus-1" in line for line in text)  # names, never identifiers


def test_one_session_moved_in_time_keeps_its_identity():
    sessions = series_at("S01", A, TUE)
    old = plan_of(sessions)
    moved = replace(sessions[1], date=sessions[1].date + timedelta(days=7))
    new = plan_of([sessions[0], moved, sessions[2]])
    d = diff_plans(old, new)
    assert d.added == () and d.removed == ()
    assert len(d.moved) == 1 and d.unchanged == 2
    m = d.moved[0]
    assert (m.before.index, m.after.index) == (2, 2)
    assert m.changes == ("date",)
    lines = describe_diff(d, NAMES)
    assert lines[-1] == (
        "Déplacée : Alpha, séance 2 : du mardi 12 janvier 2027 à 9 h 30 au mardi 19 janvier 2027 à 9 h 30"
    )


def test_host_change_is_a_move_with_both_names():
    sessions = series_at("S01", A, TUE)
    new = plan_of([replace(s, host=B) if s.index == 3 else s for s in sessions])
    d = diff_plans(plan_of(sessions), new)
    assert len(d.moved) == 1 and d.moved[0].changes == ("host",)
    rows = diff_rows(d, NAMES, resource_names(new))
    assert rows == [
        {
            "change": "déplacée",
            "commune": "Alpha → Bêta",
            "séance": "n° 3",
            "avant": "mardi 19 janvier 2027 à 9 h 30 (Bus 1)",
            "après": "mardi 19 janvier 2027 à 9 h 30 (Bus 1)",
        }
    ]


def test_renamed_and_shifted_series_matches_by_host_and_number():
    old = plan_of(series_at("S01", A, TUE))
    new = plan_of(series_at("S99", A, TUE + timedelta(weeks=1)))
    d = diff_plans(old, new)
    # Week 2 and 3 of the old series coincide with week 1 and 2 of the new one: same slots.
    assert d.unchanged == 2
    assert len(d.added) == 0 and len(d.removed) == 0
    assert len(d.moved) == 1
    assert d.moved[0].before.date == TUE and d.moved[0].after.date == TUE + timedelta(weeks=3)


def test_start_time_change_is_reported():
    sessions = series_at("S01", A, TUE)
    later = replace(sessions[0], start=time(14, 0), end=time(17, 0))
    d = diff_plans(plan_of(sessions), plan_of([later, *sessions[1:]]))
    assert d.moved[0].changes == ("start",)
    assert "à 14 h 00" in describe_diff(d)[-1]


def test_french_date_uses_premier():
    assert french_date(date(2027, 2, 1)) == "lundi 1er février 2027"


def test_the_same_identity_far_away_is_one_move_not_a_removal_and_an_addition():
    """Without identities the session moved to Bêta five weeks later would read as removed from
    Alpha and added at Bêta; its uid says it is the same session."""
    sessions = [replace(s, uid=f"u{s.index}") for s in series_at("S01", A, TUE)]
    far = replace(sessions[2], series="S02", index=1, host=B, date=TUE + timedelta(weeks=5))
    d = diff_plans(plan_of(sessions), plan_of([*sessions[:2], far]))
    assert d.added == () and d.removed == () and d.unchanged == 2
    assert len(d.moved) == 1 and d.moved[0].changes == ("date", "host")


def test_by_commune_says_what_each_commune_must_be_told():
    old_a = series_at("S01", A, TUE)
    old = plan_of(old_a)
    shifted = replace(old_a[2], date=old_a[2].date + timedelta(weeks=1))
    new = plan_of([old_a[0], old_a[1], shifted, *series_at("S02", B, TUE + timedelta(days=3))])
    changes = by_commune(old, new, NAMES)
    assert set(changes) == {A, B}
    a, b = changes[A], changes[B]
    assert a.changed and len(a.moved) == 1 and len(a.kept) == 2 and not a.added and not a.removed
    assert a.lines == (
        "Déplacée : Alpha, séance 3 : du mardi 19 janvier 2027 à 9 h 30 au mardi 26 janvier 2027 à 9 h 30",
    )
    assert (
        b.changed
        and len(b.added) == 3
        and b.lines[0].startswith("Ajoutée : Bêta, séance 1 — vendredi 8 janvier 2027")
    )
    unchanged = by_commune(old, old, NAMES)[A]
    assert not unchanged.changed and len(unchanged.kept) == 3 and unchanged.lines == ()
