"""Engine, migrations, SQLite settings and restarts — on SQLite and PostgreSQL."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from planner.store.db import (
    database_url,
    dispose_engine,
    get_engine,
    init_db,
    open_store,
    session_scope,
)
from planner.store.models import AuditRow, Base


def test_migrations_create_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002_workspaces"


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_init_db_twice_and_after_restart_is_harmless(db_url):
    engine = get_engine(db_url)
    init_db(engine)
    init_db(engine)
    dispose_engine(db_url)
    again = get_engine(db_url)
    assert again is not engine
    init_db(again)
    with again.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_session_scope_rolls_back_on_error(engine):
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        s.add(AuditRow(actor="t", action="a", entity="e", entity_id="1", detail=""))
        s.flush()
        raise RuntimeError("boom")
    with session_scope(engine) as s:
        assert s.query(AuditRow).count() == 0
    with session_scope(engine) as s:
        s.add(AuditRow(actor="t", action="a", entity="e", entity_id="1", detail=""))
    with session_scope(engine) as s:
        assert s.query(AuditRow).count() == 1


def test_engine_is_cached_per_url(db_url, tmp_path):
    assert get_engine(db_url) is get_engine(db_url)
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert get_engine(other) is not get_engine(db_url)
    dispose_engine(other)


def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path):
    url = f"sqlite:///{tmp_path / 'wal.sqlite'}"
    engine = open_store(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    dispose_engine(url)


def test_database_url_from_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ALLER_VERS_DB_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    assert database_url() == f"sqlite:///{tmp_path / 'var' / 'aller-vers.sqlite'}"
    monkeypatch.setenv("ALLER_VERS_DB_PATH", str(tmp_path / "ici.sqlite"))
    assert database_url() == f"sqlite:///{tmp_path / 'ici.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@h/db")
    assert database_url() == "postgresql+psycopg://u:p@h/db"
    assert database_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"


def test_default_sqlite_directory_is_created(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    path = tmp_path / "nouveau" / "dossier" / "base.sqlite"
    monkeypatch.setenv("ALLER_VERS_DB_PATH", str(path))
    open_store()
    assert Path(path).exists()
    dispose_engine()


def test_database_url_with_percent_signs_still_migrates(tmp_path):
    # URL-escaped password characters (``p%40ss``) or a "%" in the SQLite path used to make
    # Alembic's ConfigParser refuse the URL: the app and the CLI could not start.
    from sqlalchemy import create_engine
    from sqlalchemy.engine import URL

    from planner.store.db import alembic_config

    pg = create_engine(URL.create("postgresql+psycopg", "av", "p@ss%w:rd", "localhost", 5432, "aller"))
    rendered = pg.url.render_as_string(hide_password=False)
    assert "%40" in rendered and alembic_config(pg).get_main_option("sqlalchemy.url") == rendered

    url = f"sqlite:///{tmp_path / 'dossier 100%' / 'aller-vers.sqlite'}"
    try:
        engine = open_store(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002_workspaces"
    finally:
        dispose_engine(url)
