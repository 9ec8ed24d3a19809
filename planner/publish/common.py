"""What every exporter shares: host details, the export context, French labels and file names.

Exporters never query the database: the venue and contact of each host commune come in a
plain mapping ``code_insee -> HostDetails`` that the caller fills (from the host requests of
the store, a form, or nothing at all). Without it, exports fall back to the commune's name and
the town hall ("mairie") as the place.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from functools import cached_property
from types import MappingProxyType

from planner.errors import InputError
from planner.french import WEEKDAY_NAMES_FR, french_date
from planner.model import DOMICILE, PERMANENCE, CommuneNeed, Plan, Series, Session, Territory
from planner.publish.report import CostRates, ReportContext
from planner.realised.season import RealisedSeason
from planner.territory.travel import TravelMatrix

#: Workshop themes of a 5-session series, after the EPN of Graçay (monograph, 2021).
DEFAULT_TOPICS: tuple[str, ...] = (
    "Découvrir l'ordinateur et la tablette",
    "Le courrier électronique",
    "Les sites des services publics",
    "Les réseaux sociaux",
    "Les risques d'internet",
)

DEFAULT_AUDIENCE = (
    "Toute personne qui veut être plus à l'aise avec le numérique : retraités, demandeurs "
    "d'emploi, jeunes, bénéficiaires d'aides. Aucun niveau requis."
)


@dataclass(frozen=True)
class HostDetails:
    """What a host commune told us about its venue and its promotion (all optional).

    Parameters
    ----------
    venue
        The place of the workshops (``"Salle des fêtes"``).
    address
        Street address of the venue.
    contact_name, phone, email
        Who to call about the workshops (shown on posters and day sheets only).
    registration
        Who takes registrations and how (``"En mairie au 02 48 …"``).
    audience
        Who the workshops are for, if the commune wants to say it its own way.
    """

    venue: str = ""
    address: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    registration: str = ""
    audience: str = ""

    @property
    def contact_line(self) -> str:
        """Name, phone and e-mail on one line (empty when none is known)."""
        return " · ".join(x for x in (self.contact_name, self.phone, self.email) if x)


_SIRET_OR_RNA = re.compile(r"^[a-zA-Z0-9]{9,14}$")


@dataclass(frozen=True)
class Publisher:
    """The structure that runs the itinerant resources, as the national standard names it.

    Parameters
    ----------
    name
        Its name (``structure_parente`` and ``source`` of the published stops).
    siret
        Its SIRET (14 digits) or, for an association without one, its RNA number (W + 9 digits):
        the standard's required ``pivot``.
    phone, email, website
        How the public reaches it (optional; the phone is written +33…).
    """

    name: str = ""
    siret: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""

    def __post_init__(self) -> None:
        siret = re.sub(r"\s+", "", self.siret or "")
        if siret and not _SIRET_OR_RNA.match(siret):
            raise InputError(
                f"SIRET ou RNA invalide : « {self.siret} » (14 chiffres pour un SIRET, W et 9 chiffres pour un RNA)"
            )
        object.__setattr__(self, "siret", siret)
        object.__setattr__(self, "name", (self.name or "").strip())


@dataclass(frozen=True, eq=False)
class ExportContext:
    """A plan with everything its exports may show.

    Only ``plan`` is required; without a territory the exports name communes by INSEE code and
    the GeoJSON and the map cannot be written; without needs and a matrix the funder figures
    that depend on them are left out. ``previous`` holds the plans published before this one
    (oldest first): calendars then say which sessions moved or were cancelled. ``publisher`` is
    the structure running the resources (the national-standard export needs its SIRET).
    ``realised`` is what happened to the plan's sessions (counts only): the funder report then
    has a « Réalisé » section.
    """

    plan: Plan
    territory: Territory | None = None
    needs: Mapping[str, CommuneNeed] | None = None
    matrix: TravelMatrix | None = None
    baseline: Plan | None = None
    hosts: Mapping[str, HostDetails] = field(default_factory=dict)
    rates: CostRates = field(default_factory=CostRates)
    previous: tuple[Plan, ...] = ()
    publisher: Publisher = field(default_factory=Publisher)
    realised: RealisedSeason | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "hosts", MappingProxyType(dict(self.hosts or {})))
        object.__setattr__(self, "previous", tuple(self.previous or ()))
        object.__setattr__(self, "publisher", self.publisher or Publisher())

    @cached_property
    def revisions(self) -> tuple:
        """The events to publish (:func:`planner.publish.revisions.calendar_revisions`)."""
        from planner.publish.revisions import calendar_revisions

        return calendar_revisions(self.plan, self.previous)

    @property
    def report(self) -> ReportContext | None:
        """The context of the funder figures, when territory, needs and matrix are all known."""
        if self.territory is None or self.needs is None or self.matrix is None:
            return None
        return ReportContext(self.territory, self.needs, self.matrix)

    def name(self, code: str) -> str:
        """Commune name of an INSEE code (the code itself when unknown)."""
        return commune_name(code, self.territory, self.plan)

    def host(self, code: str) -> HostDetails:
        """Details of a host commune (empty details when unknown)."""
        return self.hosts.get(code, HostDetails())

    def place(self, code: str) -> str:
        """Venue, address and commune on one line, the commune's name once (« Mairie de Massay »)."""
        h = self.host(code)
        name = self.name(code)
        parts = [h.venue or f"Mairie de {name}", h.address]
        if not any(name.lower() in p.lower() for p in parts if p):
            parts.append(name)
        return ", ".join(p for p in parts if p)


