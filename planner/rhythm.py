"""The rhythm of a permanence: weekly, fortnightly, or monthly by k-th weekday.

A permanence is a recurring stop (« le 2e mardi du mois à Ségry, 9 h–12 h »). Its rhythm says
which days it may fall on; the optimiser chooses a rhythm per stop, the rules checker checks the
dates against it and the posters print it (« tous les 2es mardis du mois »).

Codes (stored in plan files): ``weekly:<wd>``, ``fortnightly:<wd>:<parity>`` and
``monthly:<k>:<wd>``, with ``wd`` the weekday (0 = Monday), ``k`` 1…4 or −1 (the last of the
month) and ``parity`` 0 or 1: the weeks counted from Monday 1 January 2024 whose number has that
parity (a fortnight that does not break at the new year, unlike ISO week numbers).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from planner.errors import InputError
from planner.french import WEEKDAY_NAMES_FR

WEEKLY = "weekly"
FORTNIGHTLY = "fortnightly"
MONTHLY = "monthly"
KINDS: tuple[str, ...] = (WEEKLY, FORTNIGHTLY, MONTHLY)
#: Days between two visits of each kind (a month counted as four weeks, for the calendar's reach).
KIND_DAYS = {WEEKLY: 7, FORTNIGHTLY: 14, MONTHLY: 28}
_EPOCH = date(2024, 1, 1)  # a Monday: week parity is counted from it
_KIND_WORDS = {
    "weekly": WEEKLY,
    "hebdomadaire": WEEKLY,
    "hebdo": WEEKLY,
    "chaque semaine": WEEKLY,
    "toutes les semaines": WEEKLY,
    "fortnightly": FORTNIGHTLY,
    "quinzaine": FORTNIGHTLY,
    "bimensuel": FORTNIGHTLY,
    "tous les 15 jours": FORTNIGHTLY,
    "toutes les deux semaines": FORTNIGHTLY,
    "toutes les 2 semaines": FORTNIGHTLY,
    "monthly": MONTHLY,
    "mensuel": MONTHLY,
    "mensuelle": MONTHLY,
    "chaque mois": MONTHLY,
    "tous les mois": MONTHLY,
}
_KIND_FR = {WEEKLY: "hebdomadaire", FORTNIGHTLY: "tous les 15 jours", MONTHLY: "mensuel"}
_ORDINALS = {
    "1er": 1,
    "1re": 1,
    "1ere": 1,
    "premier": 1,
    "premiere": 1,
    "2e": 2,
    "2eme": 2,
    "deuxieme": 2,
    "second": 2,
    "seconde": 2,
    "3e": 3,
    "3eme": 3,
    "troisieme": 3,
    "4e": 4,
    "4eme": 4,
    "quatrieme": 4,
    "dernier": -1,
    "derniere": -1,
}


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFD", (text or "").strip().lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("«", "").replace("»", "")).strip()


def _weekday(token: str) -> int | None:
    token = token.rstrip("s")
    for i, name in enumerate(WEEKDAY_NAMES_FR):
        plain = _plain(name)
        if token == plain or token == plain[:3]:
            return i
    return None


def _ordinal_fr(k: int, plural: bool = False) -> str:
    if k == -1:
        return "derniers" if plural else "dernier"
    if k == 1:
        return "1ers" if plural else "1er"
    return f"{k}es" if plural else f"{k}e"


@dataclass(frozen=True)
class Rhythm:
    """When a permanence recurs.

    Parameters
    ----------
    kind
        ``"weekly"``, ``"fortnightly"`` or ``"monthly"``.
    weekday
        0 (Monday) … 6 (Sunday).
    week
        Monthly: the ``k``-th such weekday of the month (1…4, −1 for the last); fortnightly: the
        week parity (0 or 1, see the module); weekly: 0.
    """

    kind: str
    weekday: int
    week: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(f"rythme inconnu « {self.kind} » (attendu : hebdomadaire, quinzaine, mensuel)")
        if self.weekday not in range(7):
            raise InputError(f"jour de semaine invalide dans le rythme : {self.weekday}")
        allowed = {WEEKLY: (0,), FORTNIGHTLY: (0, 1), MONTHLY: (1, 2, 3, 4, -1)}[self.kind]
        if self.week not in allowed:
            raise InputError(f"semaine invalide pour un rythme {_KIND_FR[self.kind]} : {self.week}")

    @property
    def code(self) -> str:
        """The rhythm as stored in plan files (see the module)."""
        if self.kind == WEEKLY:
            return f"weekly:{self.weekday}"
        if self.kind == FORTNIGHTLY:
            return f"fortnightly:{self.weekday}:{self.week}"
        return f"monthly:{self.week}:{self.weekday}"

    def matches(self, day: date) -> bool:
        """True when ``day`` is one of the rhythm's days."""
        if day.weekday() != self.weekday:
            return False
        if self.kind == WEEKLY:
            return True
        if self.kind == FORTNIGHTLY:
            return ((day - _EPOCH).days // 7) % 2 == self.week
        if self.week == -1:
            return (day + timedelta(days=7)).month != day.month
        return (day.day - 1) // 7 + 1 == self.week

    def period(self, day: date) -> tuple[int, int]:
        """The period ``day`` belongs to (a week, a fortnight, a month): one visit per period."""
        if self.kind == MONTHLY:
            return (day.year, day.month)
        weeks = (day - _EPOCH).days // 7
        return (0, weeks if self.kind == WEEKLY else weeks // 2)

    def dates(self, start: date, end: date) -> list[date]:
        """The rhythm's days from ``start`` to ``end`` included."""
        day = start + timedelta(days=(self.weekday - start.weekday()) % 7)
        out = []
        while day <= end:
            if self.matches(day):
                out.append(day)
            day += timedelta(days=7)
        return out

    @property
    def label_fr(self) -> str:
        """« le 2e mardi du mois », « chaque mardi », « un mardi sur deux »."""
        day = WEEKDAY_NAMES_FR[self.weekday]
        if self.kind == WEEKLY:
            return f"chaque {day}"
        if self.kind == FORTNIGHTLY:
            return f"un {day} sur deux"
        return f"le {_ordinal_fr(self.week)} {day} du mois"

    @property
    def poster_fr(self) -> str:
        """What a poster says: « tous les 2es mardis du mois », « tous les mardis »…"""
        day = WEEKDAY_NAMES_FR[self.weekday]
        if self.kind == WEEKLY:
            return f"tous les {day}s"
        if self.kind == FORTNIGHTLY:
            return f"un {day} sur deux"
        return f"tous les {_ordinal_fr(self.week, plural=True)} {day}s du mois"


def parse_rhythm(text: str) -> Rhythm:
    """Read a rhythm: a code (``monthly:2:1``) or French (« 2e mardi du mois », « tous les
    mardis », « un jeudi sur deux », « dernier vendredi du mois »).

    A French fortnightly rhythm takes the parity of the first such weekday of 2024 unless it
    says « (semaines impaires) ». Raises :class:`InputError` with a French message.
    """
    raw = (text or "").strip()
    m = re.fullmatch(r"(weekly|fortnightly|monthly):(-?\d+)(?::(-?\d+))?", raw)
    if m:
        kind, a, b = m.group(1), int(m.group(2)), m.group(3)
        if kind == WEEKLY and b is None:
            return Rhythm(WEEKLY, a)
        if kind == FORTNIGHTLY and b is not None:
            return Rhythm(FORTNIGHTLY, a, int(b))
        if kind == MONTHLY and b is not None:
            return Rhythm(MONTHLY, int(b), a)
        raise InputError(f"rythme illisible : « {raw} »")
    plain = _plain(raw)
    tokens = re.findall(r"[a-z0-9]+", plain)
    days = [d for d in (_weekday(t) for t in tokens) if d is not None]
    if len(days) != 1:
        raise InputError(
            f"rythme illisible : « {raw} » (exemples : « 2e mardi du mois », « tous les mardis », "
            "« un jeudi sur deux »)"
        )
    day = days[0]
    ordinals = [_ORDINALS[t] for t in tokens if t in _ORDINALS]
    if ordinals and "sur" not in tokens:
        return Rhythm(MONTHLY, day, ordinals[0])
    if "sur" in tokens or "15" in tokens or "quinzaine" in tokens or "deux" in tokens:
        return Rhythm(FORTNIGHTLY, day, 1 if "impaires" in tokens else 0)
    return Rhythm(WEEKLY, day)


def parse_rhythm_setting(text: str) -> tuple[str, Rhythm | None]:
    """A resource's permanence rhythm: a kind only (« mensuel »: the optimiser chooses the day and
    the week) or a full rhythm (« 2e mardi du mois »: imposed). Returns ``(kind, rhythm or None)``."""
    plain = _plain(text)
    if plain in _KIND_WORDS:
        return _KIND_WORDS[plain], None
    rhythm = parse_rhythm(text)
    return rhythm.kind, rhythm


def kind_fr(kind: str) -> str:
    """« mensuel », « tous les 15 jours », « hebdomadaire »."""
    return _KIND_FR[kind]


def rhythms_of(kind: str, weekdays: tuple[int, ...]) -> list[Rhythm]:
    """Every rhythm of ``kind`` on ``weekdays`` (monthly: weeks 1…4 — the last week is left to
    a coordinator who asks for it, it would overlap the 4th)."""
    weeks = {WEEKLY: (0,), FORTNIGHTLY: (0, 1), MONTHLY: (1, 2, 3, 4)}[kind]
    return [Rhythm(kind, d, w) for d in weekdays for w in weeks]
