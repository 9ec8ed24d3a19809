"""Realised data in the database, on SQLite and PostgreSQL: versions, replacements, re-plans, locks."""

from dataclasses import replace

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from planner.errors import AccessDenied, InputError
from planner.realised.activity import Activity, ActivityFile
from planner.realised.importing import import_activities
from planner.realised.outcome import CANCEL_REASONS, SessionOutcome
from planner.store import realised as store
from planner.store import workspace
from planner.store.access import Actor
from planner.store.db import alembic_config
from tests.realised.plans import MARCH_3, MARCH_10, matching_plan, tiny_plan_with_uids, uid

REALISED_TABLES = {
    "realised_imports",
    "realised_sessions",
    "realised_age_counts",
    "realised_residence_counts",
    "realised_attendance",
    "realised_leftovers",
}


@pytest.fixture
def version(engine):
    return workspace.save_version(engine, tiny_plan_with_uids(), "Printemps", "coordination")


def test_migration_0004_goes_down_and_up(engine):
    assert set(inspect(engine).get_table_names()) >= REALISED_TABLES
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_initial")
    assert not REALISED_TABLES & set(inspect(engine).get_table_names())
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with engine.connect() as conn:
        revisions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert set(inspect(engine).get_table_names()) >= REALISED_TABLES and revisions


def test_entry_round_trip_and_replacement(engine, version):
    plan = tiny_plan_with_uids()
    first = SessionOutcome(
        uid(plan, "S1", 1), True, 9, age_bands={"70+": 4}, residence={"18002": 6, "18001": 2}
    )
    store.record_outcome(engine, version, first, "Claire (coordination)")
    assert store.realised_for_version(engine, version).outcomes == {first.uid: first}
    corrected = SessionOutcome(first.uid, False, cancel_reason="weather")
    store.record_outcome(engine, version, corrected, "Claire (coordination)")
    (stored,) = store.list_outcomes(engine, version)
    assert stored.outcome == corrected and stored.series == "S1" and stored.host == "18002"
    assert stored.updated_by.endswith("Claire (coordination)") and stored.import_id is None
    assert store.clear_outcome(engine, version, first.uid, "Claire") is True
    assert store.clear_outcome(engine, version, first.uid, "Claire") is False
    assert store.realised_for_version(engine, version).outcomes == {}


def test_entry_for_a_session_outside_the_version_is_refused(engine, version):
    with pytest.raises(InputError, match="pas dans la version"):
        store.record_outcome(engine, version, SessionOutcome("autre", True, 3), "Claire")
    with pytest.raises(InputError, match="introuvable"):
        store.record_outcome(engine, version + 99, SessionOutcome("autre", True, 3), "Claire")


def test_only_coordinators_record(engine, version):
    plan = tiny_plan_with_uids()
    with pytest.raises(AccessDenied):
        store.record_outcome(
            engine, version, SessionOutcome(uid(plan, "S1", 1), True, 3), Actor("funder", "financeur")
        )


def test_database_refuses_what_the_domain_refuses(engine, version):
    insert = text(
        "INSERT INTO realised_sessions (plan_version_id, session_uid, series, host, day, held, participants, "
        "cancel_reason, source, updated_by, updated_at) VALUES (:v, :u, 'S1', '18002', '2026-03-17', :held, :n, "
        ":reason, 'entry', 't', '2026-03-17 10:00:00')"
    )
    for i, reason in enumerate(CANCEL_REASONS):
        with engine.begin() as conn:
            conn.execute(insert, {"v": version, "u": f"u{i}", "held": False, "n": 0, "reason": reason})
    for bad in ({"held": False, "n": 0, "reason": "grève"}, {"held": True, "n": 0, "reason": ""}):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert, {"v": version, "u": "bad", **bad})


