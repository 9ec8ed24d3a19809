"""French spelling of dates and times, shared by the diff, the exports and the pages."""

from __future__ import annotations

import math
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


def french_number(value: float) -> str:
    """A number as French users write it, shortest form: ``-1.5`` → ``"−1,5"``, ``2.0`` → ``"2"``."""
    return f"{value:g}".replace(".", ",").replace("-", "−")


#: Plan kinds and solver statuses in words, for every place that shows them.
PLAN_KIND_FR: dict[str, str] = {
    "optimised": "Plan optimisé",
    "baseline": "Plan de référence (saupoudrage)",
    "greedy": "Plan glouton",
    "tour": "Tournée actuelle",
}
PLAN_STATUS_FR: dict[str, str] = {
    "OPTIMAL": "optimal prouvé",
    "FEASIBLE": "bon plan, optimalité non prouvée",
    "STOPPED": "arrêté avant la fin",
    "HEURISTIC": "méthode simple, sans preuve",
    "EDITED": "ajusté à la main",
    "SCORED": "tournée évaluée, sans preuve",
}


def plan_status_fr(metrics) -> str:
    """The solver status of a plan in words, with its distance to the optimum when not proven.

    « optimal prouvé » only for ``OPTIMAL`` (proven for the problem asked, see
    :class:`planner.model.PlanMetrics`); a plan found by search but not proven optimal says how far
    from the optimum it can be at most: « à 0,4 % au plus de l'optimum », and how many zones of a
    split territory kept the simple plan (``greedy_parts``). A plan file holds the status, the gap
    and those zones, so the words are recomputable from it.
    """
    words = PLAN_STATUS_FR.get(metrics.status, metrics.status.lower())
    if metrics.status not in ("FEASIBLE", "STOPPED") or not math.isfinite(metrics.gap):
        return words
    digits = 2 if metrics.gap < 0.001 else 1 if metrics.gap < 0.1 else 0
    shown = math.ceil(100 * metrics.gap * 10**digits - 1e-9) / 10**digits  # « au plus »: round up
    gap = f"à {french_decimal(shown, digits)} % au plus de l'optimum"
    words = gap if metrics.status == "FEASIBLE" else f"{words}, {gap}"
    parts = getattr(metrics, "greedy_parts", 0)
    if parts:
        words += f" ; {parts} zone(s) sans solution trouvée à temps : plan simple gardé"
    return words


THIN_SPACE = "\u202f"  # narrow no-break space: the French thousands separator


def french_decimal(value: float | None, decimals: int = 0, *, sep: str = THIN_SPACE) -> str:
    """A number with thousands grouped and a decimal comma: ``12345.6`` → ``"12 345,6"``.

    ``"—"`` when the value is missing (``None``, NaN or infinite); ``-0`` reads ``0``.
    """
    if value is None or not math.isfinite(value):
        return "—"
    text = f"{value:,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", sep)
    return "0" if text == "-0" else text
