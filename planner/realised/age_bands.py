"""Age bands of participants, as the Coop de la médiation numérique writes them and as sheets do.

A band has a canonical key: ``"60-69"`` (60 to 69 years), ``"70+"`` (70 and over); the Coop's
bands are :data:`COOP_AGE_BANDS`. Texts such as « 60 - 69 ans », « 70 ans et plus »,
« Moins de 12 ans », « 60 à 69 », « 75+ » are read; « Non communiqué » means unknown.
"""

from __future__ import annotations

import re
import unicodedata

from planner.errors import InputError

#: The Coop's bands, youngest first (``trancheAgeLabels`` of its source).
COOP_AGE_BANDS: tuple[str, ...] = ("0-11", "12-17", "18-24", "25-39", "40-59", "60-69", "70+")

_KEY = re.compile(r"^(\d{1,3})-(\d{1,3})$|^(\d{1,3})\+$")
_RANGE = re.compile(r"^(?:de\s+)?(\d{1,3})\s*(?:ans)?\s*(?:-|–|a|à)\s*(\d{1,3})(?:\s*ans)?$")
_PLUS = re.compile(r"^(?:plus\s+de\s+)?(\d{1,3})\s*(?:ans)?\s*(?:\+|et\s+plus|ou\s+plus|et\s+\+)?$")
_UNDER = re.compile(r"^(?:moins\s+de|<)\s*(\d{1,3})(?:\s*ans)?$")
_UNKNOWN = {"non communique", "non renseigne", "inconnu", "nc", "-", ""}


def _fold(text: str) -> str:
    text = (
        unicodedata.normalize("NFKD", str(text).replace("’", "'")).encode("ascii", "ignore").decode().lower()
    )
    return " ".join(text.replace("\u00a0", " ").split())


def check_age_band(key: str) -> str:
    """Return ``key`` if it is a canonical band key (``"60-69"``, ``"70+"``), else raise."""
    m = _KEY.match(key)
    if not m or (m.group(1) is not None and int(m.group(1)) > int(m.group(2))):
        raise InputError(f"tranche d'âge invalide : « {key} » (ex. 60-69 ou 70+)")
    return key


def parse_age_band(text: str) -> str | None:
    """The canonical key of an age band text; ``None`` when the text says the age is unknown.

    Raises
    ------
    InputError
        When the text is not an age band.

    Examples
    --------
    >>> parse_age_band("60 - 69 ans"), parse_age_band("70 ans et plus"), parse_age_band("Moins de 12 ans")
    ('60-69', '70+', '0-11')
    """
    folded = _fold(text)
    if folded in _UNKNOWN:
        return None
    if m := _RANGE.match(folded):
        return check_age_band(f"{int(m.group(1))}-{int(m.group(2))}")
    if (m := _PLUS.match(folded)) and ("+" in folded or "plus" in folded):
        return f"{int(m.group(1))}+"
    if m := _UNDER.match(folded):
        return check_age_band(f"0-{int(m.group(1)) - 1}")
    raise InputError(f"tranche d'âge illisible : « {str(text).strip()} » (ex. 60 - 69 ans, 70 ans et plus)")


def is_age_band(text: str) -> bool:
    """True when ``text`` names an age band (an unknown age does not count)."""
    try:
        return parse_age_band(text) is not None
    except InputError:
        return False


def age_band_label(key: str) -> str:
    """French label of a band key: ``"60-69"`` → ``"60 à 69 ans"``, ``"70+"`` → ``"70 ans et plus"``."""
    check_age_band(key)
    if key.endswith("+"):
        return f"{key[:-1]} ans et plus"
    low, high = key.split("-")
    return f"moins de {int(high) + 1} ans" if low == "0" else f"{low} à {high} ans"


def age_band_order(key: str) -> tuple[int, int]:
    """Sort key: youngest band first."""
    check_age_band(key)
    if key.endswith("+"):
        return (int(key[:-1]), 999)
    low, high = key.split("-")
    return (int(low), int(high))
