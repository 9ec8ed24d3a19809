"""Who comes to a session held in another commune: the attendance curve, by public.

The people these workshops are for (seniors without a car, people without a diploma, isolated
households) mostly do not travel. A series draws its people from its own commune; from a
neighbour ``t`` minutes away it draws only the share

``w(t) = b · exp(−ln 2 · t / t_half)``  for ``t ≤ T_max``, else ``0``

of what the same series would draw if it were held in that neighbour (``w = 1`` at home). ``b``
(< 1) is the step of needing a lift at all, however short the trip; ``t_half`` the minutes
that halve the rest; ``T_max`` the catchment. The curve is applied once, at enrolment: distance
filters who signs up, far less how many sessions the enrolled attend (Bobitt et al. 2019;
"Drive time to cardiac rehabilitation", IJHG 2010). It is used twice in the plan, on purpose:

* **how many come** — a series at ``h`` counts at most ``⌊w · min(U_i, seats)⌋`` people of a
  neighbour ``i`` (``U_i`` its people of unmet need), and all the series at ``h`` together at
  most ``⌊w · U_i⌋`` (:func:`neighbour_cap`, :func:`pool_cap`);
* **what they are worth** — a person who makes the trip counts ``w`` of a person served at
  home (:func:`planner.optimise.objective.attendance_penalty`): those who can travel are, by
  definition, less far from help, and the service exists to go to those who cannot.

Sources (all health or mobility studies, none on digital-inclusion workshops — the defaults are
judgements that encode the project's premise, to calibrate with a season of sign-up sheets):
Leung, Brual, Macpherson & Grace 2010, Health & Place 16(6):1196 (cardiac rehabilitation, ages
62–92: attendees lived 17 ± 11 min away, non-attendees 25 ± 15 min); Bobitt et al. 2019, Prev
Chronic Dis 16:180385 (6-session workshops for people aged 50+: distance mostly filters
enrolment); McGrail, Humphreys & Ward 2015, BMC Health Serv Res (rural travel to a GP); Haiart
et al. 1990, Public Health 104:239 (a rural mobile unit: distance "the single most significant
factor"); Yu et al. 2017, Int J Equity Health (mobile clinics reach vulnerable people "at the
curbside"); Luo & Qi 2009, Health & Place 15(4):1100 (E2SFCA); Chen & Jia 2019, IJGIS
33(9):1739 (at community scale the catchment size matters most); ipea *accessibility*
(exponential and logistic decay functions); ENTD 2008 via Laboratoire de la Mobilité inclusive
2014 (17 km a day at 65–74, 8 km at 75+); Wimoov/AG2R 2018 (half the rural seniors do not go
out every day); INSEE Première n° 1953, 2023 (62 % of people aged 75+ in illectronism); INJEP
2017 (a quarter of people aged 18–30 gave up a job for lack of transport). The research note
behind these figures is summarised in the README (« Comment le plan choisit »).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.errors import InputError

#: The public a resource serves by default: the rules' own curve.
GENERAL = "general"


@dataclass(frozen=True)
class AttendanceCurve:
    """Share of a neighbour's people who enrol in a series ``t`` minutes away (see the module).

    Parameters
    ----------
    share
        ``b``: share kept right next door (0 < b ≤ 1).
    half_minutes
        ``t_half``: drive minutes that halve it.
    max_minutes
        ``T_max``: beyond it nobody comes (the catchment).
    """

    share: float
    half_minutes: float
    max_minutes: float

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1:
            raise InputError("la part des voisins qui viennent doit être comprise entre 0 et 1")
        if self.half_minutes <= 0:
            raise InputError("la demi-distance de la courbe de venue doit être positive (en minutes)")
        if not 0 < self.max_minutes <= 120:
            raise InputError("le rayon d'attraction doit être compris entre 1 et 120 minutes")

    def at(self, minutes: float) -> float:
        """``w(t)`` for a neighbour (not the host itself): 0 beyond ``max_minutes``."""
        if minutes > self.max_minutes + 1e-9:
            return 0.0
        return self.share * math.exp(-math.log(2.0) * max(0.0, minutes) / self.half_minutes)


@dataclass(frozen=True)
class Public:
    """A public with its own attendance curve (``curve`` ``None``: the rules' curve)."""

    key: str
    label: str
    explanation: str
    curve: AttendanceCurve | None


#: The publics a resource can serve. ``general`` follows the rules' curve (default b = 0.6,
#: t_half = 8 min, T_max = 15 min: 39 % at 5 min, 25 % at 10, 16 % at 15); the other two are
#: the sensitivity bounds of the research note: the oldest, isolated people (75+, no car) and
#: young job seekers, who travel more but are far from unconstrained (INJEP 2017).
PUBLICS: dict[str, Public] = {
    GENERAL: Public(
        GENERAL,
        "Tous publics (surtout des aînés)",
        "La courbe des règles : par défaut 39 % des personnes d'une voisine à 5 min, 25 % à 10 min, "
        "16 % à 15 min, personne au-delà.",
        None,
    ),
    "isolated": Public(
        "isolated",
        "Aînés isolés, sans voiture",
        "28 % à 5 min, 16 % à 10 min, personne au-delà de 12 min : les 75 ans et plus parcourent "
        "deux fois moins de kilomètres par jour que les 65-74 ans.",
        AttendanceCurve(0.5, 6.0, 12.0),
    ),
    "young": Public(
        "young",
        "Jeunes en recherche d'emploi",
        "67 % à 5 min, 54 % à 10 min, 42 % à 15 min, jusqu'à 25 min : les jeunes se déplacent "
        "davantage, mais un quart des 18-30 ans a déjà renoncé à un emploi faute de transport.",
        AttendanceCurve(0.85, 15.0, 25.0),
    ),
}


#: Words a file or a person may use for a public (lower case, without accents) → its key.
PUBLIC_WORDS: dict[str, str] = {
    "general": GENERAL,
    "tous": GENERAL,
    "tous publics": GENERAL,
    "aines": GENERAL,
    "isolated": "isolated",
    "isoles": "isolated",
    "aines isoles": "isolated",
    "young": "young",
    "jeunes": "young",
    "jeunes en recherche d'emploi": "young",
}


def parse_public(text: str) -> str:
    """The key of a public from a file cell (``""``: the general public; French words accepted)."""
    import unicodedata

    plain = "".join(
        ch
        for ch in unicodedata.normalize("NFD", (text or "").strip().lower())
        if unicodedata.category(ch) != "Mn"
    )
    if not plain:
        return GENERAL
    if plain not in PUBLIC_WORDS:
        check_public(plain)
    return PUBLIC_WORDS[plain]


def check_public(key: str) -> str:
    """Return ``key`` if it names a public of :data:`PUBLICS`, else raise :class:`InputError`."""
    if key not in PUBLICS:
        known = ", ".join(f"{k} ({p.label})" for k, p in PUBLICS.items())
        raise InputError(f"public inconnu « {key} » ; publics possibles : {known}")
    return key


def rules_curve(share: float, half_minutes: float, max_minutes: float) -> AttendanceCurve:
    """The curve of the ``general`` public from the rules' three numbers."""
    return AttendanceCurve(share, half_minutes, max_minutes)


def curve_of(public: str, default: AttendanceCurve) -> AttendanceCurve:
    """The curve of ``public``; ``default`` (the rules' curve) for the general public."""
    curve = PUBLICS[check_public(public)].curve
    return default if curve is None else curve


def neighbour_cap(curve: AttendanceCurve, minutes: float, people: int, seats: int) -> int:
    """Most people of a neighbour one series ``minutes`` away counts: ``⌊w · min(people, seats)⌋``.

    ``min(people, seats)`` is what the same series would draw if held in the neighbour itself.
    """
    return math.floor(curve.at(minutes) * min(people, seats) + 1e-9)


def pool_cap(curve: AttendanceCurve, minutes: float, people: int) -> int:
    """Most people of a neighbour all the series of one host count together: ``⌊w · people⌋``."""
    return math.floor(curve.at(minutes) * people + 1e-9)
