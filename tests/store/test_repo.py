"""Requests, reviews and access rules through the repository — both backends.

Plan versions, locks and settings: ``test_workspace.py``."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from planner.errors import AccessDenied, InputError
from planner.hosting.request_form import RequestForm
from planner.plan_json import load_plan
from planner.store import repo
from planner.store.access import Actor, create_commune_link, resolve_commune_token
from planner.store.audit import audit_entries
from planner.store.db import dispose_engine, get_engine, session_scope
from planner.store.models import AuditRow, RequestRow, ReviewRow

COORD = Actor("coordinator", "claire")
GRACAY = Actor("commune", "lien 1", "18103")
VIERZON = Actor("commune", "lien 2", "18279")
FUNDER = Actor("funder", "région")
DATA = Path(__file__).resolve().parents[1] / "data"


def form(code="18103", **changes) -> RequestForm:
    values = dict(
        code_insee=code,
        venue="Salle des fêtes",
        has_power=True,
        weekdays=(1,),
        period_start=date(2027, 1, 4),
        period_end=date(2027, 3, 26),
        blackout_dates=frozenset({date(2027, 2, 16)}),
        expected_participants=8,
        contact_name="Claire Martin",
        contact_phone="02 48 51 42 07",
        contact_email="claire@mairie.fr",
    )
    values.update(changes)
    return RequestForm(**values)


def snapshot(engine):
    """Everything a change could touch, to prove that a refusal changed nothing."""
    with session_scope(engine) as s:
        rows = [
            (r.id, r.code_insee, r.venue, r.status, r.decision_reason, r.contact_email, r.scheduled_dates)
            for r in s.scalars(select(RequestRow).order_by(RequestRow.id))
        ]
        reviews = s.query(ReviewRow).count()
        audit = s.query(AuditRow).count()
    return rows, reviews, audit


def test_submit_and_read_back_every_field(engine):
    original = form(publics=("seniors", "jeunes"), themes="e-mail, ANTS", toilets=True, wifi=True)
    rid = repo.submit_request(engine, original, GRACAY)
    rec = repo.get_request(engine, rid, GRACAY)
    assert rec.form == original
    assert rec.status == "submitted" and rec.created_by == "commune:18103"
    assert rec.created_at.tzinfo is not None


def test_status_flow_with_history_and_audit(engine):
    rid = repo.submit_request(engine, form(), GRACAY)
    repo.review_request(engine, rid, "accepted", "bienvenue", COORD)
    repo.mark_scheduled(engine, rid, [date(2027, 1, 12), date(2027, 1, 5)], COORD)
    rec = repo.get_request(engine, rid, GRACAY)
    assert rec.status == "scheduled"
    assert rec.scheduled_dates == (date(2027, 1, 5), date(2027, 1, 12))
    steps = [(h.from_status, h.to_status) for h in repo.request_history(engine, rid, COORD)]
    assert steps == [("", "submitted"), ("submitted", "accepted"), ("accepted", "scheduled")]
    actions = [(e.actor, e.action) for e in reversed(audit_entries(engine, entity="request"))]
    assert actions == [
        ("commune:18103", "submit"),
        ("coordinator:claire", "accept"),
        ("coordinator:claire", "schedule"),
    ]


def test_decline_needs_a_reason_and_changes_nothing_without(engine):
    rid = repo.submit_request(engine, form(), GRACAY)
    before = snapshot(engine)
    with pytest.raises(InputError, match="indiquez la raison du refus"):
        repo.review_request(engine, rid, "declined", "   ", COORD)
    assert snapshot(engine) == before
    repo.review_request(engine, rid, "declined", "pas de prise électrique", COORD)
    rec = repo.get_request(engine, rid, GRACAY)
    assert rec.status == "declined" and rec.decision_reason == "pas de prise électrique"


def test_invalid_transitions_are_refused(engine):
    rid = repo.submit_request(engine, form(), GRACAY)
    with pytest.raises(InputError, match="seule une demande acceptée"):
        repo.mark_scheduled(engine, rid, [date(2027, 1, 5)], COORD)
    with pytest.raises(InputError, match="décision inconnue"):
        repo.review_request(engine, rid, "scheduled", "", COORD)
    repo.review_request(engine, rid, "accepted", "", COORD)
    before = snapshot(engine)
    with pytest.raises(InputError, match="ne peut pas être acceptée"):
        repo.review_request(engine, rid, "accepted", "", COORD)
    with pytest.raises(InputError, match="aucune date"):
        repo.mark_scheduled(engine, rid, [], COORD)
    with pytest.raises(InputError, match="introuvable"):
        repo.review_request(engine, rid + 100, "accepted", "", COORD)
    assert snapshot(engine) == before


def test_commune_cannot_file_for_another_commune(engine):
    before = snapshot(engine)
    with pytest.raises(AccessDenied, match="ne concerne que la commune 18103"):
        repo.submit_request(engine, form("18279"), GRACAY)
    with pytest.raises(AccessDenied):
        repo.submit_requests(engine, [form("18103"), form("18279")], GRACAY)
    assert snapshot(engine) == before


def test_commune_token_cannot_read_or_change_another_communes_request(engine):
    other = repo.submit_request(engine, form("18279", venue="Médiathèque"), VIERZON)
    link = create_commune_link(engine, "18103", COORD)
    gracay = resolve_commune_token(engine, link.token)
    before = snapshot(engine)
    with pytest.raises(AccessDenied, match="accès refusé"):
        repo.get_request(engine, other, gracay)
    with pytest.raises(AccessDenied):
        repo.request_history(engine, other, gracay)
    with pytest.raises(AccessDenied):
        repo.update_request(engine, other, form("18279", venue="piraté"), gracay)
    with pytest.raises(AccessDenied):
        repo.update_request(engine, other, form("18103", venue="piraté"), gracay)
    with pytest.raises(AccessDenied, match="seule la coordination"):
        repo.review_request(engine, other, "declined", "piraté", gracay)
    with pytest.raises(AccessDenied):
        repo.delete_request(engine, other, gracay)
    assert snapshot(engine) == before
    assert repo.get_request(engine, other, VIERZON).form.venue == "Médiathèque"


def test_commune_may_edit_its_own_request_until_reviewed(engine):
    rid = repo.submit_request(engine, form(), GRACAY)
    repo.update_request(engine, rid, form(venue="Salle polyvalente"), GRACAY)
    assert repo.get_request(engine, rid, GRACAY).form.venue == "Salle polyvalente"
    repo.review_request(engine, rid, "accepted", "", COORD)
    with pytest.raises(InputError, match="déjà acceptée"):
        repo.update_request(engine, rid, form(venue="autre"), GRACAY)
    assert repo.get_request(engine, rid, GRACAY).form.venue == "Salle polyvalente"


def test_funder_sees_counts_only(engine):
    rid = repo.submit_request(engine, form(), GRACAY)
    repo.submit_request(engine, form("18279"), VIERZON)
    repo.review_request(engine, rid, "accepted", "", COORD)
    with pytest.raises(AccessDenied, match="chiffres agrégés"):
        repo.get_request(engine, rid, FUNDER)
    with pytest.raises(AccessDenied):
        repo.submit_request(engine, form(), FUNDER)
    assert repo.request_counts(engine) == {"submitted": 1, "accepted": 1, "declined": 0, "scheduled": 0}
    blind = repo.list_requests(engine, include_contact=False)
    assert all(not r.form.has_contact for r in blind)


def test_list_filters_by_commune_and_status(engine):
    a = repo.submit_request(engine, form("18103"), COORD)
    b = repo.submit_request(engine, form("18279"), COORD)
    repo.review_request(engine, b, "accepted", "", COORD)
    assert [r.id for r in repo.list_requests(engine)] == [a, b]
    assert [r.id for r in repo.list_requests(engine, code_insee="18279")] == [b]
    assert [r.id for r in repo.list_requests(engine, status="submitted")] == [a]


def test_delete_removes_request_history_and_contact(engine):
    rid = repo.submit_request(engine, form(), GRACAY)
    keep = repo.submit_request(engine, form("18279"), VIERZON)
    repo.review_request(engine, rid, "accepted", "", COORD)
    repo.delete_request(engine, rid, COORD)
    with pytest.raises(InputError, match="introuvable"):
        repo.get_request(engine, rid, COORD)
    with session_scope(engine) as s:
        assert s.query(ReviewRow).filter(ReviewRow.request_id == rid).count() == 0
        log = " ".join(f"{r.actor} {r.detail}" for r in s.scalars(select(AuditRow)))
    assert "claire@mairie.fr" not in log and "02 48 51 42 07" not in log and "Claire Martin" not in log
    assert audit_entries(engine)[0].action == "delete"
    assert [r.id for r in repo.list_requests(engine)] == [keep]


def test_contacts_are_purged_after_retention(engine):
    old = repo.submit_request(
        engine, form(period_start=date(2025, 1, 6), period_end=date(2025, 6, 27)), COORD
    )
    recent = repo.submit_request(engine, form("18279"), COORD)
    assert repo.purge_expired_contacts(engine, today=date(2026, 6, 27), actor=COORD) == 0
    assert repo.purge_expired_contacts(engine, today=date(2026, 6, 28), actor=COORD) == 1
    assert not repo.get_request(engine, old, COORD).form.has_contact
    assert repo.get_request(engine, old, COORD).form.venue == "Salle des fêtes"
    assert repo.get_request(engine, recent, COORD).form.contact_email == "claire@mairie.fr"


def test_accepted_requests_feed_the_optimiser(engine):
    a = repo.submit_request(engine, form("18103", expected_participants=9), COORD)
    b = repo.submit_request(engine, form("18279"), COORD)
    c = repo.submit_request(engine, form("18033"), COORD)
    repo.review_request(engine, a, "accepted", "", COORD)
    repo.review_request(engine, b, "declined", "hors territoire", COORD)
    repo.review_request(engine, c, "accepted", "", COORD)
    repo.mark_scheduled(engine, c, [date(2027, 1, 5)], COORD)
    hosts = repo.accepted_host_requests(engine)
    assert [h.id for h in hosts] == [f"D{a}", f"D{c}"]
    assert hosts[0].code_insee == "18103" and hosts[0].expected_participants == 9
    assert hosts[0].has_power and hosts[0].weekdays == (1,)
    assert date(2027, 2, 16) in hosts[0].blackout_dates  # explicit
    assert date(2027, 1, 3) in hosts[0].blackout_dates  # before the availability period
    assert date(2027, 1, 5) not in hosts[0].blackout_dates


def test_restart_loses_nothing(db_url):
    engine = get_engine(db_url)
    from planner.store.db import init_db

    init_db(engine)
    rid = repo.submit_request(engine, form(), GRACAY)
    repo.review_request(engine, rid, "accepted", "ok", COORD)
    link = create_commune_link(engine, "18103", COORD)
    dispose_engine(db_url)

    restarted = get_engine(db_url)
    assert restarted is not engine
    init_db(restarted)
    rec = repo.get_request(restarted, rid, COORD)
    assert rec.status == "accepted" and rec.form == form()
    assert resolve_commune_token(restarted, link.token).code_insee == "18103"
    assert len(audit_entries(restarted)) >= 3


def test_schedule_from_plan_marks_hosting_requests(engine):
    plan = load_plan(DATA / "plan_vierzon_petit.json")
    hosted = repo.submit_request(engine, form("18140"), COORD)
    declined = repo.submit_request(engine, form("18263"), COORD)
    absent = repo.submit_request(engine, form("18103"), COORD)
    repo.review_request(engine, hosted, "accepted", "", COORD)
    repo.review_request(engine, declined, "declined", "hors saison", COORD)
    repo.review_request(engine, absent, "accepted", "", COORD)
    done = repo.schedule_from_plan(engine, plan, COORD)
    expected = tuple(sorted({s.date for s in plan.sessions if s.host == "18140"}))
    assert done == {hosted: expected} and len(expected) == 5
    assert repo.get_request(engine, hosted, COORD).scheduled_dates == expected
    assert repo.get_request(engine, declined, COORD).status == "declined"
    assert repo.get_request(engine, absent, COORD).status == "accepted"
    assert repo.schedule_from_plan(engine, plan, COORD) == {}  # same dates: nothing rewritten
    with pytest.raises(AccessDenied):
        repo.schedule_from_plan(engine, plan, GRACAY)


def test_a_commune_link_cannot_flood_the_coordination(engine):
    for i in range(repo.MAX_PENDING_PER_COMMUNE):
        repo.submit_request(engine, form(venue=f"Salle {i}"), GRACAY)
    before = snapshot(engine)
    with pytest.raises(InputError, match="déjà 10 demandes en attente"):
        repo.submit_request(engine, form(venue="Une de trop"), GRACAY)
    assert snapshot(engine) == before
    repo.submit_request(engine, form(venue="Saisie par téléphone"), COORD)  # the coordination is not limited
    for rec in repo.list_requests(engine)[:2]:  # 11 waiting: answer two of them
        repo.review_request(engine, rec.id, "accepted", "", COORD)
    repo.submit_request(engine, form(venue="Après réponse"), GRACAY)
    assert repo.list_requests(engine)[-1].form.venue == "Après réponse"


def test_requests_accepted_at_submit_keep_their_history_and_audit(engine):
    ids = repo.submit_requests(
        engine, [form(), form("18279")], COORD, accept=True, reason="reçue par téléphone"
    )
    for rid in ids:
        rec = repo.get_request(engine, rid, COORD)
        assert rec.status == "accepted"
        assert rec.decision_reason == "reçue par téléphone"
        steps = [(h.from_status, h.to_status) for h in repo.request_history(engine, rid, COORD)]
        assert steps == [("", "submitted"), ("submitted", "accepted")]
    audited = {(e.entity_id, e.action) for e in audit_entries(engine, entity="request")}
    assert audited == {(str(rid), action) for rid in ids for action in ("submit", "accept")}


def test_only_a_coordinator_accepts_at_submit(engine):
    before = snapshot(engine)
    with pytest.raises(AccessDenied):
        repo.submit_requests(engine, [form()], GRACAY, accept=True)
    assert snapshot(engine) == before


def test_an_empty_commune_code_lists_nothing_not_everything(engine):
    # A commune page that lost its code must fail closed: "" is not "every commune".
    repo.submit_request(engine, RequestForm(code_insee="18279", venue="Salle", contact_email="a@b.fr"), COORD)
    assert repo.list_requests(engine, code_insee="") == ()
    assert len(repo.list_requests(engine)) == 1
