"""GeoJSON export: host communes, catchments, daily routes and fixed sites (WGS84, lon/lat).

One file, four layers told apart by the ``kind`` property (and ``couche``, its French name,
for a QGIS legend); QGIS and GDAL also split the file by geometry type. Each layer has its own
properties, documented in :data:`PROPERTIES` and written in the file itself (the foreign member
``proprietes`` of the FeatureCollection), so the file explains itself to whoever receives it:

- ``host`` — « Arrêt » (Point at the town hall of a host commune): sessions, participants, dates;
- ``catchment`` — « Rayon » (LineString from a participant's home commune to the host): people;
- ``route`` — « Tournée » (LineString base → hosts → base for one resource-day: km, minutes);
  a day that never leaves the base commune is a Point there, not a zero-length line;
- ``fixed_site`` — « Lieu fixe » (Point).

Contact data is never written.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from planner.errors import InputError
from planner.model import SERVICE_LABELS_FR, Territory
from planner.publish.common import ExportContext, resource_label, series_label, slug


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


def _line(coords: list[tuple[float, float]]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[round(x, 6), round(y, 6)] for x, y in coords]}


LAYERS = {"host": "Arrêt", "catchment": "Rayon", "route": "Tournée", "fixed_site": "Lieu fixe"}

#: Properties of each layer, in French (written in the file as ``proprietes``).
PROPERTIES: dict[str, dict[str, str]] = {
    "commun": {
        "kind": "couche, en anglais : host, catchment, route, fixed_site",
        "couche": "couche, en français : Arrêt, Rayon, Tournée, Lieu fixe",
    },
    "host": {
        "code_insee": "code INSEE de la commune d'accueil",
        "name": "nom de la commune",
        "venue": "lieu des ateliers (salle), s'il est connu",
        "sessions": "nombre de séances dans la commune",
        "participants": "participants attendus (somme des parcours)",
        "dates": "début de chaque séance, AAAA-MM-JJTHH:MM (heure de Paris)",
        "services": "prestations tenues dans la commune : parcours, permanence, visites à domicile",
    },
    "catchment": {
        "series": "identifiant du parcours",
        "series_name": "nom du parcours",
        "service": "prestation : parcours, permanence ou visites à domicile",
        "host": "code INSEE de la commune d'accueil",
        "origin": "code INSEE de la commune d'origine des participants",
        "origin_name": "nom de la commune d'origine",
        "people": "nombre de personnes venant de cette commune",
    },
    "route": {
        "resource": "identifiant du moyen itinérant",
        "resource_name": "nom du moyen itinérant",
        "date": "jour de la tournée, AAAA-MM-JJ",
        "stops": "codes INSEE des étapes, base comprise",
        "km": "kilomètres de la journée",
        "drive_minutes": "minutes de route de la journée",
    },
    "fixed_site": {
        "id": "identifiant du lieu",
        "name": "nom du lieu",
        "site_kind": "type de lieu (EPN, France services, médiathèque…)",
        "code_insee": "code INSEE de la commune du lieu",
    },
}


def _feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": {**props, "couche": LAYERS[props["kind"]]}}


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
                services=sorted({SERVICE_LABELS_FR[s.service] for s in sessions}),
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
                    service=SERVICE_LABELS_FR[ser.service],
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
        places = [at(c) for i, c in enumerate(stops) if i == 0 or c != stops[i - 1]]
        features.append(
            _feature(
                _line(places) if len(set(places)) > 1 else _point(*places[0]),
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
        "proprietes": PROPERTIES,
        "features": features,
    }


def write_geojson(ctx: ExportContext, out_dir: str | Path) -> list[Path]:
    """Write ``plan_<kind>.geojson`` in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"plan_{slug(ctx.plan.kind)}.geojson"
    path.write_text(json.dumps(plan_geojson(ctx), ensure_ascii=False, indent=1), encoding="utf-8")
    return [path]
