"""Publishing the tour: which plan version the calendar feeds serve, and the resources' feed links.

A coordinator *publishes* a saved plan version (:func:`publish_plan_version`): from then on the
subscribed calendars — one per host commune, reached with the commune's personal link, and one per
resource, reached with a feed link the coordination hands to its team — show that plan. The
earlier publications are kept: they tell the calendars which sessions moved and which were
cancelled (:func:`published_plans`). Tentative plans computed in between are never shown to
anyone until published.

A feed's address is ``{base}/calendrier/{feed token}.ics`` (served by
:mod:`planner.hosting.feed_server`). A commune's feed token is derived from its personal link (one
way: the calendar address never reveals the link) and dies with it; a resource's is random.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from planner.errors import AccessDenied, InputError
from planner.model import Plan
from planner.store.access import (
    DEFAULT_BASE_URL,
    Actor,
    as_actor,
    hash_token,
    new_token,
    require_coordinator,
    resolve_commune_token,
)
from planner.store.audit import record
from planner.store.db import session_scope
from planner.store.models import AccessLinkRow, CalendarFeedRow, PlanVersionRow, PublicationRow, utcnow
from planner.store.workspace import load_version

FEED_PATH = "/calendrier/{token}.ics"


def feed_url(token: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """The address of the calendar feed whose token is ``token``."""
    return base_url.rstrip("/") + FEED_PATH.format(token=token)


def webcal(url: str) -> str:
    """The ``webcal://`` form of a feed URL: calendar software offers to subscribe to it."""
    return "webcal://" + url.split("://", 1)[-1]


# --- publications ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationInfo:
    """A publication: which plan version, by whom and when."""

    id: int
    plan_version_id: int
    label: str
    published_by: str
    published_at: datetime
    n_sessions: int


def publish_plan_version(engine: Engine, version_id: int, actor: Actor | str) -> int:
    """Publish a saved plan version to the calendar feeds (coordinators only); return its id."""
    who = as_actor(actor)
    require_coordinator(who, "publier la tournée")
    with session_scope(engine) as session:
        version = session.get(PlanVersionRow, version_id)
        if version is None:
            raise InputError(f"version de plan n° {version_id} introuvable")
        if version.kind == "baseline":
            raise InputError("un plan de saupoudrage sert à la comparaison : il ne se publie pas")
        row = PublicationRow(plan_version_id=version_id, published_by=who.label, published_at=utcnow())
        session.add(row)
        session.flush()
        record(session, who.label, "publish", "plan_version", version_id, version.label)
        return row.id


