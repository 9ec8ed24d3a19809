"""Which planned session an activity belongs to: same commune, same day, same time of day.

Tolerances (the reasons are in the constants' comments):

- **commune**: the activity's commune must be the session's host commune, exactly;
- **day**: the same day; failing that, a session of that commune at most
  :data:`DATE_TOLERANCE_DAYS` day away (an activity typed in the evening or the next morning
  with the day of typing). Sessions of one parcours are a week apart, so this never hesitates
  between two sessions of a parcours;
- **time**: only when the source gives a start time (the Coop export does not): the time must
  fall between :data:`TIME_TOLERANCE_MINUTES` before the session's start and its end.

Several activities may belong to one session (a mediator often writes one individual
« accompagnement » per person helped during a bus session): they add up. An activity that fits
no session is *unmatched*; one that fits several is *ambiguous*; both are listed, never dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from planner.french import french_date, french_time
from planner.model import Session
from planner.realised.activity import Activity

#: An activity may be dated one day off its session (typed the evening or the morning after).
DATE_TOLERANCE_DAYS = 1
#: A start time may be this early (people arriving before the bus opens) and up to the session's end.
TIME_TOLERANCE_MINUTES = 60


@dataclass(frozen=True)
class Unmatched:
    """An activity that fits no planned session, and why (in French)."""

    activity: Activity
    reason: str


@dataclass(frozen=True)
class Ambiguous:
    """An activity that fits several planned sessions (their ``uid``), and why (in French)."""

    activity: Activity
    candidates: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Matching:
    """Activities by the ``uid`` of the session they belong to, and those left aside."""

    matched: Mapping[str, tuple[Activity, ...]] = field(default_factory=dict)
    unmatched: tuple[Unmatched, ...] = ()
    ambiguous: tuple[Ambiguous, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "matched", MappingProxyType(dict(self.matched)))

    @property
    def activities_matched(self) -> int:
        """Activities attached to a session."""
        return sum(len(v) for v in self.matched.values())


def _minutes(t) -> int:
    return t.hour * 60 + t.minute


def _fits_time(activity: Activity, s: Session) -> bool:
    if activity.start is None:
        return True
    start = _minutes(activity.start)
    return _minutes(s.start) - TIME_TOLERANCE_MINUTES <= start <= _minutes(s.end)


def _times(sessions: Iterable[Session]) -> str:
    return ", ".join(french_time(s.start) for s in sorted(sessions, key=lambda s: s.start))


def match_activity(
    activity: Activity, sessions_by_host: Mapping[str, list[Session]], name: Callable[[str], str]
) -> Session | Unmatched | Ambiguous:
    """The session ``activity`` belongs to, or why there is none or several."""
    if activity.problem:
        return Unmatched(activity, activity.problem)
    where = name(activity.commune)
    at_host = sessions_by_host.get(activity.commune, [])
    if not at_host:
        return Unmatched(activity, f"{where} n'accueille aucune séance de ce plan")
    near = [s for s in at_host if abs((s.date - activity.date).days) <= DATE_TOLERANCE_DAYS]
    same_day = [s for s in near if s.date == activity.date]
    near = same_day or near
    day = french_date(activity.date)
    if not near:
        return Unmatched(activity, f"aucune séance prévue à {where} le {day}")
    fitting = [s for s in near if _fits_time(activity, s)]
    if not fitting:
        return Unmatched(
            activity,
            f"aucune séance à {where} vers {french_time(activity.start)} le {day} (séances prévues : {_times(near)})",
        )
    days = {s.date for s in fitting}
    if len(fitting) > 1:
        hint = "précisez l'heure" if len(days) == 1 else "précisez la date"
        return Ambiguous(
            activity,
            tuple(s.uid for s in fitting),
            f"{len(fitting)} séances possibles à {where} autour du {day} ({_times(fitting)}) : {hint}",
        )
    return fitting[0]


def match_activities(
    activities: Iterable[Activity], sessions: Iterable[Session], name: Callable[[str], str] = str
) -> Matching:
    """Attach each activity to its planned session (see the module's docstring for the tolerances).

    Parameters
    ----------
    activities
        Activities read from a file.
    sessions
        The plan's sessions (each with its ``uid``).
    name
        INSEE code → commune name, for the French reasons.
    """
    by_host: dict[str, list[Session]] = defaultdict(list)
    for s in sessions:
        by_host[s.host].append(s)
    matched: dict[str, list[Activity]] = defaultdict(list)
    unmatched: list[Unmatched] = []
    ambiguous: list[Ambiguous] = []
    for a in activities:
        found = match_activity(a, by_host, name)
        if isinstance(found, Unmatched):
            unmatched.append(found)
        elif isinstance(found, Ambiguous):
            ambiguous.append(found)
        else:
            matched[found.uid].append(a)
    return Matching({u: tuple(v) for u, v in matched.items()}, tuple(unmatched), tuple(ambiguous))


__all__ = [
    "DATE_TOLERANCE_DAYS",
    "TIME_TOLERANCE_MINUTES",
    "Ambiguous",
    "Matching",
    "Unmatched",
    "match_activities",
    "match_activity",
]
