"""Persistent storage: SQLAlchemy engine and models, repository functions, Alembic migrations.

Use :func:`planner.store.db.get_engine` and :func:`planner.store.db.init_db`, then the functions of
:mod:`planner.store.repo`; pages and commands never write SQL themselves.
"""
