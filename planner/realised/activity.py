"""One line of an import, already aggregated: what a matcher needs and nothing personal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from types import MappingProxyType


@dataclass(frozen=True)
class Activity:
    """An activity read from a file (a Coop « compte rendu d'activité », a sheet's line).

    Parameters
    ----------
    row
        The file's line, as a spreadsheet shows it (for messages).
    date
        Day of the activity.
    place
        The place as written (« Médiathèque, 18100 Vierzon »), for messages.
    commune
        INSEE code of the place; ``""`` when it could not be read (see ``problem``).
    participants
        People present (0 for a cancelled session).
    start
        Start time when the source gives one (the Coop does not).
    cancel_reason
        A key of :data:`~planner.realised.outcome.CANCEL_REASONS` when the line says the
        session did not take place.
    age_bands, residence
        Participants per age band key and per INSEE code of residence (unknown ones left out).
    attendees
        Numbers standing for the identified participants, valid within one import only, so
        that repeat attendance can be counted; never names, never stored.
    anonymous
        Participants the source does not identify.
    problem
        Why this activity cannot be a session of the plan (place not found, remote support…);
        ``""`` when it can.
    """

    row: int
    date: date
    place: str
    commune: str
    participants: int
    start: time | None = None
    cancel_reason: str = ""
    age_bands: Mapping[str, int] = field(default_factory=dict)
    residence: Mapping[str, int] = field(default_factory=dict)
    attendees: tuple[int, ...] = ()
    anonymous: int = 0
    problem: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "age_bands", MappingProxyType(dict(self.age_bands)))
        object.__setattr__(self, "residence", MappingProxyType(dict(self.residence)))
        if not self.commune and not self.problem:
            raise ValueError("an activity without a commune needs a problem")


@dataclass(frozen=True)
class ActivityFile:
    """What a file gave: its kind (``"coop"`` or ``"sheet"``), its activities and warnings.

    ``warnings`` are French sentences about lines or cells read in part (a commune of
    residence not found, a line without participants); nothing in them is personal.
    """

    source: str
    activities: tuple[Activity, ...]
    warnings: tuple[str, ...] = ()
