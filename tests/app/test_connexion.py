"""Sign-in and local mode as a visitor meets them: per-client throttle, audit, local mode for this
machine only, who counts as "this machine"."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.hosting.request_form import RequestForm
from planner.store import access, repo
from planner.store.audit import audit_entries
from planner.store.db import dispose_engine, open_store
from ui.client import Client, client_from

APP = str(Path(__file__).resolve().parents[2] / "app.py")
RIGHT = "mot-de-passe-coordination"
STRANGER = Client("203.0.113.66", False)
COORDINATOR = Client("198.51.100.7", False)


@pytest.fixture
def engine():
    eng = open_store()
    yield eng
    dispose_engine()


def visit(visitor_at_the_server, client: Client, token: str | None = None) -> AppTest:
    visitor_at_the_server.current_client = lambda: client
    at = AppTest.from_file(APP, default_timeout=60)
    if token:
        at.query_params["jeton"] = token
    return at.run()


def sign_in(at: AppTest, password: str) -> AppTest:
    at.text_input[0].input(password)
    at.button[0].click()
    return at.run()


def everything_shown(at: AppTest) -> str:
    parts = [e.value for kind in (at.title, at.markdown, at.caption, at.error, at.text) for e in kind]
    parts += [e.value for e in at.sidebar.caption]
    parts += [f.value.to_string() for f in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_a_strangers_wrong_passwords_do_not_block_the_coordinator(engine, monkeypatch, visitor_at_the_server):
    monkeypatch.setenv("ALLER_VERS_COORDINATOR_PASSWORD", RIGHT)
    stranger = visit(visitor_at_the_server, STRANGER)
    for _ in range(5):
        assert "Mot de passe incorrect" in sign_in(stranger, "devine").error[0].value
    refused = sign_in(stranger, RIGHT)
    assert "trop de tentatives de connexion depuis ce poste" in refused.error[0].value
    assert refused.title[0].value == "Aller-vers — connexion"
    coordinator = sign_in(visit(visitor_at_the_server, COORDINATOR), RIGHT)
    assert not coordinator.exception and not coordinator.error
    assert "Connecté : coordination" in [c.value for c in coordinator.sidebar.caption]
    actions = [(e.action, e.actor) for e in audit_entries(engine, entity="user")]
    assert actions.count(("sign_in_failed", "connexion:203.0.113.66")) == 5
    assert ("sign_in_blocked", "connexion:203.0.113.66") in actions
    assert ("sign_in", "connexion:198.51.100.7") in actions


def test_local_mode_refuses_another_machine_and_shows_no_data(engine, visitor_at_the_server):
    repo.submit_request(
        engine, RequestForm(code_insee="18103", venue="Salle", contact_email="maire@x.fr"), "t"
    )
    at = visit(visitor_at_the_server, Client("192.168.1.20", False))
    assert not at.exception
    assert at.title[0].value == "Aller-vers — accès refusé"
    assert "ne répond qu'à l'ordinateur qui l'héberge" in at.error[0].value
    assert not at.sidebar.toggle and "maire@x.fr" not in everything_shown(at)
    at.switch_page("app_pages/demandes.py").run()  # asking for a page by name changes nothing
    assert at.title[0].value == "Aller-vers — accès refusé" and len(at.title) == 1
    assert "maire@x.fr" not in everything_shown(at)


def test_local_mode_refuses_another_machine_even_with_a_commune_link(engine, visitor_at_the_server):
    access.set_password(engine, "coordinator", RIGHT, "test")
    link = access.create_commune_link(engine, "18103", "test")
    access.set_password(engine, "funder", "financeur-seulement", "test")
    with engine.begin() as conn:  # the password is removed later: the app is back in local mode
        conn.exec_driver_sql("DELETE FROM users WHERE role = 'coordinator'")
    at = visit(visitor_at_the_server, Client("192.168.1.20", False), token=link.url.split("jeton=")[1])
    assert at.title[0].value == "Aller-vers — accès refusé"


def test_local_mode_serves_this_machine(engine, visitor_at_the_server):
    at = visit(visitor_at_the_server, Client("local", True))
    assert not at.exception
    assert any("Mode local mono-utilisateur" in c.value for c in at.sidebar.caption)


def test_with_a_password_another_machine_gets_the_sign_in_page(engine, monkeypatch, visitor_at_the_server):
    monkeypatch.setenv("ALLER_VERS_COORDINATOR_PASSWORD", RIGHT)
    at = visit(visitor_at_the_server, Client("192.168.1.20", False))
    assert at.title[0].value == "Aller-vers — connexion"


@pytest.mark.parametrize(
    ("ip", "headers", "expected"),
    [
        (None, {"Host": "localhost:8501"}, Client("local", True)),
        (None, {"Host": "127.0.0.1:8501"}, Client("local", True)),
        (None, {"Host": "[::1]:8501"}, Client("local", True)),
        ("127.0.0.2", {"Host": "localhost"}, Client("local", True)),
        # DNS rebinding: a web page made the browser reach the loopback under its own name
        (None, {"Host": "evil.example:8501"}, Client("local", False)),
        # a proxy on the same machine: the visitor is elsewhere
        (None, {"Host": "localhost:8501", "X-Real-IP": "192.0.2.4"}, Client("local", False)),
        (None, {"Host": "localhost:8501", "X-Forwarded-For": "192.0.2.4"}, Client("local", False)),
        (None, {"Host": "localhost:8501", "Forwarded": "for=192.0.2.4"}, Client("local", False)),
        ("192.0.2.4", {"Host": "localhost:8501"}, Client("192.0.2.4", False)),
        ("2001:db8::4", {"Host": "localhost:8501"}, Client("2001:db8::4", False)),
        # no connection behind the run (a browser gone): never this machine
        (None, {}, Client(None, False)),
        (object(), {}, Client(None, False)),
    ],
)
def test_who_counts_as_this_machine(ip, headers, expected):
    assert client_from(ip, headers) == expected
