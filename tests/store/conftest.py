"""Database fixtures: every store test runs on SQLite AND on a real PostgreSQL server.

The PostgreSQL server is a throwaway cluster made for the test session: ``initdb`` in a temporary
directory, ``pg_ctl start`` on a free loopback port with its Unix socket in that directory, one
fresh database per test, the cluster stopped and deleted at the end. PostgreSQL refuses to run as
root, so under root (CI) the cluster belongs to the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from devtools.served_app import free_port
from planner.store.db import dispose_engine, get_engine, init_db

BACKENDS = ("sqlite", "postgres")


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL introuvable : lancez `make system-deps` (paquet Debian postgresql)")
    return Path(found[-1]).parent


def _as_server_user(cmd: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[dict]:
    """A running PostgreSQL cluster on 127.0.0.1: ``{"port", "user", "socket_dir"}``."""
    bindir = _pg_bin()
    user = None
    if os.geteuid() == 0:
        user = "postgres"
        try:
            pwd.getpwnam(user)
        except KeyError:
            pytest.fail("utilisateur système « postgres » absent : installez le paquet Debian postgresql")
    root = Path(tempfile.mkdtemp(prefix="aller-vers-pg-"))
    datadir = root / "data"
    if user:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    os.chmod(root, 0o755)
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    run = dict(check=True, capture_output=True, text=True, env=env, cwd=root)
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(datadir),
                    "-U",
                    "tester",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
                user,
            ),
            **run,
        )
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} -c fsync=off -c max_connections=120"
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(datadir),
                    "-o",
                    options,
                    "-l",
                    str(root / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
                user,
            ),
            **run,
        )
    except subprocess.CalledProcessError as exc:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"PostgreSQL n'a pas démarré : {exc.stderr}\n{log}")
    try:
        yield {"port": port, "user": "tester", "socket_dir": str(root)}
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "fast", "-w", "stop"], user),
            check=False,
            capture_output=True,
            env=env,
            cwd=root,
        )
        shutil.rmtree(root, ignore_errors=True)


def new_postgres_database(server: dict) -> str:
    """Create an empty database on ``server``; return its SQLAlchemy URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        host="127.0.0.1", port=server["port"], user=server["user"], dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{server['user']}@127.0.0.1:{server['port']}/{name}"


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        url = new_postgres_database(request.getfixturevalue("postgres_server"))
    yield url
    dispose_engine(url)


@pytest.fixture
def engine(db_url) -> Engine:
    """A migrated engine on a fresh database of each backend."""
    eng = get_engine(db_url)
    init_db(eng)
    return eng


@pytest.fixture
def cli_db(db_url, monkeypatch):
    """A migrated engine whose URL the CLI finds in ``DATABASE_URL``."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    engine = get_engine(db_url)
    init_db(engine)
    return engine