def list_publications(engine: Engine) -> list[PublicationInfo]:
    """Every publication, newest first."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                PublicationRow.id,
                PublicationRow.plan_version_id,
                PlanVersionRow.label,
                PublicationRow.published_by,
                PublicationRow.published_at,
                PlanVersionRow.n_sessions,
            )
            .join(PlanVersionRow, PlanVersionRow.id == PublicationRow.plan_version_id)
            .order_by(PublicationRow.id.desc())
        ).all()
    return [PublicationInfo(*r) for r in rows]


def published_plans(engine: Engine) -> tuple[Plan, tuple[Plan, ...]] | None:
    """The plan the feeds serve and the plans published before it (oldest first); ``None`` if none."""
    publications = list_publications(engine)
    if not publications:
        return None
    plans = [load_version(engine, p.plan_version_id) for p in reversed(publications)]
    return plans[-1], tuple(plans[:-1])


# --- feed links --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """What a feed token opens: the calendar of a commune (``scope="commune"``) or a resource."""

    scope: str
    target: str


@dataclass(frozen=True)
class FeedLinkInfo:
    """A stored feed link, without its token."""

    link_id: int
    scope: str
    target: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


def _feed_token_of_link(link_token: str) -> str:
    # One-way: a calendar URL that leaks (shared calendars are often public) reveals the dates,
    # never the commune's personal link, which opens its requests and contacts.
    digest = hashlib.sha256(f"aller-vers-calendrier|{link_token}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def commune_feed_token(engine: Engine, link_token: str) -> str:
    """The calendar feed token of the commune whose personal link has ``link_token``.

    The feed token is derived from the link token (the same URL every time) and lives as long
    as the link: a revoked or expired link closes its calendar feed too. The first call records
    the feed; later calls return the same token.

    Raises
    ------
    AccessDenied
        When ``link_token`` is not a valid, active commune link.
    """
    actor = resolve_commune_token(engine, link_token)
    feed_token = _feed_token_of_link(link_token.strip())
    digest = hash_token(feed_token)
    with session_scope(engine) as session:
        exists = session.scalars(
            select(CalendarFeedRow.id).where(CalendarFeedRow.token_hash == digest)
        ).first()
        if exists is None:
            link = session.scalars(
                select(AccessLinkRow).where(AccessLinkRow.token_hash == hash_token(link_token.strip()))
            ).one()
            session.add(
                CalendarFeedRow(
                    scope="commune",
                    target=actor.code_insee,
                    access_link_id=link.id,
                    token_hash=digest,
                    created_by=actor.label,
                    created_at=utcnow(),
                )
            )
    return feed_token


def create_resource_feed(
    engine: Engine, resource_id: str, actor: Actor | str, *, base_url: str = DEFAULT_BASE_URL
) -> tuple[str, str]:
    """Create a calendar feed link for a resource's team (coordinators only): ``(token, url)``.

    The clear token is returned once; only its hash is stored.
    """
    who = as_actor(actor)
    require_coordinator(who, "créer un lien d'abonnement")
    resource_id = (resource_id or "").strip()
    if not resource_id or len(resource_id) > 100:
        raise InputError("indiquez le moyen itinérant du calendrier")
    token = new_token()
    with session_scope(engine) as session:
        row = CalendarFeedRow(
            scope="resource",
            target=resource_id,
            token_hash=hash_token(token),
            created_by=who.label,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        record(session, who.label, "create_feed", "calendar_feed", row.id, f"moyen {resource_id}")
    return token, feed_url(token, base_url)


def resolve_feed(engine: Engine, token: str | None, *, now: datetime | None = None) -> Feed:
    """The calendar a feed token opens, or :class:`AccessDenied` saying why not.

    A commune's feed follows its personal link: revoked or expired link, closed feed.
    """
    refused = AccessDenied(
        "lien d'abonnement invalide ou révoqué : demandez un nouveau lien à la coordination."
    )
    if not token or len(token) > 100:
        raise refused
    at = now or utcnow()
    with session_scope(engine) as session:
        row = session.scalars(
            select(CalendarFeedRow).where(CalendarFeedRow.token_hash == hash_token(token))
        ).first()
        if row is None or row.revoked_at is not None:
            raise refused
        if row.access_link_id is not None:
            link = session.get(AccessLinkRow, row.access_link_id)
            if link is None or link.revoked_at is not None or link.expires_at <= at:
                raise AccessDenied(
                    "le lien personnel de la commune a expiré ou a été révoqué : son calendrier aussi. "
                    "Demandez un nouveau lien à la coordination."
                )
        return Feed(row.scope, row.target)


def revoke_feed(engine: Engine, link_id: int, actor: Actor | str) -> None:
    """Revoke a feed link (coordinators only); revoking twice keeps the first date."""
    who = as_actor(actor)
    require_coordinator(who, "révoquer un lien d'abonnement")
    with session_scope(engine) as session:
        row = session.get(CalendarFeedRow, link_id)
        if row is None:
            raise InputError(f"lien d'abonnement n° {link_id} introuvable")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            record(session, who.label, "revoke_feed", "calendar_feed", link_id, f"{row.scope} {row.target}")


def list_feeds(engine: Engine) -> list[FeedLinkInfo]:
    """Stored feed links, newest first (tokens are not recoverable)."""
    with session_scope(engine) as session:
        return [
            FeedLinkInfo(r.id, r.scope, r.target, r.created_by, r.created_at, r.revoked_at)
            for r in session.scalars(select(CalendarFeedRow).order_by(CalendarFeedRow.id.desc()))
        ]
