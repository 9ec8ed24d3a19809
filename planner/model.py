"""Domain objects of Aller-vers: frozen, typed, validated on construction.

Everything the solver, the reports and the pages exchange is one of these. Dates are
:class:`datetime.date`, clock times :class:`datetime.time`; weekdays are integers
0 (Monday) … 6 (Sunday), written in French abbreviations (``lun``, ``mar``…) at the edges.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from types import MappingProxyType

from planner.errors import InputError
from planner.french import WEEKDAY_NAMES_FR  # noqa: F401  (re-exported)
from planner.rhythm import parse_rhythm, parse_rhythm_setting
from planner.territory.attendance import GENERAL, check_public

INSEE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
WEEKDAY_CODES: tuple[str, ...] = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
RESOURCE_KINDS = ("bus", "team")

#: The three service types (« prestations »): a parcours (a group, K weekly sessions, a
#: threshold), a permanence (a recurring stop for individual help, no threshold) and home visits
#: (« à domicile »: a team goes to people who cannot come at all).
PARCOURS = "parcours"
PERMANENCE = "permanence"
DOMICILE = "domicile"
SERVICES: tuple[str, ...] = (PARCOURS, PERMANENCE, DOMICILE)
SERVICE_LABELS_FR: Mapping[str, str] = MappingProxyType(
    {PARCOURS: "parcours", PERMANENCE: "permanence", DOMICILE: "visites à domicile"}
)


def check_service(value: str, what: str = "prestation") -> str:
    """Return ``value`` if it names a service type of :data:`SERVICES`, else raise :class:`InputError`."""
    if value not in SERVICES:
        raise InputError(f"{what} inconnue « {value} » (attendu : parcours, permanence ou domicile)")
    return value


def _frozen_mapping(values: Mapping) -> Mapping:
    return MappingProxyType(dict(values))


def check_insee_code(code: str, what: str = "code INSEE") -> str:
    """Return ``code`` if it is a valid INSEE commune code, else raise :class:`InputError`."""
    if not isinstance(code, str) or not INSEE_CODE.match(code):
        raise InputError(f"{what} invalide : « {code} » (5 caractères attendus, ex. 18279)")
    return code


def parse_weekdays(text: str) -> tuple[int, ...]:
    """Parse ``"mar,ven"`` (or ``"mardi;vendredi"``) into sorted weekday numbers.

    An empty text gives an empty tuple, meaning "no constraint" where that makes sense.
    """
    days: set[int] = set()
    for token in re.split(r"[,;/ ]+", (text or "").strip().lower()):
        if not token:
            continue
        key = token[:3]
        if key not in WEEKDAY_CODES:
            raise InputError(
                f"jour de semaine inconnu : « {token} » (attendu : lun, mar, mer, jeu, ven, sam, dim)"
            )
        days.add(WEEKDAY_CODES.index(key))
    return tuple(sorted(days))


def format_weekdays(days: tuple[int, ...]) -> str:
    """Inverse of :func:`parse_weekdays`: ``(1, 4)`` → ``"mar,ven"``."""
    return ",".join(WEEKDAY_CODES[d] for d in days)


@dataclass(frozen=True)
class Commune:
    """A commune of the territory.

    ``indicators`` holds the raw indicator values used by the need model
    (e.g. ``pop_65p``, ``revenu_median_uc_2021``, user-supplied scores); missing values are absent.
    """

    code_insee: str
    name: str
    population: int
    lat: float
    lon: float
    epci_siren: str = ""
    epci_name: str = ""
    indicators: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_insee_code(self.code_insee)
        if self.population < 0:
            raise InputError(f"population négative pour {self.name} ({self.code_insee})")
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise InputError(f"coordonnées impossibles pour {self.name} ({self.code_insee})")
        object.__setattr__(self, "indicators", _frozen_mapping(self.indicators))


@dataclass(frozen=True)
class FixedSite:
    """A fixed mediation place (EPN, France services, médiathèque, PIJ, association…).

    ``capacity`` is the relative supply weight used by the coverage model (1.0 = one
    ordinary place with a mediator a few half-days a week).
    """

    id: str
    name: str
    kind: str
    code_insee: str
    lat: float
    lon: float
    capacity: float = 1.0
    offer: str = ""
    days_open: str = ""
    equipment: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        check_insee_code(self.code_insee)
        if self.capacity < 0:
            raise InputError(f"capacité négative pour le lieu « {self.name} »")


@dataclass(frozen=True)
class Territory:
    """A set of communes with the fixed sites that serve them."""

    spec: str
    name: str
    communes: tuple[Commune, ...]
    fixed_sites: tuple[FixedSite, ...] = ()

    def __post_init__(self) -> None:
        if not self.communes:
            raise InputError(f"le territoire « {self.spec} » ne contient aucune commune")
        codes = [c.code_insee for c in self.communes]
        if len(set(codes)) != len(codes):
            raise InputError(f"le territoire « {self.spec} » contient des communes en double")

    @property
    def population(self) -> int:
        """Total population of the communes."""
        return sum(c.population for c in self.communes)

    @property
    def codes(self) -> tuple[str, ...]:
        """INSEE codes in the territory's order."""
        return tuple(c.code_insee for c in self.communes)

    def commune(self, code_insee: str) -> Commune:
        """Return the commune with this INSEE code (``KeyError`` if absent)."""
        for c in self.communes:
            if c.code_insee == code_insee:
                return c
        raise KeyError(code_insee)


