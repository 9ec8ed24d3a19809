"""French spelling of dates and times, shared by the diff, the exports and the pages."""

from __future__ import annotations

from datetime import date, time

WEEKDAY_NAMES_FR: tuple[str, ...] = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR: tuple[str, ...] = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_date(day: date, *, weekday: bool = True) -> str:
    """``date(2027, 1, 12)`` → ``"mardi 12 janvier 2027"`` (``weekday=False``: ``"12 janvier 2027"``)."""
    first = "1er" if day.day == 1 else str(day.day)
    text = f"{first} {MONTHS_FR[day.month - 1]} {day.year}"
    return f"{WEEKDAY_NAMES_FR[day.weekday()]} {text}" if weekday else text


def french_time(t: time) -> str:
    """``time(9, 30)`` → ``"9 h 30"``."""
    return f"{t.hour} h {t.minute:02d}"
