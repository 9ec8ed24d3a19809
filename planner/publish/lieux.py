"""The itinerant stops in the national standard of mediation places (CSV, schema v1.0.2).

The Cartographie nationale des lieux d'inclusion numérique and data.inclusion read places in the
« schéma de données des lieux de médiation numérique » (:mod:`planner.lieux_standard`). A stop of
the bus is a place too: one row per host commune of the plan, with

- ``itinerance`` = ``Itinérant`` and ``horaires`` = the stop's dates and times in OpenStreetMap
  ``opening_hours`` syntax (``2027 Jan 05 09:00-12:00; 2027 Jan 12 09:00-12:00``);
- ``structure_parente`` and ``source`` = the structure running the bus, ``pivot`` = its SIRET
  (or RNA): the schema requires it, so the export refuses to run without it;
- ``services`` from the workshop themes, ``modalites_accompagnement`` = ``Dans un atelier
  collectif`` (and ``Accompagnement individuel`` for a team of mediators), ``frais_a_charge`` =
  ``Gratuit``, ``modalites_acces`` = ``Se présenter|Téléphoner``;
- the address of the venue the commune gave in its request (else ``Mairie``: the workshops are
  then at the town hall), the commune's postcode and the town hall's coordinates.

Every row is checked against the shipped schema before the file is written: the export never
writes a file the national platforms would refuse.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from planner import DATA_DIR
from planner.errors import InputError
from planner.french import french_date
from planner.lieux_standard import (
    ITINERANT,
    LIST_SEPARATOR,
    field_names,
    french_phone_e164,
    opening_hours,
    row_errors,
)
from planner.model import DOMICILE, PARCOURS, PERMANENCE, Session
from planner.publish.common import ExportContext, neutralise, ordered_sessions, resource_label, slug

FILE_NAME = "lieux_mediation_itinerants.csv"
#: Services of the standard covered by the five workshops (after the EPN of Graçay's modules).
SERVICES = (
    "Maîtrise des outils numériques du quotidien",
    "Aide aux démarches administratives",
    "Utilisation sécurisée du numérique",
    "Accès internet et matériel informatique",
)
PRESENTATION_MAX = 280


@lru_cache(maxsize=1)
def postcodes() -> dict[str, str]:
    """``code_insee -> code postal`` (main postcode) of the Centre-Val de Loire communes."""
    frame = pd.read_csv(DATA_DIR / "codes_postaux_cvl.csv", dtype=str, keep_default_na=False)
    main = frame[frame["principal"] == "1"]
    return dict(zip(main["code_insee"], main["code_postal"], strict=True))


def _summary(ctx: ExportContext, host: str, sessions: list[Session], means: str) -> str:
    first, last = sessions[0].date, sessions[-1].date
    n = len(sessions)
    if all(s.service == PERMANENCE for s in sessions):
        text = (
            f"{means} : {n} permanence{'s' if n > 1 else ''} numérique{'s' if n > 1 else ''} "
            f"gratuite{'s' if n > 1 else ''} à {ctx.name(host)}, du {french_date(first, weekday=False)} au "
            f"{french_date(last, weekday=False)} : une aide individuelle, sans inscription, pour les démarches "
            "en ligne, le courriel, le smartphone."
        )
        return text if len(text) <= PRESENTATION_MAX else text[: PRESENTATION_MAX - 1] + "…"
    text = (
        f"{means} : {n} atelier{'s' if n > 1 else ''} numérique{'s' if n > 1 else ''} gratuit{'s' if n > 1 else ''} "
        f"à {ctx.name(host)}, du {french_date(first, weekday=False)} au {french_date(last, weekday=False)}, "
        "pour apprendre pas à pas : ordinateur, tablette, courriel, démarches en ligne."
    )
    return text if len(text) <= PRESENTATION_MAX else text[: PRESENTATION_MAX - 1] + "…"


def _detail(ctx: ExportContext, host: str, sessions: list[Session]) -> str:
    dates = "; ".join(f"{french_date(s.date)} de {s.start:%H:%M} à {s.end:%H:%M}" for s in sessions)
    registration = ctx.host(host).registration or f"auprès de la mairie de {ctx.name(host)}"
    return f"Lieu itinérant (bus ou équipe de médiateurs). Séances : {dates}. Inscription {registration}."


def lieux_rows(ctx: ExportContext, updated: date | None = None) -> list[dict[str, str]]:
    """One row per host commune of the plan, in the schema's columns (every value a string).

    Raises
    ------
    InputError
        Without the publisher's SIRET (the schema's required ``pivot``), without the territory
        (names and coordinates), or for a commune whose postcode is unknown.
    """
    publisher = ctx.publisher
    if not publisher.siret:
        raise InputError(
            "le schéma national des lieux de médiation exige le SIRET (ou le numéro RNA) de la "
            "structure qui porte le moyen itinérant : indiquez-le (option --siret)"
        )
    if ctx.territory is None:
        raise InputError(
            "l'export des lieux a besoin du territoire du plan (noms et coordonnées des communes)"
        )
    by_host: dict[str, list[Session]] = defaultdict(list)
    for s in ordered_sessions(ctx.plan.sessions):
        if s.service != DOMICILE:  # a home visit is no place anyone can go to
            by_host[s.host].append(s)
    kinds = {r.id: r.kind for r in ctx.plan.resources}
    rows = []
    for host, sessions in sorted(by_host.items()):
        try:
            commune = ctx.territory.commune(host)
        except KeyError:
            raise InputError(
                f"commune {host} du plan absente du territoire « {ctx.territory.spec} »"
            ) from None
        postcode = postcodes().get(host)
        if postcode is None:
            raise InputError(f"code postal inconnu pour {commune.name} ({host}) : commune hors de la région")
        details = ctx.host(host)
        resources = sorted({s.resource for s in sessions})
        means = " et ".join(resource_label(ctx.plan, r) for r in resources)
        accompaniment = ["Dans un atelier collectif"] if any(s.service == PARCOURS for s in sessions) else []
        if any(kinds.get(r) == "team" for r in resources) or any(s.service == PERMANENCE for s in sessions):
            accompaniment.append("Accompagnement individuel")
        row = {name: "" for name in field_names()}
        row.update(
            id=f"aller-vers-{slug(ctx.plan.territory_spec)}-{host}",
            pivot=publisher.siret,
            nom=f"{means} – arrêt de {commune.name}",
            commune=commune.name,
            code_postal=postcode,
            code_insee=host,
            adresse=neutralise(details.address) or "Mairie",
            complement_adresse=neutralise(details.venue) if details.address else "",
            latitude=f"{commune.lat:.6f}",
            longitude=f"{commune.lon:.6f}",
            telephone=french_phone_e164(publisher.phone),
            courriels=publisher.email,
            site_web=publisher.website,
            horaires=opening_hours((s.date, s.start, s.end) for s in sessions),
            presentation_resume=_summary(ctx, host, sessions, means),
            presentation_detail=_detail(ctx, host, sessions),
            source=publisher.name or "Aller-vers",
            itinerance=ITINERANT,
            structure_parente=publisher.name,
            date_maj=(updated or date.today()).isoformat(),
            services=LIST_SEPARATOR.join(SERVICES),
            frais_a_charge="Gratuit",
            modalites_acces="Se présenter|Téléphoner",
            modalites_accompagnement=LIST_SEPARATOR.join(accompaniment),
        )
        rows.append(row)
    errors = row_errors(rows)
    if errors:
        i, name, message = errors[0]
        raise InputError(message, file=FILE_NAME, row=i + 2, column=name)
    return rows


def lieux_csv(ctx: ExportContext, updated: date | None = None) -> bytes:
    """The stops as the standard's CSV: UTF-8, comma-separated, the schema's columns in order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=field_names(), lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(lieux_rows(ctx, updated))
    return buffer.getvalue().encode("utf-8")


def write_lieux(ctx: ExportContext, out_dir: str | Path) -> list[Path]:
    """Write ``lieux_mediation_itinerants.csv`` in ``out_dir``."""
    data = lieux_csv(ctx)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / FILE_NAME
    path.write_bytes(data)
    return [path]
