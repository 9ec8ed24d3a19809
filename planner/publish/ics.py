"""iCalendar export: one calendar per resource and one per host commune.

Times are written in Europe/Paris with a ``VTIMEZONE`` and ``TZID`` (what calendar software
needs to stay right across the daylight-saving change). Each event names the place, the series
and the session number (``séance 2/5``); its UID is stable across exports of the same plan
(``<series>-<index>.<territory>@aller-vers``), so re-importing updates instead of duplicating.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from planner.model import Session
from planner.publish.common import (
    DEFAULT_TOPICS,
    ExportContext,
    ordered_sessions,
    resource_label,
    series_label,
    series_size,
    slug,
)

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//Aller-vers//Planification de la médiation numérique itinérante//FR"


def event_uid(ctx: ExportContext, s: Session) -> str:
    """Stable UID of a session's event."""
    return f"{slug(s.series)}-{s.index}.{slug(ctx.plan.territory_spec or 'plan')}@aller-vers"


def session_event(ctx: ExportContext, s: Session, *, with_contact: bool = True) -> icalendar.Event:
    """One session as a VEVENT (times in Europe/Paris)."""
    k = series_size(ctx.plan).get(s.series, 1)
    label = series_label(ctx.plan, s.series, ctx.name)
    ev = icalendar.Event()
    ev.add("uid", event_uid(ctx, s))
    ev.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
    ev.add("dtstart", datetime.combine(s.date, s.start, tzinfo=PARIS))
    ev.add("dtend", datetime.combine(s.date, s.end, tzinfo=PARIS))
    ev.add("summary", f"Atelier numérique – {ctx.name(s.host)} (séance {s.index}/{k})")
    ev.add("location", ctx.place(s.host))
    lines = [
        f"{label}, séance {s.index} sur {k}.",
        f"Moyen itinérant : {resource_label(ctx.plan, s.resource)}.",
    ]
    if k == len(DEFAULT_TOPICS) and 1 <= s.index <= k:
        lines.append(f"Thème proposé : {DEFAULT_TOPICS[s.index - 1]}.")
    host = ctx.host(s.host)
    if host.registration:
        lines.append(f"Inscriptions : {host.registration}")
    if with_contact and host.contact_line:
        lines.append(f"Contact : {host.contact_line}")
    lines.append("Ateliers gratuits.")
    ev.add("description", "\n".join(lines))
    ev.add("categories", ["Médiation numérique", label])
    ev.add("x-aller-vers-series", s.series)
    ev.add("x-aller-vers-session", str(s.index))
    if s.locked:
        ev.add("status", "CONFIRMED")
    if ctx.territory is not None:
        try:
            c = ctx.territory.commune(s.host)
            ev.add("geo", (c.lat, c.lon))
        except KeyError:
            pass
    return ev


def build_calendar(ctx: ExportContext, sessions: Sequence[Session], title: str) -> icalendar.Calendar:
    """A calendar of ``sessions`` named ``title``, with the Europe/Paris VTIMEZONE."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", "Europe/Paris")
    for s in ordered_sessions(sessions):
        cal.add_component(session_event(ctx, s))
    first = min((s.date for s in sessions), default=ctx.plan.season.start)
    last = max((s.date for s in sessions), default=ctx.plan.season.end)
    cal.add_missing_timezones(
        first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1) + timedelta(days=1)
    )
    return cal


def write_ics(ctx: ExportContext, out_dir: str | Path) -> list[Path]:
    """Write ``calendrier_moyen_<id>.ics`` per resource and ``calendrier_<commune>_<code>.ics`` per host."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan = ctx.plan
    paths: list[Path] = []
    for r in plan.resources:
        sessions = [s for s in plan.sessions if s.resource == r.id]
        cal = build_calendar(ctx, sessions, f"Aller-vers – {r.label or r.id}")
        path = out / f"calendrier_moyen_{slug(r.id)}.ics"
        path.write_bytes(cal.to_ical())
        paths.append(path)
    for host in sorted({s.host for s in plan.sessions}):
        sessions = [s for s in plan.sessions if s.host == host]
        cal = build_calendar(ctx, sessions, f"Ateliers numériques – {ctx.name(host)}")
        path = out / f"calendrier_{slug(ctx.name(host))}_{host}.ics"
        path.write_bytes(cal.to_ical())
        paths.append(path)
    return paths
