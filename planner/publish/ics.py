"""iCalendar export: one calendar per resource and one per host commune — the only calendar writer.

Times are written in Europe/Paris with a ``VTIMEZONE`` and ``TZID`` (what calendar software
needs to stay right across the daylight-saving change). Each event names the place, the series
and the session number (``séance 2/5``). Its ``UID`` is the session's identity
(:attr:`planner.model.Session.uid`, kept for the session's whole life), its ``SEQUENCE`` grows each
time the session moves, and a session published before and now removed is written with
``STATUS:CANCELLED`` (:mod:`planner.publish.revisions`): importing the new file, or refreshing a
subscribed feed, updates and removes events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from planner.model import DOMICILE, PARCOURS, PERMANENCE, Session
from planner.publish.common import (
    DEFAULT_TOPICS,
    ExportContext,
    resource_label,
    series_label,
    series_size,
    session_title,
    slug,
)
from planner.publish.revisions import Revision, for_host, for_resource, identity

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//Aller-vers//Planification de la médiation numérique itinérante//FR"
UID_DOMAIN = "aller-vers"
#: How often a subscribed calendar should be refreshed (RFC 7986 REFRESH-INTERVAL).
REFRESH_INTERVAL = timedelta(hours=6)


def event_uid(ctx: ExportContext, s: Session) -> str:
    """The UID of a session's event: its lifelong identity at the ``aller-vers`` domain."""
    return f"{identity(ctx.plan, s)}@{UID_DOMAIN}"


def session_event(
    ctx: ExportContext, rev: Revision, *, with_contact: bool = True, stamp: datetime | None = None
) -> icalendar.Event:
    """One session as a VEVENT (times in Europe/Paris), cancelled when ``rev`` says so."""
    s = rev.session
    k = series_size(ctx.plan).get(s.series, 1)
    label = series_label(ctx.plan, s.series, ctx.name)
    ev = icalendar.Event()
    ev.add("uid", f"{rev.uid}@{UID_DOMAIN}")
    ev.add("sequence", rev.sequence)
    ev.add("dtstamp", stamp or datetime.now(UTC).replace(microsecond=0))
    ev.add("dtstart", datetime.combine(s.date, s.start, tzinfo=PARIS))
    ev.add("dtend", datetime.combine(s.date, s.end, tzinfo=PARIS))
    summary = session_title(ctx.plan, s, ctx.name)
    # a home visit: the commune only, the address stays with the mairie or the CCAS
    ev.add("location", f"À domicile, {ctx.name(s.host)}" if s.service == DOMICILE else ctx.place(s.host))
    if rev.cancelled:
        ev.add("summary", f"Annulé – {summary}")
        ev.add("status", "CANCELLED")
        ev.add("description", "Cette séance est annulée ou déplacée : consultez le calendrier à jour.")
        return ev
    ev.add("summary", summary)
    lines = [
        f"{label}, séance {s.index} sur {k}." if s.service == PARCOURS else f"{label}.",
        f"Moyen itinérant : {resource_label(ctx.plan, s.resource)}.",
    ]
    if s.service == PERMANENCE:
        lines.append("Sans inscription : venez avec vos questions et vos démarches, une aide individuelle.")
    elif s.service == DOMICILE:
        lines.append("Visite chez une personne qui ne peut pas se déplacer (adresse connue de la mairie).")
    if s.service == PARCOURS and k == len(DEFAULT_TOPICS) and 1 <= s.index <= k:
        lines.append(f"Thème proposé : {DEFAULT_TOPICS[s.index - 1]}.")
    host = ctx.host(s.host)
    if host.registration:
        lines.append(f"Inscriptions : {host.registration}")
    if with_contact and host.contact_line:
        lines.append(f"Contact : {host.contact_line}")
    lines.append("Gratuit." if s.service != PARCOURS else "Ateliers gratuits.")
    ev.add("description", "\n".join(lines))
    ev.add("categories", ["Médiation numérique", label])
    if s.locked:
        ev.add("status", "CONFIRMED")
    ev.add("x-aller-vers-series", s.series)
    ev.add("x-aller-vers-session", str(s.index))
    if ctx.territory is not None:
        try:
            c = ctx.territory.commune(s.host)
            ev.add("geo", (c.lat, c.lon))
        except KeyError:
            pass
    return ev


def _calendar(title: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", title)
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", "Europe/Paris")
    cal.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH_INTERVAL)
    return cal


def empty_calendar(title: str) -> icalendar.Calendar:
    """A calendar with no event yet (a feed subscribed before anything is published)."""
    return _calendar(title)


def build_calendar(
    ctx: ExportContext, revisions: Sequence[Revision], title: str, *, with_contact: bool = True
) -> icalendar.Calendar:
    """A calendar of ``revisions`` named ``title``, with the Europe/Paris VTIMEZONE."""
    cal = _calendar(title)
    stamp = datetime.now(UTC).replace(microsecond=0)
    ordered = sorted(revisions, key=lambda r: (r.session.date, r.session.start, r.cancelled, r.uid))
    for rev in ordered:
        cal.add_component(session_event(ctx, rev, with_contact=with_contact, stamp=stamp))
    first = min((r.session.date for r in ordered), default=ctx.plan.season.start)
    last = max((r.session.date for r in ordered), default=ctx.plan.season.end)
    cal.add_missing_timezones(
        first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1) + timedelta(days=1)
    )
    return cal


def host_calendar(ctx: ExportContext, code_insee: str, *, with_contact: bool = True) -> icalendar.Calendar:
    """The calendar of one host commune (its sessions, and those it lost, cancelled)."""
    return build_calendar(
        ctx,
        for_host(ctx.revisions, code_insee),
        f"Ateliers numériques – {ctx.name(code_insee)}",
        with_contact=with_contact,
    )


def resource_calendar(ctx: ExportContext, resource_id: str) -> icalendar.Calendar:
    """The calendar of one resource (its sessions, and those it handed over, cancelled)."""
    return build_calendar(
        ctx, for_resource(ctx.revisions, resource_id), f"Aller-vers – {resource_label(ctx.plan, resource_id)}"
    )


def calendar_hosts(ctx: ExportContext) -> list[str]:
    """Every commune with an event to publish (sessions now, or sessions published before)."""
    codes = {r.session.host for r in ctx.revisions}
    codes |= {r.previous.host for r in ctx.revisions if r.previous is not None}
    return sorted(codes)


def write_ics(ctx: ExportContext, out_dir: str | Path) -> list[Path]:
    """Write ``calendrier_moyen_<id>.ics`` per resource and ``calendrier_<commune>_<code>.ics`` per host."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for r in ctx.plan.resources:
        path = out / f"calendrier_moyen_{slug(r.id)}.ics"
        path.write_bytes(resource_calendar(ctx, r.id).to_ical())
        paths.append(path)
    for host in calendar_hosts(ctx):
        path = out / f"calendrier_{slug(ctx.name(host))}_{host}.ics"
        path.write_bytes(host_calendar(ctx, host).to_ical())
        paths.append(path)
    return paths
