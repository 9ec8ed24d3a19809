"""Load and faults: concurrent submissions, all-or-nothing multi-row changes — both backends."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner.errors import InputError
from planner.hosting.request_form import RequestForm
from planner.store import repo
from planner.store.access import Actor
from planner.store.db import session_scope
from planner.store.models import AuditRow, RequestRow, ReviewRow

COORD = Actor("coordinator", "claire")


def counts(engine):
    with session_scope(engine) as s:
        return s.query(RequestRow).count(), s.query(ReviewRow).count(), s.query(AuditRow).count()


def test_50_concurrent_submissions_store_exactly_50(engine):
    start = threading.Barrier(50)

    def submit(i: int) -> int:
        code = f"18{100 + i:03d}"  # one commune per thread, each through its own link
        start.wait()  # release all 50 threads together
        return repo.submit_request(
            engine, RequestForm(code_insee=code, venue=f"Salle {i}"), Actor("commune", f"lien {i}", code)
        )

    with ThreadPoolExecutor(max_workers=50) as pool:
        ids = list(pool.map(submit, range(50)))
    assert len(set(ids)) == 50
    assert counts(engine) == (50, 50, 50)
    with session_scope(engine) as s:
        venues = sorted(s.scalars(select(RequestRow.venue)))
    assert venues == sorted(f"Salle {i}" for i in range(50))


def test_failure_on_row_7_of_a_batch_leaves_nothing(engine):
    forms = [RequestForm(code_insee="18103", venue=f"Salle {i}") for i in range(10)]
    bad = RequestForm(code_insee="18279", venue="Salle 7")
    object.__setattr__(bad, "expected_participants", -5)  # slips past validation; the database refuses it
    forms[6] = bad
    with pytest.raises(IntegrityError):
        repo.submit_requests(engine, forms, COORD)
    assert counts(engine) == (0, 0, 0)
    forms[6] = RequestForm(code_insee="18279", venue="Salle 7")
    assert len(repo.submit_requests(engine, forms, COORD, accept=True)) == 10
    assert counts(engine) == (10, 20, 20)


def test_concurrent_reviews_of_one_request_apply_once(engine):
    rid = repo.submit_request(engine, RequestForm(code_insee="18103", venue="Salle"), COORD)
    start = threading.Barrier(8)
    outcomes = []

    def accept():
        start.wait()
        try:
            repo.review_request(engine, rid, "accepted", "", COORD)
            outcomes.append("ok")
        except Exception as exc:  # the losers get the French refusal
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=accept) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["InputError"] * 7 + ["ok"]
    history = repo.request_history(engine, rid, COORD)
    assert [h.to_status for h in history] == ["submitted", "accepted"]


def test_concurrent_submissions_through_one_link_respect_the_pending_limit(engine):
    # Without a per-commune lock, PostgreSQL let every concurrent submission see the same count.
    commune = Actor("commune", "lien 1", "18103")
    n = repo.MAX_PENDING_PER_COMMUNE + 10
    start = threading.Barrier(n)

    def submit(i: int) -> str:
        start.wait()
        try:
            repo.submit_request(engine, RequestForm(code_insee="18103", venue=f"Salle {i}"), commune)
        except InputError:
            return "refused"
        return "stored"

    with ThreadPoolExecutor(max_workers=n) as pool:
        outcomes = list(pool.map(submit, range(n)))
    assert outcomes.count("stored") == repo.MAX_PENDING_PER_COMMUNE
    assert outcomes.count("refused") == 10
    assert counts(engine)[0] == repo.MAX_PENDING_PER_COMMUNE