@dataclass(frozen=True)
class CommuneNeed:
    """Estimated need of one commune and how much of it fixed sites already cover."""

    code_insee: str
    need: float
    coverage: float
    unmet_need: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.coverage <= 1.0:
            raise ValueError(f"coverage must lie in [0, 1], got {self.coverage}")
        if self.need < 0 or self.unmet_need < 0:
            raise ValueError("need and unmet_need must be non-negative")


@dataclass(frozen=True)
class Resource:
    """An itinerant resource: the bus or a team of mediators.

    ``services`` are the service types it runs (:data:`SERVICES`; default the parcours alone,
    so that older files and plans mean what they meant). With both ``"permanence"`` and
    ``"parcours"`` a route day holds the permanences in the morning and the parcours in the
    afternoon. ``permanence_rhythm`` is how its permanences recur: a kind (« hebdomadaire »,
    « quinzaine », « mensuel »: the optimiser chooses the weekday and week) or a full rhythm
    (« 2e mardi du mois »), see :mod:`planner.rhythm`; ``permanence_minutes`` the length of
    one permanence and ``permanence_capacity`` how many people it helps per hour.
    ``home_visit_minutes`` is the length of one home visit (``"domicile"``).
    """

    id: str
    kind: str
    seats: int
    base: str
    weekdays: tuple[int, ...] = (1, 4)
    day_start: time = time(8, 30)
    day_end: time = time(18, 0)
    max_sessions_per_day: int = 2
    session_minutes: int = 180
    needs_power: bool = True
    label: str = ""
    public: str = GENERAL
    services: tuple[str, ...] = (PARCOURS,)
    permanence_rhythm: str = "mensuel"
    permanence_minutes: int = 180
    permanence_capacity: float = 3.0
    home_visit_minutes: int = 60

    def __post_init__(self) -> None:
        check_public(self.public)
        services = tuple(dict.fromkeys(self.services))
        if not services:
            raise InputError(f"le moyen « {self.id} » doit assurer au moins une prestation")
        for service in services:
            check_service(service)
        object.__setattr__(self, "services", tuple(sorted(services, key=SERVICES.index)))
        parse_rhythm_setting(self.permanence_rhythm)
        if not 30 <= self.permanence_minutes <= 600:
            raise InputError(
                f"durée de permanence invalide pour « {self.id} » : {self.permanence_minutes} min"
            )
        if not 0 < self.permanence_capacity <= 50:
            raise InputError(
                f"capacité de permanence invalide pour « {self.id} » : {self.permanence_capacity} personnes/heure"
            )
        if not 15 <= self.home_visit_minutes <= 300:
            raise InputError(
                f"durée de visite à domicile invalide pour « {self.id} » : {self.home_visit_minutes} min"
            )
        if not self.id:
            raise InputError("un moyen itinérant doit avoir un identifiant")
        if self.kind not in RESOURCE_KINDS:
            raise InputError(f"type de moyen inconnu « {self.kind} » (attendu : bus ou team)")
        if self.seats <= 0:
            raise InputError(f"le moyen « {self.id} » doit avoir au moins une place")
        check_insee_code(self.base, "commune de base")
        if not self.weekdays or any(d not in range(7) for d in self.weekdays):
            raise InputError(f"le moyen « {self.id} » doit travailler au moins un jour de semaine")
        if self.day_end <= self.day_start:
            raise InputError(f"le moyen « {self.id} » finit sa journée avant de la commencer")
        if self.max_sessions_per_day < 1:
            raise InputError(f"le moyen « {self.id} » doit pouvoir tenir au moins une séance par jour")
        if not 30 <= self.session_minutes <= 600:
            raise InputError(f"durée de séance invalide pour « {self.id} » : {self.session_minutes} min")
        day_minutes = (self.day_end.hour * 60 + self.day_end.minute) - (
            self.day_start.hour * 60 + self.day_start.minute
        )
        if self.session_minutes > day_minutes:
            raise InputError(f"la séance de « {self.id} » ne tient pas dans sa journée de travail")
        object.__setattr__(self, "weekdays", tuple(sorted(set(self.weekdays))))
        if PERMANENCE in self.services and self.permanence_minutes > day_minutes:
            raise InputError(f"la permanence de « {self.id} » ne tient pas dans sa journée de travail")

    @property
    def name(self) -> str:
        """What people call this resource: its label, else a French reading of its identifier
        (``bus-1`` → « Bus 1 », ``team-2`` → « Équipe 2 »; any other identifier as typed)."""
        if self.label.strip():
            return self.label.strip()
        m = re.fullmatch(r"(bus|team|equipe|équipe)[-_ ]?(\d+)", self.id.strip().lower())
        if m:
            return f"{'Bus' if m.group(1) == 'bus' else 'Équipe'} {int(m.group(2))}"
        return self.id


