"""Who came back, as counts: for one parcours, how many people came to 1, 2, … of its sessions.

A source that follows people from one session to the next (the Coop export names them) gives
these counts; the names are used during the import only, to count, and never kept. A sheet
that only counts heads cannot tell whether the same people came back: there is then no
:class:`SeriesAttendance` for the parcours, and the figures say so.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from planner.errors import InputError

#: « Most sessions » of a parcours: at least this share of its held sessions (4 of 5, 3 of 4).
MOST_SHARE = 0.75


def most_threshold(sessions: int) -> int:
    """Sessions that make « most » of ``sessions``: ``ceil(MOST_SHARE × sessions)`` (at least 1)."""
    return max(1, math.ceil(MOST_SHARE * sessions - 1e-9))


@dataclass(frozen=True)
class SeriesAttendance:
    """Repeat attendance of one parcours, as the source saw it.

    Parameters
    ----------
    series
        The parcours id in the plan.
    session_uids
        The held sessions the source covered (their ``uid``).
    by_sessions
        Number of sessions attended → number of people (identified people only).
    anonymous
        Participations of people the source does not identify (« Bénéficiaire anonyme »): they
        count as participants but cannot be followed from one session to the next.
    """

    series: str
    session_uids: tuple[str, ...]
    by_sessions: Mapping[int, int] = field(default_factory=dict)
    anonymous: int = 0

    def __post_init__(self) -> None:
        covered = len(self.session_uids)
        if covered < 1 or len(set(self.session_uids)) != covered:
            raise InputError(f"assiduité du parcours « {self.series} » : séances couvertes invalides")
        for k, n in self.by_sessions.items():
            if not 1 <= k <= covered or n < 0:
                raise InputError(
                    f"assiduité du parcours « {self.series} » : {n} personne(s) venue(s) à {k} séance(s) "
                    f"sur {covered}"
                )
        if self.anonymous < 0:
            raise InputError(f"assiduité du parcours « {self.series} » : participations anonymes négatives")
        object.__setattr__(self, "session_uids", tuple(sorted(self.session_uids)))
        object.__setattr__(
            self, "by_sessions", MappingProxyType({k: n for k, n in sorted(self.by_sessions.items()) if n})
        )

    @property
    def sessions_covered(self) -> int:
        """Held sessions the counts are about."""
        return len(self.session_uids)

    @property
    def people(self) -> int:
        """Identified people who came at least once."""
        return sum(self.by_sessions.values())

    def came_at_least(self, sessions: int) -> int:
        """Identified people who came to at least ``sessions`` sessions."""
        return sum(n for k, n in self.by_sessions.items() if k >= sessions)

    @property
    def came_all(self) -> int:
        """Identified people who came to every covered session."""
        return self.came_at_least(self.sessions_covered)

    @property
    def came_most(self) -> int:
        """Identified people who came to most covered sessions (see :func:`most_threshold`)."""
        return self.came_at_least(most_threshold(self.sessions_covered))


def attendance_from_people(
    series: str, people_by_session: Mapping[str, Iterable[int]], anonymous: int = 0
) -> SeriesAttendance:
    """Count repeat attendance from the people seen at each session.

    Parameters
    ----------
    series
        The parcours id.
    people_by_session
        Session ``uid`` → numbers standing for the identified people present (numbers valid
        within one import only, never names).
    anonymous
        Participations of unidentified people.
    """
    seen: Counter[int] = Counter()
    for people in people_by_session.values():
        seen.update(set(people))
    return SeriesAttendance(
        series=series,
        session_uids=tuple(people_by_session),
        by_sessions=Counter(seen.values()),
        anonymous=anonymous,
    )
