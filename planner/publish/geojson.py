"""GeoJSON export: host communes, catchments, daily routes and fixed sites (WGS84, lon/lat).

Every feature has a ``kind`` property: ``host`` (Point at the town hall of a host commune, with
its sessions and participants), ``catchment`` (LineString from a participant's home commune to
the host, with the number of people), ``route`` (LineString base → hosts → base for one
resource-day, with km and minutes) and ``fixed_site`` (Point). Contact data is never written.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from planner.errors import InputError
from planner.model import Territory
from planner.publish.common import ExportContext, resource_label, series_label, slug


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


def _line(coords: list[tuple[float, float]]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[round(x, 6), round(y, 6)] for x, y in coords]}


def _feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def plan_geojson(ctx: ExportContext) -> dict[str, Any]:
    """The plan as a GeoJSON FeatureCollection (needs the territory for coordinates)."""
    t: Territory | None = ctx.territory
    if t is None:
        raise InputError("l'export GeoJSON a besoin du territoire du plan (coordonnées des communes)")
    coords = {c.code_insee: (c.lon, c.lat) for c in t.communes}

    def at(code: str) -> tuple[float, float]:
        if code not in coords:
            raise InputError(f"commune {code} du plan absente du territoire « {t.spec} »")
        return coords[code]

    plan = ctx.plan
    features: list[dict[str, Any]] = []
    by_host: dict[str, list] = defaultdict(list)
    for s in sorted(plan.sessions, key=lambda s: (s.date, s.start)):
        by_host[s.host].append(s)
    participants: dict[str, int] = defaultdict(int)
    for ser in plan.series:
        participants[ser.host] += ser.participants
    for host, sessions in sorted(by_host.items()):
        features.append(
            _feature(
                _point(*at(host)),
                kind="host",
                code_insee=host,
                name=ctx.name(host),
                venue=ctx.host(host).venue,
                sessions=len(sessions),
                participants=participants.get(host, 0),
                dates=[f"{s.date.isoformat()}T{s.start:%H:%M}" for s in sessions],
            )
        )
    for ser in plan.series:
        label = series_label(plan, ser.id, ctx.name)
        for origin, people in sorted(ser.from_communes.items()):
            features.append(
                _feature(
                    _line([at(origin), at(ser.host)]),
                    kind="catchment",
                    series=ser.id,
                    series_name=label,
                    host=ser.host,
                    origin=origin,
                    origin_name=ctx.name(origin),
                    people=int(people),
                )
            )
    bases = {r.id: r.base for r in plan.resources}
    for r in sorted(plan.routes, key=lambda r: (r.resource, r.date)):
        stops = list(r.stops)
        base = bases.get(r.resource)
        if base and (not stops or stops[0] != base):
            stops = [base, *stops]
        if base and stops[-1] != base:
            stops = [*stops, base]
        features.append(
            _feature(
                _line([at(c) for c in stops]),
                kind="route",
                resource=r.resource,
                resource_name=resource_label(plan, r.resource),
                date=r.date.isoformat(),
                stops=stops,
                km=round(r.km, 2),
                drive_minutes=round(r.drive_minutes, 1),
            )
        )
    for site in t.fixed_sites:
        features.append(
            _feature(
                _point(site.lon, site.lat),
                kind="fixed_site",
                id=site.id,
                name=site.name,
                site_kind=site.kind,
                code_insee=site.code_insee,
            )
        )
    return {
        "type": "FeatureCollection",
        "name": f"Aller-vers – {t.name} – plan {plan.kind}",
        "features": features,
    }


def write_geojson(ctx: ExportContext, out_dir: str | Path) -> list[Path]:
    """Write ``plan_<kind>.geojson`` in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"plan_{slug(ctx.plan.kind)}.geojson"
    path.write_text(json.dumps(plan_geojson(ctx), ensure_ascii=False, indent=1), encoding="utf-8")
    return [path]
