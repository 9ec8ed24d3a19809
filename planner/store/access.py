"""Who may do what: roles, password hashing (argon2) and the communes' personal links.

Three roles:

``coordinator``
    runs the bus or team; signs in with a password (argon2 hash in the database) or through the
    OIDC provider configured for Streamlit; sees and changes everything.
``commune``
    a host commune opening its personal link ``…/?jeton=TOKEN``; sees and files only its
    own requests. Tokens are random (:func:`secrets.token_urlsafe`), stored as SHA-256 hashes,
    expire and can be revoked.
``funder``
    read-only aggregated figures, never contact data.

A password typed in the sign-in form goes through :func:`sign_in`: the database throttle of
:mod:`planner.store.throttle` (per client address, and for all addresses), and an audit line for
every outcome. Every refusal raises :class:`~planner.errors.AccessDenied` with a French message.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, select

from planner.errors import AccessDenied, InputError
from planner.model import check_insee_code
from planner.store.audit import record
from planner.store.db import session_scope
from planner.store.models import AccessLinkRow, UserRow, utcnow
from planner.store.throttle import SignInLimits, client_key, forget_stale, reserve, succeeded

Role = Literal["coordinator", "commune", "funder"]
ROLES: tuple[str, ...] = ("coordinator", "commune", "funder")
ROLE_LABELS: dict[str, str] = {"coordinator": "coordination", "commune": "commune", "funder": "financeur"}
PASSWORD_ROLES: dict[str, str] = {"coordinator": "coordination", "funder": "financeur"}  # role -> username
COORDINATOR_PASSWORD_ENV = "ALLER_VERS_COORDINATOR_PASSWORD"
MIN_PASSWORD_LENGTH = 8
TOKEN_BYTES = 32
DEFAULT_LINK_DAYS = 90
MAX_LINK_DAYS = 730
DEFAULT_BASE_URL = "http://localhost:8501"
TOKEN_PARAM = "jeton"
_TOKEN_FORMAT = re.compile(r"^[A-Za-z0-9_-]{43}$")
_hasher = PasswordHasher()
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Someone acting on the data: the role, a name for the audit log, and the commune if any."""

    role: Role
    name: str
    code_insee: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if (self.role == "commune") != (self.code_insee is not None):
            raise ValueError("a commune actor needs its code_insee, other roles none")

    @property
    def label(self) -> str:
        """How the actor appears in the audit log, e.g. ``commune:18279`` or ``coordinator:cli``."""
        return f"{self.role}:{self.code_insee if self.role == 'commune' else self.name}"[:200]


def as_actor(actor: Actor | str) -> Actor:
    """An :class:`Actor`; a plain string is a coordinator's name (CLI, server-side jobs)."""
    return actor if isinstance(actor, Actor) else Actor("coordinator", str(actor) or "inconnu")


def require_coordinator(actor: Actor, what: str) -> None:
    """Raise :class:`AccessDenied` unless ``actor`` is a coordinator."""
    if actor.role != "coordinator":
        raise AccessDenied(f"accès refusé : seule la coordination peut {what}")


def require_commune_scope(actor: Actor, code_insee: str) -> None:
    """Raise :class:`AccessDenied` if a commune acts on another commune, or a funder on a request."""
    if actor.role == "funder":
        raise AccessDenied("accès refusé : l'accès financeur ne montre que des chiffres agrégés")
    if actor.role == "commune" and actor.code_insee != code_insee:
        raise AccessDenied(
            f"accès refusé : ce lien personnel ne concerne que la commune {actor.code_insee}, "
            "pas les demandes d'une autre commune"
        )


def can_see_contacts(actor: Actor) -> bool:
    """Coordinators and communes (their own requests) see contact data; funders never."""
    return actor.role in ("coordinator", "commune")


# --- passwords -------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted, parameters encoded in the hash)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; never raises on a bad hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def set_password(engine: Engine, role: str, password: str, actor: Actor | str = "cli") -> None:
    """Store (or replace) the password of ``role`` (``coordinator`` or ``funder``), hashed."""
    if role not in PASSWORD_ROLES:
        raise InputError(f"rôle sans mot de passe : « {role} » (coordinator ou funder)")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"mot de passe trop court : {MIN_PASSWORD_LENGTH} caractères au moins")
    username = PASSWORD_ROLES[role]
    with session_scope(engine) as session:
        # One password for both roles would sign every funder in as coordinator (checked first).
        other = session.scalars(select(UserRow.password_hash).where(UserRow.role != role)).first()
        if other is not None and verify_password(other, password):
            raise InputError(
                "mot de passe refusé : il doit différer de celui de l'autre rôle "
                "(coordination et financeurs ont chacun le leur)"
            )
        user = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        now = utcnow()
        if user is None:
            session.add(
                UserRow(
                    username=username,
                    role=role,
                    password_hash=hash_password(password),
                    created_at=now,
                    updated_at=now,
                )
            )
        else:
            user.password_hash = hash_password(password)
            user.updated_at = now
        record(session, as_actor(actor).label, "set_password", "user", username)


