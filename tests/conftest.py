"""Suite-wide isolation: every test gets its own database file and no configured passwords.

Without this, a password or a request stored in the default ``var/aller-vers.sqlite`` by a
developer would leak into AppTests (putting every page behind the sign-in form).

AppTest runs a page with no connection behind it, which the app never trusts as local
(:mod:`ui.client`): the tests play the person sitting at the server unless a test says otherwise.
"""

import pytest

_AUTH_VARIABLES = ("ALLER_VERS_COORDINATOR_PASSWORD", "ALLER_VERS_FUNDER_PASSWORD", "DATABASE_URL")


@pytest.fixture(autouse=True)
def isolated_database(tmp_path, monkeypatch):
    """Point the default SQLite store at a fresh file and clear credentials for one test."""
    monkeypatch.setenv("ALLER_VERS_DB_PATH", str(tmp_path / "aller-vers.sqlite"))
    for name in _AUTH_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def visitor_at_the_server(monkeypatch):
    """The AppTest visitor is this machine (a loopback client); returns the patched module."""
    from ui import client

    monkeypatch.setattr(client, "current_client", lambda: client.Client("local", True))
    return client
