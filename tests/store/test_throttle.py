"""Sign-in throttle in the database — per client, for all clients, atomic — on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from planner.errors import AccessDenied
from planner.store import access
from planner.store.audit import audit_entries
from planner.store.db import get_engine, session_scope
from planner.store.models import SignInThrottleRow
from planner.store.throttle import SignInLimits, client_key

RIGHT = "coordination-secrete"
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
LIMITS = SignInLimits(per_client=5, all_clients=12, window=timedelta(minutes=15))
STRANGER, COORDINATOR = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def protected(engine):
    access.set_password(engine, "coordinator", RIGHT, "test")
    return engine


def attempt(engine, password, client, minutes=0.0):
    """One sign-in attempt: the role, None for a wrong password, or "refusé" when throttled."""
    try:
        return access.sign_in(engine, password, client, limits=LIMITS, now=T0 + timedelta(minutes=minutes))
    except AccessDenied as exc:
        assert "trop de tentatives de connexion" in str(exc)
        return "refusé"


def sign_in_audit(engine):
    return [e for e in audit_entries(engine, entity="user") if e.action.startswith("sign_in")]


def test_a_strangers_wrong_passwords_do_not_lock_out_the_coordinator(protected):
    assert [attempt(protected, "devine", STRANGER) for _ in range(8)] == [None] * 5 + ["refusé"] * 3
    assert attempt(protected, RIGHT, STRANGER) == "refusé"  # the stranger's address waits, right or not
    assert attempt(protected, RIGHT, COORDINATOR) == "coordinator"


def test_a_client_over_its_limit_waits_for_the_end_of_its_window(protected):
    for _ in range(5):
        assert attempt(protected, "devine", STRANGER) is None
    with pytest.raises(AccessDenied, match="depuis ce poste : réessayez dans 840 secondes"):
        access.sign_in(protected, RIGHT, STRANGER, limits=LIMITS, now=T0 + timedelta(minutes=1))
    assert attempt(protected, RIGHT, STRANGER, minutes=15) == "coordinator"


def test_a_success_clears_the_clients_count(protected):
    for _ in range(4):
        assert attempt(protected, "devine", COORDINATOR) is None
    assert attempt(protected, RIGHT, COORDINATOR) == "coordinator"
    assert [attempt(protected, "devine", COORDINATOR, 1) for _ in range(5)] == [None] * 5
    assert attempt(protected, "devine", COORDINATOR, 1) == "refusé"


def test_twenty_parallel_wrong_passwords_are_throttled(protected):
    start = threading.Barrier(20)
    results: list = []

    def one() -> None:
        start.wait()
        results.append(attempt(protected, "devine", STRANGER))

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results, key=str) == [None] * 5 + ["refusé"] * 15
    actions = [e.action for e in sign_in_audit(protected)]
    assert actions.count("sign_in_failed") == 5
    assert actions.count("sign_in_blocked") == 1


def _process_attempts(url: str, barrier, queue, n: int) -> None:
    engine = get_engine(url)
    barrier.wait()
    queue.put([attempt(engine, "devine", STRANGER) for _ in range(n)])


def test_server_processes_share_the_count(protected, db_url):
    """Four processes (four servers behind one proxy) guessing at once: five checks in all."""
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_process_attempts, args=(db_url, barrier, queue, 4)) for _ in range(4)]
    for p in procs:
        p.start()
    results = [r for _ in procs for r in queue.get(timeout=120)]
    for p in procs:
        p.join(timeout=30)
    assert sorted(results, key=str) == [None] * 5 + ["refusé"] * 11


def test_a_guess_spread_over_many_addresses_stops_newcomers_not_known_clients(protected):
    assert attempt(protected, RIGHT, COORDINATOR) == "coordinator"  # signed in last week
    for i in range(12):
        assert attempt(protected, "devine", f"192.0.2.{i}", minutes=10) is None
    assert attempt(protected, "devine", "192.0.2.200", minutes=10) == "refusé"
    with pytest.raises(AccessDenied, match="seuls les postes déjà connectés récemment sont admis"):
        access.sign_in(protected, RIGHT, "192.0.2.201", limits=LIMITS, now=T0 + timedelta(minutes=10))
    assert attempt(protected, RIGHT, COORDINATOR, minutes=10) == "coordinator"


def test_attempts_refused_per_client_do_not_fill_the_shared_count(protected):
    for _ in range(40):
        attempt(protected, "devine", STRANGER)
    assert attempt(protected, RIGHT, "192.0.2.1") == "coordinator"  # a newcomer still gets in


def test_sign_ins_are_audited_without_the_password(protected):
    attempt(protected, "devine-ceci", STRANGER)
    attempt(protected, RIGHT, COORDINATOR)
    for _ in range(5):
        attempt(protected, "devine", STRANGER)
    entries = sign_in_audit(protected)
    failed = [e for e in entries if e.action == "sign_in_failed"]
    assert len(failed) == 5 and {e.actor for e in failed} == {f"connexion:{STRANGER}"}
    assert "mot de passe incorrect" in failed[-1].detail
    ok = [e for e in entries if e.action == "sign_in"]
    assert [(e.actor, e.entity_id) for e in ok] == [(f"connexion:{COORDINATOR}", "coordination")]
    blocked = [e for e in entries if e.action == "sign_in_blocked"]
    assert len(blocked) == 1 and "ce poste" in blocked[0].detail
    assert not any("devine" in e.detail or RIGHT in e.detail for e in entries)


def test_failed_sign_ins_leave_a_log_line(protected, caplog):
    with caplog.at_level("INFO", logger="planner.store.access"):
        attempt(protected, "devine", STRANGER)
        attempt(protected, RIGHT, COORDINATOR)
    messages = [r.getMessage() for r in caplog.records]
    assert f"sign-in failed for client {STRANGER} (attempt 1)" in messages
    assert f"sign-in as coordinator from client {COORDINATOR}" in messages


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (None, "local"),
        ("127.0.0.1", "local"),
        ("::1", "local"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("[2001:db8:1:3::1]", "2001:db8:1:3::/64"),
        ("pas une adresse", "inconnu"),
    ],
)
def test_client_keys(address, key):
    assert client_key(address) == key


def test_limits_are_validated():
    with pytest.raises(ValueError):
        SignInLimits(per_client=0)
    with pytest.raises(ValueError):
        SignInLimits(per_client=10, all_clients=5)


def test_addresses_are_forgotten_once_they_no_longer_count(protected):
    attempt(protected, "devine", STRANGER)
    attempt(protected, RIGHT, COORDINATOR)
    assert access.forget_old_sign_in_attempts(protected, now=T0 + timedelta(minutes=10)) == 0  # window on
    assert access.forget_old_sign_in_attempts(protected, now=T0 + timedelta(minutes=16)) == 1  # the stranger
    assert attempt(protected, "devine", "192.0.2.50", minutes=16) is None
    later = T0 + timedelta(days=31)
    assert access.forget_old_sign_in_attempts(protected, now=later) == 2  # trust expired too
    with session_scope(protected) as session:
        assert session.scalars(select(SignInThrottleRow.key)).all() == ["all"]
