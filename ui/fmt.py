"""French formatting of numbers and dates for the UI (no streamlit import: usable anywhere).

French typography: thousands separated by a narrow no-break space, decimal comma,
a no-break space before ``%``. Plain spaces would break lines inside numbers.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from planner.french import french_date, french_decimal

THIN = "\u202f"  # narrow no-break space (thousands separator)
NBSP = "\u00a0"  # no-break space (before % and units)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fr_int(value: float | int | None, *, sep: str = " ") -> str:
    """``12345 -> "12 345"`` (rounded to the nearest integer; ``"–"`` when missing).

    ``sep`` is the thousands separator: a plain space by default (as the contract expects),
    pass :data:`THIN` for typographic output.
    """
    if _missing(value):
        return "–"
    text = f"{round(float(value)):,d}"
    return text.replace(",", sep).replace("-", "−")


def fr_float(value: float | None, digits: int = 1, *, sep: str = " ") -> str:
    """``1234.56, 1 -> "1 234,6"``; ``"–"`` when missing."""
    if _missing(value):
        return "–"
    return french_decimal(float(value), digits, sep=sep).replace("-", "−")


def fr_pct(value: float | None, digits: int = 0, *, ratio: bool = True) -> str:
    """Percentage: ``0.256 -> "26 %"`` (``ratio=False`` when the value is already in %)."""
    if _missing(value):
        return "–"
    pct = float(value) * 100.0 if ratio else float(value)
    return f"{fr_float(pct, digits)}{NBSP}%"


def fr_date(value: date | datetime | None, *, weekday: bool = False) -> str:
    """``date(2026, 3, 1) -> "1er mars 2026"`` (``weekday=True``: ``"dimanche 1er mars 2026"``)."""
    if value is None:
        return "–"
    return french_date(value, weekday=weekday)


def fr_date_short(value: date | None) -> str:
    """``date(2026, 3, 1) -> "01/03/2026"``."""
    return "–" if value is None else value.strftime("%d/%m/%Y")