def commune_name(code: str, territory: Territory | None = None, plan: Plan | None = None) -> str:
    """Name of a commune from the territory, else from the plan's unserved list, else its code."""
    if territory is not None:
        try:
            return territory.commune(code).name
        except KeyError:
            pass
    if plan is not None:
        for u in plan.unserved:
            if u.code_insee == code and u.name:
                return u.name
    return code


def fr_date(d: date) -> str:
    """``date(2026, 3, 3)`` → ``"mardi 3 mars 2026"``."""
    return french_date(d)


def fr_time(t: time) -> str:
    """``time(14, 0)`` → ``"14 h"``, ``time(9, 30)`` → ``"9 h 30"``."""
    return f"{t.hour} h" if t.minute == 0 else f"{t.hour} h {t.minute:02d}"


def fr_slot(s: Session) -> str:
    """``"mardi 3 mars 2026, de 9 h à 12 h"``."""
    return f"{fr_date(s.date)}, de {fr_time(s.start)} à {fr_time(s.end)}"


def slug(text: str) -> str:
    """ASCII file-name fragment: ``"Méry-ès-Bois"`` → ``"mery-es-bois"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def sessions_by_series(plan: Plan) -> dict[str, list[Session]]:
    """Sessions of each series id, in date order."""
    out: dict[str, list[Session]] = defaultdict(list)
    for s in sorted(plan.sessions, key=lambda s: (s.date, s.start, s.series, s.index)):
        out[s.series].append(s)
    return dict(out)


def series_of(plan: Plan) -> dict[str, Series]:
    """Series of a plan by id."""
    return {s.id: s for s in plan.series}


def rhythm_of(series: Series | None):
    """The :class:`planner.rhythm.Rhythm` of a permanence series, else ``None``."""
    from planner.rhythm import parse_rhythm

    if series is None or series.service != PERMANENCE or not series.rhythm:
        return None
    try:
        return parse_rhythm(series.rhythm)
    except InputError:
        return None


def series_label(plan: Plan, series_id: str, name_of=None) -> str:
    """Human name of a series: ``"Parcours Graçay – mardi 9 h"``, ``"Permanence Graçay – le 2e
    mardi du mois, 9 h"``, ``"Visites à domicile Graçay"``."""
    sessions = sessions_by_series(plan).get(series_id, [])
    ser = series_of(plan).get(series_id)
    host = ser.host if ser else (sessions[0].host if sessions else "")
    name = name_of(host) if name_of else host
    if ser is not None and ser.service == DOMICILE:
        return f"Visites à domicile {name}"
    if ser is not None and ser.service == PERMANENCE:
        rhythm = rhythm_of(ser)
        when = rhythm.label_fr if rhythm else ""
        at = f", {fr_time(sessions[0].start)}" if sessions else ""
        return f"Permanence {name}" + (f" – {when}{at}" if when else "")
    if not sessions:
        return f"Parcours {name}"
    first = sessions[0]
    return f"Parcours {name} – {WEEKDAY_NAMES_FR[first.date.weekday()]} {fr_time(first.start)}"


