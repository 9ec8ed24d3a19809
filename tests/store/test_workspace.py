"""The coordination's workspace per territory — settings, plan versions, locks per version,
optimistic versioning between two coordinators, notifications — on SQLite AND PostgreSQL.

The plan is ``tests/data/plan_vierzon_petit.json``: 15 sessions in three series (Massay 18140,
Saint-Hilaire-de-Court 18263, Souesmes 41176), one session locked.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from planner.errors import AccessDenied, InputError
from planner.hosting.request_form import RequestForm
from planner.plan_json import load_plan, plan_to_dict
from planner.store import repo, workspace
from planner.store.access import Actor
from planner.store.db import dispose_engine, get_engine, init_db
from planner.store.workspace import Base, PlanConflict

DATA = Path(__file__).resolve().parents[1] / "data"
CLAIRE = Actor("coordinator", "claire@pays-vierzon.fr")
PAUL = Actor("coordinator", "paul@pays-vierzon.fr")
FUNDER = Actor("funder", "région")
SPEC = "vierzon"


@pytest.fixture
def plan():
    return load_plan(DATA / "plan_vierzon_petit.json")


def unlocked(plan):
    return replace(plan, sessions=tuple(replace(s, locked=False) for s in plan.sessions))


def started(engine, plan):
    """A first version committed by Claire; returns the base both coordinators then load."""
    _, base, _ = workspace.commit_plan(
        engine, SPEC, unlocked(plan), "Plan de saison", CLAIRE, base=Base(None, 0)
    )
    return base


def locked_uids(engine):
    current, _, _ = workspace.current_plan(engine, SPEC)
    return {s.uid for s in current.sessions if s.locked}


# --------------------------------------------------------------------------------- settings
def test_settings_merge_key_by_key_and_only_coordinators_change_them(engine):
    assert workspace.get_workspace(engine, SPEC).settings == {} and workspace.last_workspace(engine) is None
    workspace.save_settings(engine, SPEC, {"resources": [{"Nom": "Bus numérique"}]}, CLAIRE)
    ws = workspace.save_settings(engine, SPEC, {"season": {"start": "2027-01-04"}}, PAUL)
    assert ws.settings == {"resources": [{"Nom": "Bus numérique"}], "season": {"start": "2027-01-04"}}
    assert ws.revision == 2 and workspace.last_workspace(engine).territory_spec == SPEC
    with pytest.raises(AccessDenied):
        workspace.save_settings(engine, SPEC, {"season": {}}, FUNDER)
    assert workspace.get_workspace(engine, "bv2022:18033").settings == {}  # per territory


# --------------------------------------------------------------------------------- versions
def test_a_committed_plan_comes_back_with_its_locks_and_baseline(engine, plan):
    baseline = replace(plan, kind="baseline")
    vid, base, saved = workspace.commit_plan(
        engine, SPEC, plan, "Plan de saison", CLAIRE, base=Base(None, 0), baseline=baseline
    )
    current, again_baseline, again_base = workspace.current_plan(engine, SPEC)
    assert plan_to_dict(current) == plan_to_dict(plan) == plan_to_dict(saved)
    assert plan_to_dict(again_baseline) == plan_to_dict(baseline)
    assert again_base == base and base.version_id == vid and len(base.locked) == 1
    info = workspace.list_versions(engine, SPEC)
    assert [(v.id, v.label, v.territory_spec, v.parent_id) for v in info] == [
        (vid, "Plan de saison", SPEC, None)
    ]
    assert workspace.list_versions(engine, "bv2022:18033") == []
    with pytest.raises(InputError, match="donnez un nom"):
        workspace.commit_plan(engine, SPEC, plan, " ", CLAIRE, base=base)
    with pytest.raises(InputError, match="autre territoire"):
        workspace.commit_plan(engine, "bv2022:18033", plan, "x", CLAIRE, base=Base(None, 0))
    with pytest.raises(AccessDenied):
        workspace.commit_plan(engine, SPEC, plan, "x", FUNDER, base=base)


def test_locks_belong_to_the_version_they_were_made_on(engine, plan):
    base = started(engine, plan)
    first_version = base.version_id
    three = plan.sessions[:3]
    base, _ = workspace.set_locks(engine, SPEC, base, lock=three, actor=CLAIRE)
    assert locked_uids(engine) == {s.uid for s in three}
    # a re-plan keeps two of them locked: the new version has exactly those two
    replanned = replace(
        plan, sessions=tuple(replace(s, locked=s.uid in {three[0].uid, three[1].uid}) for s in plan.sessions)
    )
    _, base, _ = workspace.commit_plan(engine, SPEC, replanned, "Replanification", CLAIRE, base=base)
    assert locked_uids(engine) == {three[0].uid, three[1].uid}
    old = workspace.load_version(engine, first_version)
    assert {s.uid for s in old.sessions if s.locked} == {s.uid for s in three}


# --------------------------------------------------------------------------------- two coordinators
def test_two_coordinators_locking_different_sessions_both_keep_theirs(engine, plan):
    base = started(engine, plan)
    claire, paul = base, base  # both opened the same version
    claire, others = workspace.set_locks(engine, SPEC, claire, lock=plan.sessions[:3], actor=CLAIRE)
    assert others == ()
    paul, others = workspace.set_locks(engine, SPEC, paul, lock=plan.sessions[5:7], actor=PAUL)
    assert set(others) == {s.uid for s in plan.sessions[:3]}  # Paul's page says Claire's were merged
    assert locked_uids(engine) == {s.uid for s in (*plan.sessions[:3], *plan.sessions[5:7])}
    assert paul.locked == frozenset(locked_uids(engine))
    # after a restart the five are still there (« Reprendre le dernier plan » re-plans around them)
    url = engine.url.render_as_string(hide_password=False)
    dispose_engine(url)
    restarted = get_engine(url)
    init_db(restarted)
    assert len(locked_uids(restarted)) == 5


def test_locks_made_at_the_same_moment_are_all_kept(engine, plan):
    base = started(engine, plan)
    errors: list[BaseException] = []

    def lock(who, sessions):
        try:
            workspace.set_locks(engine, SPEC, base, lock=sessions, actor=who)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=lock, args=(CLAIRE, plan.sessions[:4])),
        threading.Thread(target=lock, args=(PAUL, plan.sessions[8:12])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(locked_uids(engine)) == 8


def test_a_lock_on_a_version_that_is_no_longer_current_is_refused(engine, plan):
    base = started(engine, plan)
    workspace.commit_plan(engine, SPEC, unlocked(plan), "Replanification", PAUL, base=base)
    with pytest.raises(
        PlanConflict, match=r"le plan a changé depuis que vous l'avez ouvert : paul@pays-vierzon\.fr"
    ):
        workspace.set_locks(engine, SPEC, base, lock=plan.sessions[:1], actor=CLAIRE)


def test_a_second_version_made_on_the_same_base_is_refused_with_who_and_when(engine, plan):
    base = started(engine, plan)
    workspace.commit_plan(engine, SPEC, unlocked(plan), "Version de Paul", PAUL, base=base)
    moved = replace(
        plan,
        sessions=(
            replace(plan.sessions[0], date=plan.sessions[0].date + timedelta(days=7)),
            *plan.sessions[1:],
        ),
    )
    with pytest.raises(PlanConflict) as caught:
        workspace.commit_plan(engine, SPEC, moved, "Version de Claire", CLAIRE, base=base)
    text = str(caught.value)
    assert "paul@pays-vierzon.fr a enregistré la version « Version de Paul » le " in text
    assert "Rien n'a été enregistré de votre côté" in text
    assert [v.label for v in workspace.list_versions(engine, SPEC)] == ["Version de Paul", "Plan de saison"]


def test_locks_made_meanwhile_are_carried_into_a_new_version_or_it_is_refused(engine, plan):
    base = started(engine, plan)
    workspace.set_locks(engine, SPEC, base, lock=plan.sessions[5:7], actor=PAUL)
    # Claire moved another session, on the version she opened: Paul's locks are merged in
    first = plan.sessions[0]
    moved = replace(
        unlocked(plan),
        sessions=(
            replace(first, date=first.date + timedelta(days=7), locked=True),
            *unlocked(plan).sessions[1:],
        ),
    )
    _, after, saved = workspace.commit_plan(engine, SPEC, moved, "Déplacement", CLAIRE, base=base)
    assert {s.uid for s in saved.sessions if s.locked} == {
        first.uid,
        plan.sessions[5].uid,
        plan.sessions[6].uid,
    }
    assert locked_uids(engine) == set(after.locked)
    # Paul locks a session that Claire's next edit (made on the older base) moves: refused
    workspace.set_locks(engine, SPEC, after, lock=plan.sessions[9:10], actor=PAUL)
    ninth = plan.sessions[9]
    clash = replace(
        saved,
        sessions=tuple(
            replace(s, date=s.date + timedelta(days=7)) if s.uid == ninth.uid else s for s in saved.sessions
        ),
    )
    with pytest.raises(PlanConflict, match="a changé des verrouillages"):
        workspace.commit_plan(engine, SPEC, clash, "Autre déplacement", CLAIRE, base=after)


# --------------------------------------------------------------------------------- requests and notices
def _request(engine, code):
    form = RequestForm(code_insee=code, venue="Salle des fêtes", has_power=True)
    rid = repo.submit_request(engine, form, Actor("commune", "lien", code))
    repo.review_request(engine, rid, "accepted", "", CLAIRE)
    return rid


def test_a_current_version_schedules_the_requests_of_its_hosts(engine, plan):
    massay, souesmes = _request(engine, "18140"), _request(engine, "41176")
    base = started(engine, plan)
    assert repo.request_counts(engine)["scheduled"] == 2
    dates = tuple(sorted({s.date for s in plan.sessions if s.host == "18140"}))
    assert repo.get_request(engine, massay, CLAIRE).scheduled_dates == dates
    # a re-plan without Souesmes: its request goes back to accepted, and its history says why
    without = replace(
        plan,
        series=tuple(x for x in plan.series if x.host != "41176"),
        sessions=tuple(s for s in plan.sessions if s.host != "41176"),
    )
    workspace.commit_plan(engine, SPEC, unlocked(without), "Sans Souesmes", CLAIRE, base=base)
    back = repo.get_request(engine, souesmes, CLAIRE)
    assert back.status == "accepted" and back.scheduled_dates == ()
    assert (
        repo.request_history(engine, souesmes, CLAIRE)[-1].reason == "plus de séance dans le plan en vigueur"
    )


def test_notifications_remember_the_version_each_commune_was_told_of(engine, plan):
    base = started(engine, plan)
    workspace.record_notification(engine, SPEC, "18140", base.version_id, "courriel", CLAIRE)
    _, after, _ = workspace.commit_plan(engine, SPEC, unlocked(plan), "v2", CLAIRE, base=base)
    workspace.record_notification(engine, SPEC, "18140", after.version_id, "copie", PAUL)
    workspace.record_notification(engine, SPEC, "41176", base.version_id, "copie", PAUL)
    assert workspace.last_notified(engine, SPEC) == {"18140": after.version_id, "41176": base.version_id}
    with pytest.raises(AccessDenied):
        workspace.record_notification(engine, SPEC, "18140", base.version_id, "copie", FUNDER)
