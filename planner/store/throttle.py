"""Sign-in throttling kept in the database: it holds across server processes and against parallel
requests, and a stranger's wrong passwords cannot lock the coordination out.

Every attempt first *reserves* its place — one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
per counter, committed before the password is checked — so twenty attempts sent at once are
numbered 1 to 20 and only the first few reach the password check. Two counters:

- **per client** (its IP address; an IPv6 /64 counts as one client): beyond
  :attr:`SignInLimits.per_client` attempts in a window, that client waits for the end of its
  window, right password or not. Another client is not affected.
- **all clients together** (the shared passwords of the accounts): beyond
  :attr:`SignInLimits.all_clients` attempts in a window — a guess spread over many addresses —
  only clients that signed in successfully within :attr:`SignInLimits.trusted_for` may still try.
  An attempt refused by its own client's counter does not count here, so one noisy address cannot
  close the door to newcomers.

A successful sign-in gives its attempt back to the shared counter and clears its client's counter.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from planner.store.models import SignInThrottleRow

ALL_CLIENTS = "all"
LOCAL_CLIENT = "local"
UNKNOWN_CLIENT = "inconnu"
_table = SignInThrottleRow.__table__


@dataclass(frozen=True)
class SignInLimits:
    """How many sign-in attempts are allowed, per client and for all clients, in one window."""

    per_client: int = 5
    all_clients: int = 100
    window: timedelta = timedelta(minutes=15)
    trusted_for: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        if self.per_client < 1 or self.all_clients < self.per_client:
            raise ValueError("limits must satisfy 1 <= per_client <= all_clients")
        if self.window <= timedelta(0) or self.trusted_for < timedelta(0):
            raise ValueError("window must be positive and trusted_for not negative")


@dataclass(frozen=True)
class Attempt:
    """One reserved sign-in attempt.

    ``refused_by`` is ``None`` (the password may be checked), ``"client"`` or ``"all"``;
    ``first_refusal`` is true for the attempt that crossed the limit (worth an audit line).
    """

    client: str
    number: int
    refused_by: str | None = None
    wait_s: int = 0
    first_refusal: bool = False


def client_key(address: str | None) -> str:
    """The client an address belongs to: ``"203.0.113.7"``, ``"2001:db8:1:2::/64"``, ``"local"``…

    ``None`` or ``"local"`` is this machine (a loopback connection); an unparsable address is
    ``"inconnu"``. IPv4-mapped IPv6 addresses count as their IPv4 address.
    """
    if address is None or address == LOCAL_CLIENT:
        return LOCAL_CLIENT
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return UNKNOWN_CLIENT
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return LOCAL_CLIENT
    if isinstance(ip, ipaddress.IPv6Address):
        # One subscriber holds a whole /64: counting single addresses would give it 2**64 tries.
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def _bump(
    session: Session, key: str, now: datetime, cutoff: datetime
) -> tuple[int, datetime, datetime | None]:
    """Count one attempt for ``key`` atomically; return (attempts, window start, last success)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    expired = _table.c.window_start <= cutoff
    stmt = insert(_table).values(key=key, attempts=1, window_start=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_table.c.key],
        set_={
            "attempts": case((expired, 1), else_=_table.c.attempts + 1),
            "window_start": case((expired, stmt.excluded.window_start), else_=_table.c.window_start),
        },
    ).returning(_table.c.attempts, _table.c.window_start, _table.c.last_success_at)
    attempts, start, last_success = session.execute(stmt).one()
    return int(attempts), start, last_success


def _wait_s(window_start: datetime, window: timedelta, now: datetime) -> int:
    return max(1, math.ceil((window_start + window - now).total_seconds()))


def reserve(session: Session, client: str, limits: SignInLimits, now: datetime) -> Attempt:
    """Count a sign-in attempt of ``client`` (a :func:`client_key`) and say whether it may go on.

    Call it in its own transaction, committed before the password is checked: that is what makes
    parallel attempts see each other.
    """
    cutoff = now - limits.window
    number, start, last_success = _bump(session, f"client:{client}", now, cutoff)
    if number > limits.per_client:
        return Attempt(
            client, number, "client", _wait_s(start, limits.window, now), number == limits.per_client + 1
        )
    total, total_start, _ = _bump(session, ALL_CLIENTS, now, cutoff)
    trusted = last_success is not None and now - last_success <= limits.trusted_for
    if total > limits.all_clients and not trusted:
        return Attempt(
            client, number, "all", _wait_s(total_start, limits.window, now), total == limits.all_clients + 1
        )
    return Attempt(client, number)


def succeeded(session: Session, client: str, now: datetime) -> None:
    """Record a successful sign-in: the client's counter is cleared and it becomes trusted."""
    session.execute(
        update(_table).where(_table.c.key == f"client:{client}").values(attempts=0, last_success_at=now)
    )
    session.execute(
        update(_table)
        .where(_table.c.key == ALL_CLIENTS, _table.c.attempts > 0)
        .values(attempts=_table.c.attempts - 1)
    )


def forget_stale(session: Session, now: datetime, limits: SignInLimits) -> int:
    """Delete the counters that no longer matter: window over and no success to remember.

    A client's address is kept only while it counts: during its window, or as long as a past
    success still makes it trusted. Returns how many counters were deleted.
    """
    stale = session.execute(
        delete(_table).where(
            _table.c.key != ALL_CLIENTS,
            _table.c.window_start <= now - limits.window,
            or_(_table.c.last_success_at.is_(None), _table.c.last_success_at < now - limits.trusted_for),
        )
    )
    return int(stale.rowcount or 0)