SERVICE_TITLES = {
    "parcours": "Atelier numérique",
    PERMANENCE: "Permanence numérique",
    DOMICILE: "Visite à domicile",
}


def session_title(plan: Plan, s: Session, name_of=None) -> str:
    """What a calendar calls a session: « Atelier numérique – Graçay (séance 2/5) », « Permanence
    numérique – Graçay », « Visite à domicile – Graçay » (never a person's address)."""
    name = name_of(s.host) if name_of else s.host
    if s.service == "parcours":
        return (
            f"{SERVICE_TITLES['parcours']} – {name} (séance {s.index}/{series_size(plan).get(s.series, 1)})"
        )
    return f"{SERVICE_TITLES[s.service]} – {name}"


def day_stops(sessions: Iterable[Session]) -> list[tuple[Session, int]]:
    """A day's sessions with consecutive home visits in one commune merged: ``(first, count)``,
    so that a day sheet reads « 2 visites à domicile à Genouilly »."""
    out: list[tuple[Session, int]] = []
    for s in sessions:
        if out and s.service == DOMICILE and out[-1][0].service == DOMICILE and out[-1][0].host == s.host:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((s, 1))
    return out


def home_visits_phrase(count: int, name: str) -> str:
    """« 2 visites à domicile à Genouilly »."""
    return f"{count} visite{'s' if count > 1 else ''} à domicile à {name}"


def resource_label(plan: Plan, resource_id: str) -> str:
    """Label of a resource (its id when it has none)."""
    for r in plan.resources:
        if r.id == resource_id:
            return r.label or r.id
    return resource_id


def ordered_sessions(sessions: Iterable[Session]) -> list[Session]:
    """Sessions by date, start time, series and index."""
    return sorted(sessions, key=lambda s: (s.date, s.start, s.resource, s.series, s.index))


def series_size(plan: Plan) -> dict[str, int]:
    """Number of sessions of each series id in the plan."""
    return {k: len(v) for k, v in sessions_by_series(plan).items()}


def hosts_of(plan: Plan) -> list[str]:
    """Host communes of a plan, in order of first session."""
    seen: dict[str, None] = {}
    for s in ordered_sessions(plan.sessions):
        seen.setdefault(s.host, None)
    return list(seen)


def resource_days(plan: Plan) -> list[tuple[str, date, list[Session]]]:
    """``(resource, day, sessions)`` for every day a resource works, by resource then date."""
    days: dict[tuple[str, date], list[Session]] = defaultdict(list)
    for s in ordered_sessions(plan.sessions):
        days[(s.resource, s.date)].append(s)
    return [(r, d, ss) for (r, d), ss in sorted(days.items())]


def neutralise(text: str) -> str:
    """Text made safe for a spreadsheet cell (see :func:`planner.inputs.tables.neutralise_formula`)."""
    from planner.inputs.tables import neutralise_formula

    return neutralise_formula(text)


#: Preference among several requests of one commune: a scheduled one first, then accepted…
_STATUS_RANK = {"scheduled": 0, "accepted": 1, "submitted": 2, "declined": 3}