def has_password(engine: Engine, role: str) -> bool:
    """True when a password hash is stored for ``role``."""
    username = PASSWORD_ROLES.get(role)
    with session_scope(engine) as session:
        return session.scalars(select(UserRow.id).where(UserRow.username == username)).first() is not None


def ensure_password(engine: Engine, role: str, configured: str | None) -> None:
    """Make the stored hash match ``configured`` (from the environment or secrets), if given.

    The configured password is never stored in clear: only its hash, written on first start and
    replaced when the configured value changes.
    """
    if not configured:
        return
    username = PASSWORD_ROLES[role]
    with session_scope(engine) as session:
        stored = session.scalars(select(UserRow.password_hash).where(UserRow.username == username)).first()
    if stored is None or not verify_password(stored, configured):
        set_password(engine, role, configured, actor=Actor("coordinator", "configuration"))


def check_password(engine: Engine, password: str) -> Role | None:
    """The role whose stored password is ``password`` (coordinator first), else ``None``."""
    if not password:
        return None
    with session_scope(engine) as session:
        users = {u.role: u.password_hash for u in session.scalars(select(UserRow))}
    for role in ("coordinator", "funder"):
        if role in users and verify_password(users[role], password):
            return role  # type: ignore[return-value]
    return None


def _sign_in_audit(session, client: str, action: str, username: str, detail: str) -> None:
    record(session, f"connexion:{client}", action, "user", username, detail)


def sign_in(
    engine: Engine,
    password: str,
    client: str | None,
    *,
    limits: SignInLimits | None = None,
    now: datetime | None = None,
) -> Role | None:
    """Check a password typed in the sign-in form, behind the database throttle.

    Parameters
    ----------
    engine
        The database.
    password
        What was typed.
    client
        The address of the client as the server sees it (``None``: this machine); see
        :func:`planner.store.throttle.client_key`.
    limits
        Attempts allowed per client and for all clients (default :class:`SignInLimits`).
    now
        Time of the attempt (tests).

    Returns
    -------
    str or None
        The role whose password was given, ``None`` for a wrong password.

    Raises
    ------
    AccessDenied
        Too many attempts: from this client (right password or not), or from everywhere while this
        client never signed in before. Every outcome is written to the audit log and logged.
    """
    limits = limits or SignInLimits()
    at = now or utcnow()
    key = client_key(client)
    with session_scope(engine) as session:  # committed before the (slow) check: parallel attempts count
        attempt = reserve(session, key, limits, at)
        if attempt.refused_by and attempt.first_refusal:
            scope = "ce poste" if attempt.refused_by == "client" else "l'ensemble des postes"
            _sign_in_audit(
                session, key, "sign_in_blocked", "", f"trop de tentatives depuis {scope}, {attempt.wait_s} s"
            )
    if attempt.refused_by:
        _log.warning("sign-in refused for client %s: too many attempts (%s)", key, attempt.refused_by)
        if attempt.refused_by == "client":
            raise AccessDenied(
                f"trop de tentatives de connexion depuis ce poste : réessayez dans {attempt.wait_s} secondes"
            )
        raise AccessDenied(
            "trop de tentatives de connexion sur ce tableau de bord : seuls les postes déjà connectés "
            f"récemment sont admis ; réessayez dans {attempt.wait_s} secondes"
        )
    role = check_password(engine, password)
    with session_scope(engine) as session:
        if role is None:
            _sign_in_audit(
                session, key, "sign_in_failed", "", f"mot de passe incorrect, tentative {attempt.number}"
            )
        else:
            succeeded(session, key, at)
            _sign_in_audit(session, key, "sign_in", PASSWORD_ROLES[role], "mot de passe")
    if role is None:
        _log.warning("sign-in failed for client %s (attempt %d)", key, attempt.number)
    else:
        _log.info("sign-in as %s from client %s", role, key)
    return role


def forget_old_sign_in_attempts(engine: Engine, *, now: datetime | None = None) -> int:
    """Erase the sign-in counters of addresses that no longer count (see :func:`forget_stale`)."""
    with session_scope(engine) as session:
        return forget_stale(session, now or utcnow(), SignInLimits())


# --- commune links ---------------------------------------------------------------------------


