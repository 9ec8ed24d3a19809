"""The season calendar: French public holidays, school holidays, closed dates, open days, and
the days of a permanence's rhythm (:func:`rhythm_days`).

Public holidays come from the ``holidays`` package (``holidays.France``, French names).
That package has no school-holiday category for France, so school holidays are read from
``data/vacances_scolaires.csv``: one row per holiday period and zone (``zone, debut, fin, nom``,
ISO dates, both ends included, the days without class as the Ministry's dataset lists them).

Source of ``data/vacances_scolaires.csv``: the data.gouv.fr dataset « Vacances scolaires par
zones » (ministère de l'Éducation nationale, Licence Ouverte 2.0), as redistributed in the PyPI
package ``vacances-scolaires-france==0.12.0`` (MIT, file ``data/data.csv``), school years
2024-2025 to 2027-2028, turned from one row per day into one row per period. The two
Ascension bridges missing from that file (29–31 May 2025 and 14–16 May 2026) were added from
the official calendars (arrêtés fixing the calendar of the school years 2024-2025 and 2025-2026).
Zones since 2016: A = Besançon, Bordeaux, Clermont-Ferrand, Dijon, Grenoble, Limoges, Lyon,
Poitiers; B = Aix-Marseille, Amiens, Caen, Lille, Nancy-Metz, Nantes, Nice, **Orléans-Tours**
(Centre-Val de Loire), Reims, Rennes, Rouen, Strasbourg; C = Créteil, Montpellier, Paris,
Toulouse, Versailles.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import cache

import holidays

from planner import DATA_DIR
from planner.errors import InputError
from planner.model import Season
from planner.rhythm import Rhythm

SCHOOL_ZONES: tuple[str, ...] = ("A", "B", "C")
SCHOOL_HOLIDAYS_FILE = DATA_DIR / "vacances_scolaires.csv"
#: First and last day the school-holiday table speaks for (school years 2024-2025 … 2027-2028).
SCHOOL_CALENDAR_START = date(2024, 9, 2)
SCHOOL_CALENDAR_END = date(2028, 8, 31)
CLOSED_REASON = "Fermeture"


def _days(start: date, end: date) -> Iterable[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def french_public_holidays(start: date, end: date) -> dict[date, str]:
    """French public holidays (metropolitan France) between ``start`` and ``end`` included.

    Parameters
    ----------
    start, end
        Bounds of the period, both included.

    Returns
    -------
    dict[date, str]
        Date → French name (``"Lundi de Pâques"``, ``"Fête nationale"``…), sorted by date.
    """
    if end < start:
        return {}
    calendar = holidays.France(years=range(start.year, end.year + 1), language="fr")
    return {d: str(name) for d, name in sorted(calendar.items()) if start <= d <= end}


@cache
def _school_periods() -> tuple[tuple[str, date, date, str], ...]:
    with SCHOOL_HOLIDAYS_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(
            (row["zone"], date.fromisoformat(row["debut"]), date.fromisoformat(row["fin"]), row["nom"])
            for row in csv.DictReader(handle)
        )


def school_holidays(start: date, end: date, zone: str) -> dict[date, str]:
    """Days of French school holidays of ``zone`` between ``start`` and ``end`` included.

    Parameters
    ----------
    start, end
        Bounds of the period, both included; they must lie within the known school years
        (:data:`SCHOOL_CALENDAR_START` … :data:`SCHOOL_CALENDAR_END`).
    zone
        ``"A"``, ``"B"`` or ``"C"`` (Centre-Val de Loire, académie d'Orléans-Tours, is zone B).

    Returns
    -------
    dict[date, str]
        Date → ``"Vacances d'hiver (zone B)"``…, sorted by date.

    Raises
    ------
    InputError
        Unknown zone, or a period the embedded calendar does not cover.
    """
    zone = (zone or "").strip().upper()
    if zone not in SCHOOL_ZONES:
        raise InputError(f"zone de vacances scolaires inconnue : « {zone} » (attendu : A, B ou C)")
    if end < start:
        return {}
    if start < SCHOOL_CALENDAR_START or end > SCHOOL_CALENDAR_END:
        raise InputError(
            "le calendrier des vacances scolaires n'est connu que du "
            f"{SCHOOL_CALENDAR_START:%d/%m/%Y} au {SCHOOL_CALENDAR_END:%d/%m/%Y} : "
            "ajoutez les fermetures à la main pour les autres dates"
        )
    found: dict[date, str] = {}
    for period_zone, first, last, name in _school_periods():
        if period_zone != zone:
            continue
        for day in _days(max(first, start), min(last, end)):
            found[day] = f"{name} (zone {zone})"
    return dict(sorted(found.items()))


def build_season(
    start: date,
    end: date,
    *,
    extra_closed: Iterable[date] = (),
    school_zone: str | None = None,
) -> Season:
    """The season from ``start`` to ``end`` with its closed dates and their French reasons.

    Closed dates are the public holidays, the ``extra_closed`` dates (reason ``"Fermeture"``,
    or the value when ``extra_closed`` is a ``{date: reason}`` mapping) and, when
    ``school_zone`` is given, the school holidays of that zone. A date closed for several
    reasons keeps the first of: public holiday, extra closure, school holiday. Dates outside
    the season are ignored.

    Raises
    ------
    InputError
        ``end`` before ``start``, an unknown zone, or school holidays asked outside the
        embedded calendar.
    """
    if end < start:
        raise InputError("la fin de saison précède son début")
    reasons: dict[date, str] = {}
    if school_zone:
        reasons.update(school_holidays(start, end, school_zone))
    extra_reasons = extra_closed if isinstance(extra_closed, Mapping) else dict.fromkeys(extra_closed)
    for day, reason in extra_reasons.items():
        if not isinstance(day, date):
            raise InputError(f"date de fermeture invalide : « {day} »")
        if start <= day <= end:
            reasons[day] = str(reason) if reason else CLOSED_REASON
    reasons.update(french_public_holidays(start, end))
    reasons = dict(sorted(reasons.items()))
    return Season(start=start, end=end, closed_dates=frozenset(reasons), closed_reasons=reasons)


def open_days(season: Season, weekdays: tuple[int, ...]) -> list[date]:
    """The season's open dates falling on ``weekdays`` (0 = Monday … 6 = Sunday), sorted."""
    wanted = set(weekdays)
    return [d for d in _days(season.start, season.end) if d.weekday() in wanted and season.is_open(d)]


def rhythm_days(season: Season, rhythm: Rhythm) -> tuple[list[date], dict[date, str]]:
    """The days of a permanence's rhythm (« le 2e mardi du mois ») in the season: the open ones,
    and the closed ones with their reason (a permanence that falls on a public holiday is not
    held that month, it does not move: people come on the day they know).

    Returns
    -------
    tuple[list[date], dict[date, str]]
        Open days in order; skipped day → French reason (« Lundi de Pâques », « Fermeture »…).
    """
    held, skipped = [], {}
    for day in rhythm.dates(season.start, season.end):
        if season.is_open(day):
            held.append(day)
        else:
            skipped[day] = season.closed_reasons.get(day, CLOSED_REASON)
    return held, skipped
