"""The national standard of digital-mediation places (« schéma de données des lieux de médiation
numérique » v1.0.2, Table Schema), shipped in ``data/standards`` and read without network.

Aller-vers writes its itinerant stops in this format (:mod:`planner.publish.lieux`) and reads
fixed places in it (:func:`planner.territory.fixed_sites.read_lieux_file`). This module holds what
both need: the schema, its checks (required fields, patterns, lengths, types, unique ids) and the
OpenStreetMap ``opening_hours`` text of a list of dated time slots.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time
from functools import lru_cache
from typing import Any

from planner import DATA_DIR

SCHEMA_FILE = DATA_DIR / "standards" / "schema-lieux-mediation-numerique-v1.0.2.json"
SCHEMA_VERSION = "v1.0.2"
LIST_SEPARATOR = "|"
ITINERANT, FIXED = "Itinérant", "Fixe"
_MONTHS_OSM = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The shipped schema (parsed JSON)."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def field_names() -> tuple[str, ...]:
    """The schema's fields, in its order (the CSV's columns)."""
    return tuple(f["name"] for f in schema()["fields"])


def required_fields() -> tuple[str, ...]:
    """Fields the schema marks as required."""
    return tuple(f["name"] for f in schema()["fields"] if f.get("constraints", {}).get("required"))


@lru_cache(maxsize=1)
def _checks() -> dict[str, tuple[dict, re.Pattern | None]]:
    out = {}
    for f in schema()["fields"]:
        pattern = f.get("constraints", {}).get("pattern")
        out[f["name"]] = (f, re.compile(pattern) if pattern else None)
    return out


def value_error(name: str, value: str) -> str | None:
    """Why ``value`` is not valid for field ``name`` (French), or ``None`` when it is.

    Checks what the schema says of the field: required, pattern (matched on the whole value, as
    Table Schema does), maximum length, number and date types.
    """
    field, pattern = _checks()[name]
    constraints = field.get("constraints", {})
    text = "" if value is None else str(value)
    if text == "":
        return "valeur obligatoire dans le schéma national" if constraints.get("required") else None
    if pattern is not None and not pattern.fullmatch(text):
        return f"valeur « {text[:80]} » hors du format du schéma national"
    limit = constraints.get("maxLength")
    if limit is not None and len(text) > limit:
        return f"texte trop long : {len(text)} caractères pour {limit} au plus"
    if field.get("type") == "number":
        try:
            float(text)
        except ValueError:
            return f"nombre attendu, lu « {text[:40]} »"
    if field.get("type") == "date":
        try:
            date.fromisoformat(text)
        except ValueError:
            return f"date AAAA-MM-JJ attendue, lu « {text[:40]} »"
    return None


def row_errors(rows: Sequence[Mapping[str, str]]) -> list[tuple[int, str, str]]:
    """``(row index, field, message)`` of every value the schema refuses, and repeated ids."""
    errors = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        for name in field_names():
            message = value_error(name, row.get(name, ""))
            if message:
                errors.append((i, name, message))
        key = row.get("id", "")
        if key in seen:
            errors.append((i, "id", f"identifiant « {key} » en double (déjà ligne {seen[key] + 2})"))
        seen.setdefault(key, i)
    return errors


def split_list(text: str) -> tuple[str, ...]:
    """A list field (``a|b``) as a tuple of stripped values."""
    return tuple(x.strip() for x in (text or "").split(LIST_SEPARATOR) if x.strip())


def opening_hours(slots: Iterable[tuple[date, time, time]]) -> str:
    """Dated time slots in OpenStreetMap ``opening_hours`` syntax.

    One rule per day, the day's slots joined by commas: ``2027 Jan 05 09:00-12:00,14:00-17:00;
    2027 Jan 12 09:00-12:00``. Each rule names its full date, so no rule overrides another.
    """
    by_day: dict[date, list[tuple[time, time]]] = {}
    for day, start, end in slots:
        by_day.setdefault(day, []).append((start, end))
    rules = []
    for day in sorted(by_day):
        times = ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in sorted(set(by_day[day])))
        rules.append(f"{day.year} {_MONTHS_OSM[day.month - 1]} {day.day:02d} {times}")
    return "; ".join(rules)


def french_phone_e164(phone: str) -> str:
    """``02 48 51 42 07`` → ``+33248514207`` (the schema's format); empty when not a French number."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    return "+33" + digits[1:] if re.fullmatch(r"0[1-9]\d{8}", digits) else ""