def new_token() -> str:
    """A fresh random token (256 bits, URL-safe, 43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token (tokens are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def commune_url(token: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """The personal URL of a commune: ``{base_url}/?jeton={token}``.

    The root address is used on purpose: a commune's navigation holds only the Demandes page,
    which Streamlit then serves at ``/`` (``/demandes`` would first show "page not found").
    """
    return f"{base_url.rstrip('/')}/?{TOKEN_PARAM}={token}"


@dataclass(frozen=True)
class CommuneLink:
    """A link just created: the clear token exists only here, never in the database."""

    link_id: int
    code_insee: str
    token: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class LinkInfo:
    """A stored link, without its token."""

    link_id: int
    code_insee: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    def state(self, now: datetime | None = None) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= (now or utcnow()) else "active"


def create_commune_link(
    engine: Engine,
    code_insee: str,
    actor: Actor | str,
    *,
    expires_days: int = DEFAULT_LINK_DAYS,
    base_url: str = DEFAULT_BASE_URL,
    now: datetime | None = None,
) -> CommuneLink:
    """Create a personal link for one commune (coordinators only).

    Parameters
    ----------
    engine
        The database.
    code_insee
        The commune the link opens.
    actor
        Who creates it (must be a coordinator).
    expires_days
        Validity in days (1 … 730).
    base_url
        Address of the dashboard as the commune will reach it.
    now
        Creation time (tests).

    Returns
    -------
    CommuneLink
        With the clear token and URL, to hand over once; only the hash is stored.
    """
    who = as_actor(actor)
    require_coordinator(who, "créer un lien pour une commune")
    check_insee_code(code_insee)
    if not 1 <= expires_days <= MAX_LINK_DAYS:
        raise InputError(f"durée de validité invalide : {expires_days} jours (entre 1 et {MAX_LINK_DAYS})")
    created = now or utcnow()
    expires = created + timedelta(days=expires_days)
    token = new_token()
    with session_scope(engine) as session:
        row = AccessLinkRow(
            code_insee=code_insee,
            token_hash=hash_token(token),
            created_by=who.label,
            created_at=created,
            expires_at=expires,
        )
        session.add(row)
        session.flush()
        link_id = row.id
        record(
            session,
            who.label,
            "create_link",
            "access_link",
            link_id,
            f"commune {code_insee}, {expires_days} jours",
        )
    return CommuneLink(link_id, code_insee, token, commune_url(token, base_url), expires)


def resolve_commune_token(engine: Engine, token: str | None, *, now: datetime | None = None) -> Actor:
    """The commune actor a token grants, or :class:`AccessDenied` saying why not.

    Refused: missing token, malformed or unknown (tampered) token, revoked link, expired link.
    """
    if not token or not token.strip():
        raise AccessDenied(
            "lien incomplet : le jeton d'accès manque dans l'adresse. "
            "Utilisez le lien personnel envoyé par la coordination."
        )
    token = token.strip()
    invalid = AccessDenied(
        "lien invalide : ce jeton d'accès n'est pas reconnu (lien mal copié ou modifié ?). "
        "Demandez un nouveau lien à la coordination."
    )
    if not _TOKEN_FORMAT.match(token):
        raise invalid
    digest = hash_token(token)
    at = now or utcnow()
    with session_scope(engine) as session:
        row = session.scalars(select(AccessLinkRow).where(AccessLinkRow.token_hash == digest)).first()
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            raise invalid
        if row.revoked_at is not None:
            raise AccessDenied(
                f"lien révoqué le {row.revoked_at:%d/%m/%Y} : demandez un nouveau lien à la coordination."
            )
        if row.expires_at <= at:
            raise AccessDenied(
                f"lien expiré depuis le {row.expires_at:%d/%m/%Y} : demandez un nouveau lien à la coordination."
            )
        if row.last_used_at is None or at - row.last_used_at > timedelta(hours=1):
            row.last_used_at = at
        return Actor("commune", f"lien {row.id}", row.code_insee)


def revoke_link(engine: Engine, link_id: int, actor: Actor | str) -> None:
    """Revoke one link (coordinators only); revoking twice keeps the first date."""
    who = as_actor(actor)
    require_coordinator(who, "révoquer un lien")
    with session_scope(engine) as session:
        row = session.get(AccessLinkRow, link_id)
        if row is None:
            raise InputError(f"lien n° {link_id} introuvable")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            record(session, who.label, "revoke_link", "access_link", link_id, f"commune {row.code_insee}")


def revoke_commune_links(engine: Engine, code_insee: str, actor: Actor | str) -> int:
    """Revoke every active link of a commune; return how many were revoked."""
    who = as_actor(actor)
    require_coordinator(who, "révoquer un lien")
    check_insee_code(code_insee)
    now = utcnow()
    with session_scope(engine) as session:
        rows = session.scalars(
            select(AccessLinkRow).where(
                AccessLinkRow.code_insee == code_insee, AccessLinkRow.revoked_at.is_(None)
            )
        ).all()
        for row in rows:
            row.revoked_at = now
            record(session, who.label, "revoke_link", "access_link", row.id, f"commune {code_insee}")
        return len(rows)


def list_links(engine: Engine, code_insee: str | None = None) -> list[LinkInfo]:
    """Stored links, newest first (tokens are not recoverable)."""
    with session_scope(engine) as session:
        query = select(AccessLinkRow).order_by(AccessLinkRow.id.desc())
        if code_insee:
            query = query.where(AccessLinkRow.code_insee == code_insee)
        return [
            LinkInfo(
                r.id, r.code_insee, r.created_by, r.created_at, r.expires_at, r.revoked_at, r.last_used_at
            )
            for r in session.scalars(query)
        ]