@dataclass(frozen=True)
class Season:
    """The planning window and its closed dates (public holidays, custom dates)."""

    start: date
    end: date
    closed_dates: frozenset[date] = frozenset()
    closed_reasons: Mapping[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InputError("la fin de saison précède son début")
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        object.__setattr__(self, "closed_reasons", _frozen_mapping(self.closed_reasons))

    def is_open(self, day: date) -> bool:
        """True when ``day`` lies in the season and is not closed."""
        return self.start <= day <= self.end and day not in self.closed_dates


@dataclass(frozen=True)
class Rules:
    """The rules of a good plan, with their defaults (see PRODUCT.md).

    ``repeat_value`` is the diminishing-returns factor, applied per commune of origin: the
    second group of people from the same commune is worth ``repeat_value`` times the first,
    a third ``repeat_value**2``… (see :func:`planner.optimise.objective.objective_value`).
    ``travel_weight`` is the objective's cost of one driven kilometre in "people served": 0 by
    default, so that kilometres never trade people (between plans of equal value the one that
    drives less wins, see :mod:`planner.optimise.objective`).

    ``priority`` is « priorité aux moins couverts »: a person of a commune with coverage ``c``
    counts ``(1 + priority · (1 − c)) / (1 + priority)`` of a person of a commune no fixed place
    covers (:func:`planner.optimise.objective.priority_weight`). ``attendance_share`` and
    ``attendance_half_minutes`` are ``b`` and ``t_half`` of the general public's attendance curve,
    whose ``T_max`` is ``catchment_minutes`` (:mod:`planner.territory.attendance`). ``km_budget``
    bounds the season's kilometres (0: no budget), each session counted as a return trip from the
    base (an upper bound of the routes' kilometres).
    """

    sessions_per_series: int = 5
    interval_days: int = 7
    interval_tolerance_days: int = 7
    min_participants: int = 6
    catchment_minutes: float = 15.0
    repeat_value: float = 0.5
    travel_weight: float = 0.0
    priority: float = 2.0
    attendance_share: float = 0.6
    attendance_half_minutes: float = 8.0
    km_budget: float = 0.0

    def __post_init__(self) -> None:
        if not 1 <= self.sessions_per_series <= 30:
            raise InputError("le nombre de séances par parcours doit être compris entre 1 et 30")
        if not 1 <= self.interval_days <= 60:
            raise InputError("l'intervalle entre séances doit être compris entre 1 et 60 jours")
        if not 0 <= self.interval_tolerance_days <= 60:
            raise InputError("la tolérance sur l'intervalle doit être comprise entre 0 et 60 jours")
        if self.min_participants < 1:
            raise InputError("le seuil d'ouverture d'un parcours doit être d'au moins 1 participant")
        if not 0 < self.catchment_minutes <= 120:
            raise InputError("le rayon d'attraction doit être compris entre 1 et 120 minutes")
        if not 0 <= self.repeat_value <= 1:
            raise InputError("le facteur de rendement décroissant doit être compris entre 0 et 1")
        if self.travel_weight < 0:
            raise InputError("le poids des kilomètres ne peut pas être négatif")
        if not 0 <= self.priority <= 20:
            raise InputError("la priorité aux moins couverts doit être comprise entre 0 et 20")
        if not 0 < self.attendance_share <= 1:
            raise InputError("la part des voisins qui viennent doit être comprise entre 0 et 1")
        if not 0 < self.attendance_half_minutes <= 120:
            raise InputError(
                "la demi-distance de la courbe de venue doit être comprise entre 1 et 120 minutes"
            )
        if self.km_budget < 0:
            raise InputError("le budget kilométrique ne peut pas être négatif")


@dataclass(frozen=True)
class HostRequest:
    """A commune's request to host a series, with its constraints.

    Empty ``weekdays`` means any weekday of the resource; ``expected_participants`` of
    ``None`` means "let the need model estimate". ``home_visits`` is the number of home visits
    (« visites à domicile ») the mairie or the CCAS asks for in the commune: a number, never a
    name or an address.
    """

    code_insee: str
    venue: str = ""
    weekdays: tuple[int, ...] = ()
    blackout_dates: frozenset[date] = frozenset()
    has_power: bool = True
    expected_participants: int | None = None
    id: str = ""
    home_visits: int = 0

    def __post_init__(self) -> None:
        check_insee_code(self.code_insee)
        if self.expected_participants is not None and not 0 <= self.expected_participants <= 500:
            raise InputError(f"nombre de participants attendus invalide : {self.expected_participants}")
        if not 0 <= self.home_visits <= 200:
            raise InputError(f"nombre de visites à domicile demandées invalide : {self.home_visits}")
        object.__setattr__(self, "blackout_dates", frozenset(self.blackout_dates))


@dataclass(frozen=True)
class Series:
    """A series ("parcours"): K sessions at one host with one resource, same weekday and slot.

    ``from_communes`` says where its participants are assumed to come from (commune → people)
    and ``from_minutes`` how far (commune → drive minutes to the host, 0 for the host itself).

    ``service`` is its service type (:data:`SERVICES`). A permanence series is the recurring stop
    at one host: ``rhythm`` its rhythm code (:func:`planner.rhythm.Rhythm.code`, e.g.
    ``"monthly:2:1"`` for the 2nd Tuesday of the month), ``capacity`` the people it helps per
    hour, ``participants`` the people it puts within reach over the season. A home-visit series
    (``"domicile"``) gathers the visits of one commune: ``participants`` visits, one session each.
    """

    id: str
    host: str
    resource: str
    participants: int
    from_communes: Mapping[str, int] = field(default_factory=dict)
    from_minutes: Mapping[str, float] = field(default_factory=dict)
    service: str = PARCOURS
    rhythm: str = ""
    capacity: float = 0.0

    def __post_init__(self) -> None:
        check_service(self.service)
        if self.rhythm:
            parse_rhythm(self.rhythm)
        object.__setattr__(self, "from_communes", _frozen_mapping(self.from_communes))
        object.__setattr__(self, "from_minutes", _frozen_mapping(self.from_minutes))


@dataclass(frozen=True)
class Session:
    """One workshop ("séance") of a series.

    ``uid`` is the session's identity for its whole life (calendars, notifications, plan
    versions): it is kept when a re-plan or a hand edit moves the session, and ``sequence``
    then grows by one (the iCalendar SEQUENCE). A new session gets :func:`session_uid`.
    Equality compares what and when (identity is bookkeeping, not content). ``service`` is the
    service type (:data:`SERVICES`): a parcours session, one visit of a permanence, or one home
    visit. It is content, compared like the date.
    """

    series: str
    index: int
    resource: str
    host: str
    date: date
    start: time
    end: time
    locked: bool = False
    uid: str = field(default="", compare=False)
    sequence: int = field(default=0, compare=False)
    service: str = PARCOURS

    def __post_init__(self) -> None:
        check_service(self.service, "prestation de la séance")
        if self.end <= self.start:
            raise InputError(f"la séance {self.series}#{self.index} finit avant de commencer")
        if self.sequence < 0:
            raise InputError(f"la séance {self.series}#{self.index} a un numéro de révision négatif")


def session_uid(territory_spec: str, s: Session) -> str:
    """A new session's identity: a digest of where and when it is first planned.

    Two sessions of one plan never share resource, date and start, and the territory and the
    date make identities of other territories or seasons different.
    """
    key = f"{territory_spec}|{s.resource}|{s.host}|{s.date.isoformat()}|{s.start:%H%M}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Route:
    """One resource's day: from its base through the hosts and back."""

    resource: str
    date: date
    stops: tuple[str, ...]
    km: float
    drive_minutes: float


@dataclass(frozen=True)
class Unserved:
    """A commune (or a request) left out, with a plain-French reason and what would help."""

    code_insee: str
    unmet_need: float
    reason: str
    what_would_help: str
    name: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class PlanMetrics:
    """Key figures and the optimiser's proof of quality.

    The fields after ``drive_hours`` are the equity and travel figures
    (:mod:`planner.publish.equity`, which recomputes them from the plan file alone):
    ``coverage`` and ``unmet_need`` per commune (what they rest on), the ``least_covered``
    third of the communes (lowest coverage, then code), its share of the unmet need, of the
    sessions and of the participants, how many of those communes hold a series, participants
    assumed to travel to another commune and their mean drive in minutes, series and sessions
    held in a resource's base town, and the kilometres' money and CO2 (with the rates used).

    ``warnings`` are French sentences about what the plan could not use: a resource that can
    hold no parcours, with the cause and the setting to change (:mod:`planner.optimise.feasibility`).

    ``best_objective`` (re-plans only) is the value of the best plan found without keeping
    anything in place: ``best_objective − objective`` is what stability costs.

    ``bound`` and ``gap`` always speak of the problem asked (every host, no split): the best of
    the solver's proof and the linear bound of :mod:`planner.optimise.bound`. When the solver
    worked on a restricted problem (territory split into groups, hosts limited),
    ``restricted_bound`` is the bound it proved for that restriction (``None`` otherwise).
    ``greedy_parts`` counts the parts of a split territory where the search found no plan in
    time, so that the simple (greedy) plan was kept there.

    ``reference_value`` (a plan of the frontier solved with other rules,
    :mod:`planner.optimise.alternatives`) is its value under ``reference_rules``, the
    coordinator's own: the « Valeur selon vos réglages » shown beside it, recomputable from the file.
    """

    status: str
    objective: float
    bound: float
    gap: float
    solve_seconds: float
    need_total: float
    unmet_need_total: float
    participants: int
    participants_full_series: int
    sessions: int
    km: float
    drive_hours: float
    coverage: Mapping[str, float] = field(default_factory=dict)
    unmet_need: Mapping[str, float] = field(default_factory=dict)
    least_covered: tuple[str, ...] = ()
    least_covered_need_share: float = 0.0
    least_covered_session_share: float = 0.0
    least_covered_participant_share: float = 0.0
    least_covered_hosts: int = 0
    participants_travelling: int = 0
    travel_minutes_mean: float = 0.0
    travel_minutes_max: float = 0.0
    warnings: tuple[str, ...] = ()
    base_series: int = 0
    base_sessions: int = 0
    km_eur: float = 0.0
    co2_kg: float = 0.0
    eur_per_km: float = 0.0
    co2_kg_per_km: float = 0.0
    best_objective: float | None = None
    restricted_bound: float | None = None
    greedy_parts: int = 0
    reference_value: float | None = None
    reference_rules: Rules | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "coverage", _frozen_mapping(self.coverage))
        object.__setattr__(self, "unmet_need", _frozen_mapping(self.unmet_need))
        object.__setattr__(self, "least_covered", tuple(self.least_covered))
        object.__setattr__(self, "warnings", tuple(self.warnings))