def hosts_from_requests(records: Iterable) -> dict[str, HostDetails]:
    """Host details per commune from stored host requests (:class:`planner.hosting.request_form.RequestRecord`).

    When a commune filed several requests, the scheduled one wins, then the accepted one, then
    the latest. Records read without contact data give details without contact data.
    """
    best: dict[str, tuple[tuple[int, int], HostDetails]] = {}
    for rec in records:
        f = rec.form
        registration = f.promoter
        if f.contact_phone and f.contact_phone not in registration:
            registration = (
                f"{registration}, au {f.contact_phone}" if registration else f"Au {f.contact_phone}"
            )
        publics = [p for p in f.publics if p != "tout public"]
        audience = ""
        if publics:
            audience = (
                "Pour "
                + ", ".join(publics)
                + ", et toute personne qui veut être plus à l'aise avec le numérique."
            )
        details = HostDetails(
            venue=f.venue,
            address=f.address,
            contact_name=f.contact_name,
            phone=f.contact_phone,
            email=f.contact_email,
            registration=registration,
            audience=audience,
        )
        rank = (_STATUS_RANK.get(rec.status, 9), -int(rec.id))
        if f.code_insee not in best or rank < best[f.code_insee][0]:
            best[f.code_insee] = (rank, details)
    return {code: d for code, (_, d) in best.items()}


_DAY_WORDS = {"lun": "lundi", "mar": "mardi", "mer": "mercredi", "jeu": "jeudi", "ven": "vendredi"}
_DAY_WORDS |= {"sam": "samedi", "dim": "dimanche"}
_DAY = r"(lun|mar|mer|jeu|ven|sam|dim)\.?"


def days_phrase(days_open: str) -> str:
    """Opening days in words: ``"lun,mar"`` → ``"le lundi, le mardi"``, ``"lun-ven"`` → ``"du lundi au vendredi"``."""
    text = re.sub(
        rf"\b{_DAY}\s*-\s*{_DAY}\b",
        lambda m: f"du {_DAY_WORDS[m.group(1)]} au {_DAY_WORDS[m.group(2)]}",
        (days_open or "").strip(),
    )
    text = re.sub(rf"\b{_DAY}\b(?!\w)", lambda m: f"le {_DAY_WORDS[m.group(1)]}", text)
    return re.sub(r"\s*[;,]\s*", ", ", text).strip(" ,")


def nearest_fixed_site(ctx: ExportContext, code: str):
    """``(site, minutes)`` of the fixed place nearest to commune ``code`` by road (``None`` without one).

    Minutes come from the travel matrix (``None`` without it: the nearest is then the closest
    town hall as the crow flies).
    """
    territory = ctx.territory
    if territory is None or not territory.fixed_sites:
        return None
    matrix = ctx.matrix

    def minutes(site) -> float | None:
        if matrix is None:
            return None
        try:
            return matrix.minutes(code, site.code_insee)
        except (KeyError, ValueError, IndexError):
            return None

    try:
        here = territory.commune(code)
    except KeyError:
        return None

    def key(site) -> tuple[float, float]:
        m = minutes(site)
        crow = (site.lat - here.lat) ** 2 + (site.lon - here.lon) ** 2
        return (m if m is not None else float("inf"), crow)

    site = min(territory.fixed_sites, key=key)
    return site, minutes(site)


def relay_after(ctx: ExportContext, code: str) -> str:
    """« Et après ? » — where to go once the bus has left: the nearest fixed place (empty without one)."""
    found = nearest_fixed_site(ctx, code)
    if found is None:
        return ""
    site, minutes = found
    where = site.name
    town = ctx.name(site.code_insee)
    if town.lower() not in where.lower():
        where += f" ({town})"
    if site.code_insee == code:
        distance = ", dans la commune"
    elif minutes is not None:
        distance = f", à {max(1, round(minutes))} min"
    else:
        distance = ""
    days = days_phrase(site.days_open)
    welcome = f"vous accueille {days}" if days else "vous accueille aussi : renseignez-vous sur ses horaires"
    return f"Et après ? {where}{distance}, {welcome}."


def with_names(text: str, plan: Plan) -> str:
    """A message with resource identifiers (« bus-1 ») replaced by their labels (« Bus numérique »)."""
    for r in plan.resources:
        if r.label and r.label != r.id:
            text = re.sub(rf"(?<![\w-]){re.escape(r.id)}(?![\w-])", r.label, text)
    return text
