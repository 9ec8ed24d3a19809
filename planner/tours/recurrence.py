"""Rhythms as coordinators write them: « 2e mardi du mois », « tous les jeudis », « un vendredi sur deux ».

A current tour often says *when* by a rule rather than by a date. :func:`parse_rule` reads the
rule into a :class:`Recurrence`, :meth:`Recurrence.dates` expands it over a season. Accepted:

- monthly, by rank of the weekday: « 2e mardi du mois », « le deuxième mardi », « 1er et 3e
  jeudis du mois », « dernier vendredi du mois » (« 1er », « premier », « 2e », « 2ème »,
  « deuxième »… up to 4, and « dernier »);
- weekly: « tous les mardis », « chaque mardi », « le mardi », « mardi »;
- fortnightly: « un mardi sur deux », « tous les 15 jours le mardi », « toutes les deux
  semaines (mardi) » — the first such weekday of the season, then every 14 days.

A date the season closes (public holiday, closure) is skipped: the stop does not run that day.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from planner.french import WEEKDAY_NAMES_FR
from planner.model import Season

MONTHLY, WEEKLY, FORTNIGHTLY = "monthly", "weekly", "fortnightly"
LAST = -1
_ORDINALS = {
    "1er": 1, "1ere": 1, "1re": 1, "premier": 1, "premiere": 1, "1e": 1, "1eme": 1,
    "2e": 2, "2eme": 2, "2nd": 2, "2nde": 2, "deuxieme": 2, "second": 2, "seconde": 2,
    "3e": 3, "3eme": 3, "troisieme": 3,
    "4e": 4, "4eme": 4, "quatrieme": 4,
    "dernier": LAST, "derniere": LAST,
}  # fmt: skip
_WEEKDAYS = {
    name: i
    for i, name in enumerate(("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"))
}
_ORDINAL_WORDS = {1: "1er", 2: "2e", 3: "3e", 4: "4e", LAST: "dernier"}


@dataclass(frozen=True)
class Recurrence:
    """A rhythm: ``kind`` (monthly, weekly or fortnightly), a weekday (0 = Monday) and, for
    monthly rhythms, the ranks of that weekday in the month (1…4, or ``LAST``)."""

    kind: str
    weekday: int
    ranks: tuple[int, ...] = ()

    def dates(self, season: Season) -> tuple[list[date], list[date]]:
        """The dates of the rhythm within ``season``: ``(open dates, closed dates skipped)``."""
        first = season.start + timedelta(days=(self.weekday - season.start.weekday()) % 7)
        every = [first + timedelta(weeks=w) for w in range((season.end - first).days // 7 + 1)]
        if self.kind == FORTNIGHTLY:
            every = every[::2]
        elif self.kind == MONTHLY:
            every = [d for d in every if _rank(d) in self.ranks or (LAST in self.ranks and _last(d))]
        return [d for d in every if season.is_open(d)], [d for d in every if not season.is_open(d)]

    @property
    def label(self) -> str:
        """The rhythm in French: « 2e mardi du mois », « tous les mardis », « un mardi sur deux »."""
        day = WEEKDAY_NAMES_FR[self.weekday]
        if self.kind == WEEKLY:
            return f"tous les {day}s"
        if self.kind == FORTNIGHTLY:
            return f"un {day} sur deux"
        ranks = [_ORDINAL_WORDS[r] for r in sorted(self.ranks, key=lambda r: (r == LAST, r))]
        plural = "s" if len(ranks) > 1 else ""
        return f"{' et '.join(ranks)} {day}{plural} du mois"


def _rank(d: date) -> int:
    return (d.day - 1) // 7 + 1


def _last(d: date) -> bool:
    return (d + timedelta(days=7)).month != d.month


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"(\d)\s*(er|ere|re|e|eme|nd|nde)\b", r"\1\2", text)  # « 2 e » → « 2e »
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def parse_rule(text: str) -> Recurrence | None:
    """Read a French rhythm; ``None`` when ``text`` is not one (see the module docstring)."""
    words = _plain(text).split()
    days = [_WEEKDAYS[w.rstrip("s")] for w in words if w.rstrip("s") in _WEEKDAYS]
    if len(set(days)) != 1:
        return None
    weekday = days[0]
    counts = re.sub(r"\b(?:15|2) (?:jours|semaines)\b", "", " ".join(words)).split()
    if any(re.fullmatch(r"\d+(?:er|ere|re|e|eme|nd|nde)?", w) and w not in _ORDINALS for w in counts):
        return None  # « 5e mardi », « mardi 12 » : not a rhythm
    ranks = tuple(dict.fromkeys(_ORDINALS[w.rstrip("s")] for w in words if w.rstrip("s") in _ORDINALS))
    plain = " ".join(words)
    fortnight = re.search(
        r"\bsur deux\b|\b15 jours\b|\bquinze jours\b|\bdeux semaines\b|\b2 semaines\b", plain
    )
    if ranks and not fortnight:
        return Recurrence(MONTHLY, weekday, ranks)
    if fortnight and not ranks:
        return Recurrence(FORTNIGHTLY, weekday)
    if ranks or "mois" in words:
        return None
    return Recurrence(WEEKLY, weekday)