@dataclass(frozen=True)
class AcceptedException:
    """A rule the coordinator chose to break on purpose ("accepter quand même").

    It names the broken rule, its French message as the checker wrote it, and what it is about:
    a session (its ``uid``) or a whole series (``series``). A violation is accepted only while
    the checker still writes the same message for the same session or series: when the plan
    changes so that the rule is broken differently (17 h 45 instead of 17 h 31), it asks again.
    """

    rule: str
    message: str
    uid: str = ""
    series: str = ""
    by: str = ""
    on: str = ""

    def __post_init__(self) -> None:
        if not self.rule or not self.message:
            raise InputError("une exception acceptée doit nommer la règle et son message")


@dataclass(frozen=True)
class PlanInputs:
    """What a plan answered besides its season, rules and resources, so that reopening it
    rebuilds the same problem (and the same saupoudrage baseline and figures).

    ``need_weights`` holds the need model's weights by name (:class:`planner.territory.need.NeedWeights`
    fields); empty means the defaults. ``need_factors`` multiplies the need of some communes
    (``code_insee -> factor``): the adjustments accepted after a season
    (:mod:`planner.realised.proposals`); empty means none.
    """

    requests: tuple[HostRequest, ...] = ()
    requests_only: bool = False
    need_weights: Mapping[str, float | str] = field(default_factory=dict)
    need_factors: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "requests", tuple(self.requests))
        object.__setattr__(self, "need_weights", _frozen_mapping(self.need_weights))
        object.__setattr__(self, "need_factors", _frozen_mapping(self.need_factors))


@dataclass(frozen=True)
class Plan:
    """A season plan: series, their sessions, daily routes, what was left out and the figures.

    ``kind`` is ``"optimised"``, ``"baseline"`` (saupoudrage) or ``"greedy"``. ``accepted`` lists
    the rules the coordinator chose to break by hand (:class:`AcceptedException`); ``inputs`` what
    else the plan answered (requests, need weights).
    """

    territory_spec: str
    season: Season
    rules: Rules
    resources: tuple[Resource, ...]
    series: tuple[Series, ...]
    sessions: tuple[Session, ...]
    routes: tuple[Route, ...]
    unserved: tuple[Unserved, ...]
    metrics: PlanMetrics
    kind: str = "optimised"
    accepted: tuple[AcceptedException, ...] = ()
    inputs: PlanInputs = field(default_factory=PlanInputs)
