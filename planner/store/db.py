"""Engine and session factory: SQLite file by default, PostgreSQL when ``DATABASE_URL`` is set.

The database location is, in order: the ``url`` argument, the ``DATABASE_URL`` environment variable
(PostgreSQL through psycopg 3: ``postgresql+psycopg://user:pass@host/db``), else a SQLite file at
``ALLER_VERS_DB_PATH`` or ``var/aller-vers.sqlite``. SQLite runs in WAL mode with a busy timeout and
every transaction starts with ``BEGIN IMMEDIATE``, so concurrent writers wait for each other instead of
failing. Schema migrations (Alembic) are applied by :func:`init_db`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

DEFAULT_SQLITE_PATH = Path("var") / "aller-vers.sqlite"
SQLITE_BUSY_TIMEOUT_MS = 30_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_PG_MIGRATION_LOCK = 7_301_946_221  # arbitrary key of the advisory lock held while migrating

_engines: dict[str, Engine] = {}
_migrated: set[str] = set()
_lock = threading.Lock()


def database_url(url: str | None = None) -> str:
    """Return the database URL to use (argument, ``DATABASE_URL``, or the SQLite file)."""
    if url:
        return url
    env_url = os.environ.get("DATABASE_URL", "").strip()
    if env_url:
        if env_url.startswith("postgres://"):
            env_url = "postgresql+psycopg://" + env_url.removeprefix("postgres://")
        elif env_url.startswith("postgresql://"):
            env_url = "postgresql+psycopg://" + env_url.removeprefix("postgresql://")
        return env_url
    path = Path(os.environ.get("ALLER_VERS_DB_PATH", "").strip() or DEFAULT_SQLITE_PATH)
    return f"sqlite:///{path.expanduser().resolve()}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - exercised by every test
        # Let SQLAlchemy emit BEGIN itself (see _on_begin) instead of pysqlite's implicit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # IMMEDIATE takes the write lock up front: two writers never deadlock on a lock upgrade,
        # the second simply waits (busy_timeout) for the first to commit.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def get_engine(url: str | None = None) -> Engine:
    """Return the (cached, one per URL) engine for ``url`` or the configured database.

    Parameters
    ----------
    url
        SQLAlchemy URL; ``None`` means :func:`database_url` (``DATABASE_URL`` or the SQLite file).

    Returns
    -------
    Engine
        A thread-safe engine; the SQLite file's directory is created if needed.
    """
    resolved = database_url(url)
    with _lock:
        engine = _engines.get(resolved)
        if engine is not None:
            return engine
        parsed = make_url(resolved)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(resolved, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            _configure_sqlite(engine)
        else:
            engine = create_engine(resolved, pool_pre_ping=True, pool_size=10, max_overflow=20)
        _engines[resolved] = engine
        return engine


def dispose_engine(url: str | None = None) -> None:
    """Close the pooled connections of the cached engine for ``url`` and forget it."""
    resolved = database_url(url)
    with _lock:
        engine = _engines.pop(resolved, None)
        _migrated.discard(resolved)
    if engine is not None:
        engine.dispose()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back on any exception.

    Objects stay readable after the commit (``expire_on_commit=False``).
    """
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration built in code (no ``alembic.ini``) for ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation: a password with URL-escaped characters (``p%40ss``) must be
    # written with ``%%`` or Alembic refuses the whole URL (and the app would not start).
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def init_db(engine: Engine) -> None:
    """Apply the Alembic migrations up to ``head`` (once per engine and process).

    Safe when several processes start together: on PostgreSQL an advisory lock serialises them,
    on SQLite the ``BEGIN IMMEDIATE`` transaction does.
    """
    key = engine.url.render_as_string(hide_password=False)
    with _lock:
        if key in _migrated:
            return
    config = alembic_config(engine)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with _lock:
        _migrated.add(key)


def open_store(url: str | None = None) -> Engine:
    """:func:`get_engine` then :func:`init_db`: the ready-to-use database of the app and the CLI."""
    engine = get_engine(url)
    init_db(engine)
    return engine