def _file():
    def act(day, n, row, attendees=(), commune="18140", start=None):
        return Activity(
            row=row,
            date=day,
            place=f"lieu {commune}",
            commune=commune,
            participants=n,
            start=start,
            residence={"18140": n - 1},
            age_bands={"70+": 1},
            attendees=attendees,
            anonymous=n - len(attendees),
        )

    return ActivityFile(
        "coop",
        (
            act(MARCH_3, 3, 2, (1, 2)),
            act(MARCH_10, 2, 3, (1,)),
            act(MARCH_10, 4, 4, commune="18279"),  # Vierzon hosts nothing: unmatched
            act(MARCH_3, 2, 5, commune="18263"),  # two sessions at Thénioux that day: ambiguous
        ),
    )


def test_import_is_stored_with_its_leftovers_and_twice_is_once(engine):
    plan = matching_plan()
    version = workspace.save_version(engine, plan, "Test", "coordination")
    result = import_activities(_file(), plan)
    first = store.save_import(engine, version, result, "cli:test")
    store.save_import(engine, version, result, "cli:test")
    assert len(store.list_outcomes(engine, version)) == 2
    season = store.realised_for_version(engine, version)
    assert season.outcomes == {o.uid: o for o in result.outcomes}
    assert season.attendance == {"M": result.attendance[0]}
    (newest, oldest) = store.list_imports(engine, version)
    assert newest.id > first
    assert oldest.id == first and (oldest.activities, oldest.matched, oldest.unmatched, oldest.ambiguous) == (
        4,
        2,
        1,
        1,
    )
    unmatched, ambiguous = store.leftovers(engine, first)
    assert (unmatched.status, unmatched.row, unmatched.code_insee, unmatched.participants) == (
        "unmatched",
        4,
        "18279",
        4,
    )
    assert unmatched.reason == "Vierzon n'accueille aucune séance de ce plan"
    assert ambiguous.status == "ambiguous" and set(ambiguous.candidates) == {
        uid(plan, "T", 1),
        uid(plan, "U", 1),
    }


def test_a_replan_keeps_what_happened_to_the_sessions_it_keeps(engine):
    plan = matching_plan()
    v1 = workspace.save_version(engine, plan, "Avant", "coordination")
    store.save_import(engine, v1, import_activities(_file(), plan), "cli:test")
    # the re-plan renames parcours M to M7 and moves its second session (same uid, sequence + 1)
    moved = tuple(
        replace(s, series="M7", date=s.date.replace(day=12), sequence=1)
        if s.series == "M" and s.index == 2
        else replace(s, series="M7")
        if s.series == "M"
        else s
        for s in plan.sessions
    )
    replanned = replace(
        plan, sessions=moved, series=tuple(replace(x, id="M7") if x.id == "M" else x for x in plan.series)
    )
    v2 = workspace.save_version(engine, replanned, "Après", "coordination")
    season = store.realised_for_version(engine, v2)
    assert set(season.outcomes) == {uid(plan, "M", 1), uid(plan, "M", 2)}
    assert set(season.attendance) == {"M7"}
    newer = SessionOutcome(uid(plan, "M", 2), True, 11)
    store.record_outcome(engine, v2, newer, "Claire")
    assert store.realised_for_version(engine, v2).outcomes[newer.uid] == newer
    assert store.realised_for_version(engine, v1).outcomes[newer.uid].participants == 2  # v1 unchanged
    assert store.latest_realised_version(engine) == v2


def test_held_sessions_to_lock(engine):
    plan = matching_plan()
    version = workspace.save_version(engine, plan, "Test", "coordination")
    store.save_import(engine, version, import_activities(_file(), plan), "cli:test")
    store.record_outcome(
        engine, version, SessionOutcome(uid(plan, "T", 1), False, cancel_reason="breakdown"), "C"
    )
    locked = store.held_sessions_to_lock(engine, version)
    assert [s.uid for s in locked] == [uid(plan, "M", 1), uid(plan, "M", 2)] and all(s.locked for s in locked)


def test_find_or_save_the_plan_version(engine):
    plan = tiny_plan_with_uids()
    assert store.find_plan_version(engine, plan) is None
    v = store.ensure_plan_version(engine, plan, "Plan", "cli")
    assert store.ensure_plan_version(engine, plan, "Plan bis", "cli") == v
    other = replace(plan, sessions=plan.sessions[:-1])
    assert store.ensure_plan_version(engine, other, "Autre", "cli") != v
