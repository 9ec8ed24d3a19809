"""Roles, password hashing and the communes' personal links (SQLite; tests/store adds PostgreSQL)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from planner.errors import AccessDenied, InputError
from planner.store import access
from planner.store.access import Actor
from planner.store.db import dispose_engine, get_engine, init_db, session_scope
from planner.store.models import AccessLinkRow, UserRow


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'access.sqlite'}"
    eng = get_engine(url)
    init_db(eng)
    yield eng
    dispose_engine(url)


COORD = Actor("coordinator", "test")


def test_password_hash_is_argon2_and_verifies():
    hashed = access.hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert access.verify_password(hashed, "correct horse")
    assert not access.verify_password(hashed, "wrong horse")
    assert not access.verify_password("not-a-hash", "correct horse")


def test_configured_password_is_stored_hashed_and_replaced_when_changed(engine):
    assert not access.has_password(engine, "coordinator")
    access.ensure_password(engine, "coordinator", "premier-secret")
    with session_scope(engine) as s:
        stored = s.scalars(select(UserRow.password_hash)).one()
    assert "premier-secret" not in stored
    assert access.check_password(engine, "premier-secret") == "coordinator"
    access.ensure_password(engine, "coordinator", "premier-secret")  # unchanged: same hash kept
    with session_scope(engine) as s:
        assert s.scalars(select(UserRow.password_hash)).one() == stored
    access.ensure_password(engine, "coordinator", "second-secret")
    assert access.check_password(engine, "premier-secret") is None
    assert access.check_password(engine, "second-secret") == "coordinator"


def test_funder_password_gives_funder_role(engine):
    access.set_password(engine, "coordinator", "coordination-1", COORD)
    access.set_password(engine, "funder", "financeur-1", COORD)
    assert access.check_password(engine, "financeur-1") == "funder"
    assert access.check_password(engine, "coordination-1") == "coordinator"
    assert access.check_password(engine, "") is None


def test_funder_password_equal_to_the_coordinators_is_refused(engine):
    # Passwords are tried coordinator first: a shared password made every funder a coordinator.
    access.set_password(engine, "coordinator", "meme-mot-de-passe", COORD)
    with pytest.raises(InputError, match="doit différer"):
        access.set_password(engine, "funder", "meme-mot-de-passe", COORD)
    assert not access.has_password(engine, "funder")
    access.set_password(engine, "funder", "financeur-1", COORD)
    with pytest.raises(InputError, match="doit différer"):
        access.set_password(engine, "coordinator", "financeur-1", COORD)
    assert access.check_password(engine, "meme-mot-de-passe") == "coordinator"
    assert access.check_password(engine, "financeur-1") == "funder"


def test_short_password_is_refused(engine):
    with pytest.raises(InputError, match="mot de passe trop court"):
        access.set_password(engine, "coordinator", "court", COORD)
    assert not access.has_password(engine, "coordinator")


def test_link_token_is_random_and_stored_only_hashed(engine):
    a = access.create_commune_link(engine, "18103", COORD, base_url="https://av.example.fr/")
    b = access.create_commune_link(engine, "18103", COORD)
    assert a.token != b.token and len(a.token) == 43
    assert a.url == f"https://av.example.fr/?jeton={a.token}"
    with session_scope(engine) as s:
        rows = s.scalars(select(AccessLinkRow)).all()
        dump = " ".join(str(v) for r in rows for v in vars(r).values())
    assert a.token not in dump and b.token not in dump
    assert access.hash_token(a.token) in dump


def test_valid_token_grants_its_commune_only(engine):
    link = access.create_commune_link(engine, "18103", COORD)
    actor = access.resolve_commune_token(engine, link.token)
    assert actor.role == "commune" and actor.code_insee == "18103"
    access.require_commune_scope(actor, "18103")
    with pytest.raises(AccessDenied, match="ne concerne que la commune 18103"):
        access.require_commune_scope(actor, "18279")


@pytest.mark.parametrize("token", [None, "", "   "])
def test_missing_token_is_refused(engine, token):
    with pytest.raises(AccessDenied, match="lien incomplet"):
        access.resolve_commune_token(engine, token)


def test_tampered_token_is_refused(engine):
    link = access.create_commune_link(engine, "18103", COORD)
    last = "A" if link.token[-1] != "A" else "B"
    for forged in (link.token[:-1] + last, link.token + "x", link.token[:20], "<script>", "' OR 1=1 --"):
        with pytest.raises(AccessDenied, match="lien invalide"):
            access.resolve_commune_token(engine, forged)
    assert access.resolve_commune_token(engine, link.token).code_insee == "18103"


def test_expired_token_is_refused(engine):
    created = datetime(2026, 1, 1, tzinfo=UTC)
    link = access.create_commune_link(engine, "18103", COORD, expires_days=30, now=created)
    assert access.resolve_commune_token(engine, link.token, now=created + timedelta(days=29))
    with pytest.raises(AccessDenied, match="lien expiré depuis le 31/01/2026"):
        access.resolve_commune_token(engine, link.token, now=created + timedelta(days=30))


def test_revoked_token_is_refused_and_others_keep_working(engine):
    a = access.create_commune_link(engine, "18103", COORD)
    b = access.create_commune_link(engine, "18279", COORD)
    access.revoke_link(engine, a.link_id, COORD)
    with pytest.raises(AccessDenied, match="lien révoqué"):
        access.resolve_commune_token(engine, a.token)
    assert access.resolve_commune_token(engine, b.token).code_insee == "18279"
    assert access.revoke_commune_links(engine, "18279", COORD) == 1
    with pytest.raises(AccessDenied, match="lien révoqué"):
        access.resolve_commune_token(engine, b.token)
    assert [x.state() for x in access.list_links(engine)] == ["revoked", "revoked"]


def test_only_coordinators_create_or_revoke_links(engine):
    commune = Actor("commune", "lien", "18103")
    with pytest.raises(AccessDenied, match="seule la coordination"):
        access.create_commune_link(engine, "18279", commune)
    with pytest.raises(AccessDenied):
        access.create_commune_link(engine, "18279", Actor("funder", "f"))
    link = access.create_commune_link(engine, "18279", COORD)
    with pytest.raises(AccessDenied):
        access.revoke_link(engine, link.link_id, commune)
    assert access.resolve_commune_token(engine, link.token).code_insee == "18279"


def test_link_validity_is_bounded(engine):
    with pytest.raises(InputError, match="durée de validité invalide"):
        access.create_commune_link(engine, "18103", COORD, expires_days=0)
    with pytest.raises(InputError, match="code INSEE invalide"):
        access.create_commune_link(engine, "181", COORD)
    with session_scope(engine) as s:
        assert s.execute(text("SELECT count(*) FROM access_links")).scalar() == 0


def test_roles_and_contacts():
    assert access.can_see_contacts(COORD)
    assert access.can_see_contacts(Actor("commune", "x", "18103"))
    assert not access.can_see_contacts(Actor("funder", "f"))
    with pytest.raises(ValueError):
        Actor("commune", "x")
    assert access.as_actor("cli:root") == Actor("coordinator", "cli:root")
