"""The calendar feeds over HTTP: ``GET /calendrier/{token}.ics``, read-only, no sign-in.

A subscribed calendar (Thunderbird, Outlook, Google Agenda, an iPhone…) fetches this address
every few hours and updates itself. The token says which calendar: a host commune's (derived from
its personal link, see :func:`planner.store.publications.commune_feed_token`) or a resource's (a
feed link the coordination gives its team). The feed shows the last *published* plan
(:func:`planner.store.publications.published_plans`), with each session's revision and the
sessions cancelled since earlier publications, written by the one calendar writer
(:mod:`planner.publish.ics`).

:func:`feed_routes` gives Starlette routes; ``serve.py`` mounts them beside the dashboard with
Streamlit's ``st.App(..., routes=...)``, so the feeds are served by the same server and port.
A commune's feed carries no contact data (a calendar is easily shared); a resource's feed, for
the team on the road, carries the host's contact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache

from sqlalchemy import Engine

from planner.errors import AccessDenied, PlannerError
from planner.model import Territory

log = logging.getLogger(__name__)

FEED_ROUTE = "/calendrier/{token}.ics"
CALENDAR_MIME = "text/calendar; charset=utf-8"


@lru_cache(maxsize=8)
def _territory(spec: str) -> Territory | None:
    from planner.territory.specs import load_territory

    try:
        return load_territory(spec)
    except (PlannerError, OSError):
        return None  # names fall back to INSEE codes; the dates are what matters


def _commune_name(code: str) -> str:
    from planner.territory.region import region_communes

    commune = region_communes().get(code)
    return commune.name if commune else code


def feed_bytes(engine: Engine, token: str) -> tuple[bytes, str]:
    """The iCalendar text of the feed ``token`` opens, and a file name for it.

    Raises
    ------
    AccessDenied
        Unknown or revoked token, or a commune link that expired or was revoked.
    """
    from planner.publish import make_context
    from planner.publish.common import hosts_from_requests, slug
    from planner.publish.ics import empty_calendar, host_calendar, resource_calendar
    from planner.store.publications import published_plans, resolve_feed
    from planner.store.repo import list_requests

    feed = resolve_feed(engine, token)
    published = published_plans(engine)
    if feed.scope == "commune":
        title = f"Ateliers numériques – {_commune_name(feed.target)}"
        name = f"calendrier_{slug(_commune_name(feed.target))}_{feed.target}.ics"
    else:
        title, name = "Aller-vers – calendrier de la tournée", f"calendrier_moyen_{slug(feed.target)}.ics"
    if published is None:
        return empty_calendar(title).to_ical(), name
    plan, previous = published
    records = list_requests(
        engine,
        code_insee=feed.target if feed.scope == "commune" else None,
        include_contact=feed.scope == "resource",
    )
    ctx = make_context(
        plan,
        territory=_territory(plan.territory_spec),
        hosts=hosts_from_requests(r for r in records if r.status in ("accepted", "scheduled")),
        previous=previous,
    )
    if feed.scope == "commune":
        cal = host_calendar(ctx, feed.target, with_contact=False)
    else:
        cal = resource_calendar(ctx, feed.target)
    return cal.to_ical(), name


def feed_routes(engine_factory: Callable[[], Engine] | None = None) -> list:
    """Starlette routes serving the feeds (``GET`` and ``HEAD``).

    Parameters
    ----------
    engine_factory
        Returns the database engine; defaults to :func:`planner.store.db.open_store` (the app's
        database: ``DATABASE_URL`` or the SQLite file).
    """
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    if engine_factory is None:
        from planner.store.db import open_store

        engine_factory = open_store

    def feed(request) -> Response:
        # A sync endpoint: Starlette runs it in a worker thread, the database calls block there.
        try:
            body, name = feed_bytes(engine_factory(), request.path_params["token"])
        except AccessDenied as exc:
            return PlainTextResponse(f"Accès refusé : {exc}", status_code=403)
        except Exception:
            log.exception("calendar feed failed")
            return PlainTextResponse(
                "Calendrier momentanément indisponible : réessayez plus tard.", status_code=503
            )
        return Response(
            body,
            media_type=CALENDAR_MIME,
            headers={
                "Content-Disposition": f'inline; filename="{name}"',
                "Cache-Control": "private, max-age=300",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return [Route(FEED_ROUTE, feed, methods=["GET", "HEAD"])]
