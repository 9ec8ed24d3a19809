"""A readable difference between two versions of a plan: sessions added, removed, moved.

Sessions are matched in three passes, so that a re-plan that renames its series does not
look like a complete upheaval:

1. same series id and number, host, resource, date and start time → unchanged;
   then same host, resource, date and start time → unchanged (a re-plan renamed the series);
2. same series id and session number → moved (date, time, host or resource changed);
3. same host and session number, then same host → moved (the sessions at a commune
   shifted in time, even when a re-plan renamed their series).

What is left in the old plan was removed, what is left in the new one was added.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from planner.french import french_date, french_time
from planner.model import Plan, Session


@dataclass(frozen=True)
class SessionMove:
    """One session present in both versions but not at the same place or time."""

    before: Session
    after: Session

    @property
    def changes(self) -> tuple[str, ...]:
        """Which fields changed, among ``date``, ``start``, ``host``, ``resource``."""
        fields = ("date", "start", "host", "resource")
        return tuple(f for f in fields if getattr(self.before, f) != getattr(self.after, f))


@dataclass(frozen=True)
class PlanDiff:
    """Sessions added, removed and moved from an old plan to a new one.

    Attributes
    ----------
    added, removed
        Sessions only in the new (resp. old) plan, in date order.
    moved
        Sessions matched in both plans whose date, time, host or resource changed.
    unchanged
        Number of sessions identical in both (same host, resource, date and time).
    series_added, series_removed
        Hosts (INSEE codes) whose number of series rose (resp. fell), one entry per series.
    """

    added: tuple[Session, ...]
    removed: tuple[Session, ...]
    moved: tuple[SessionMove, ...]
    unchanged: int
    series_added: tuple[str, ...] = ()
    series_removed: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the two plans hold the same sessions."""
        return not (self.added or self.removed or self.moved)


def _slot(s: Session) -> tuple:
    return (s.host, s.resource, s.date, s.start)


def _order(s: Session) -> tuple:
    return (s.date, s.start, s.resource, s.host, s.series, s.index)


def _pair(
    old: list[Session], new: list[Session], key: Callable[[Session], tuple]
) -> tuple[list[tuple[Session, Session]], list[Session], list[Session]]:
    """Pair sessions of ``old`` and ``new`` with equal ``key`` (first come, first served)."""
    pool: dict[tuple, list[Session]] = {}
    for s in sorted(new, key=_order):
        pool.setdefault(key(s), []).append(s)
    pairs: list[tuple[Session, Session]] = []
    left_old: list[Session] = []
    for s in sorted(old, key=_order):
        bucket = pool.get(key(s))
        if bucket:
            pairs.append((s, bucket.pop(0)))
        else:
            left_old.append(s)
    left_new = sorted((s for bucket in pool.values() for s in bucket), key=_order)
    return pairs, left_old, left_new


def _series_count(plan: Plan) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in plan.series:
        counts[s.host] = counts.get(s.host, 0) + 1
    return counts


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """Compare two plans session by session.

    Parameters
    ----------
    old, new
        Two versions of a season plan (usually of the same territory and season).

    Returns
    -------
    PlanDiff
        What was added, removed and moved going from ``old`` to ``new``.
    """
    exact, old_left, new_left = _pair(
        list(old.sessions), list(new.sessions), lambda s: (*_slot(s), s.series, s.index)
    )
    same, old_left, new_left = _pair(old_left, new_left, _slot)
    by_id, old_left, new_left = _pair(old_left, new_left, lambda s: (s.series, s.index))
    by_number, old_left, new_left = _pair(old_left, new_left, lambda s: (s.host, s.index))
    by_host, old_left, new_left = _pair(old_left, new_left, lambda s: (s.host,))
    moved = sorted((SessionMove(a, b) for a, b in by_id + by_number + by_host), key=lambda m: _order(m.after))
    old_series, new_series = _series_count(old), _series_count(new)
    series_added: list[str] = []
    series_removed: list[str] = []
    for host in sorted(set(old_series) | set(new_series)):
        delta = new_series.get(host, 0) - old_series.get(host, 0)
        (series_added if delta > 0 else series_removed).extend([host] * abs(delta))
    return PlanDiff(
        added=tuple(new_left),
        removed=tuple(old_left),
        moved=tuple(moved),
        unchanged=len(exact) + len(same),
        series_added=tuple(series_added),
        series_removed=tuple(series_removed),
    )


def _place(code: str, names: Mapping[str, str]) -> str:
    return names.get(code, code)


def _when(s: Session) -> str:
    return f"{french_date(s.date)} à {french_time(s.start)}"


def describe_session(s: Session, names: Mapping[str, str] | None = None) -> str:
    """One line for a session: ``"Graçay, séance 2 du parcours S01-18100 — mardi 12 janvier 2027 à 9 h 30 (bus-1)"``."""
    names = names or {}
    return f"{_place(s.host, names)}, séance {s.index} du parcours {s.series} — {_when(s)} ({s.resource})"


def describe_move(m: SessionMove, names: Mapping[str, str] | None = None) -> str:
    """One French line saying what changed for a moved session."""
    names = names or {}
    a, b = m.before, m.after
    parts: list[str] = []
    if "host" in m.changes:
        parts.append(f"de {_place(a.host, names)} à {_place(b.host, names)}")
    if "date" in m.changes or "start" in m.changes:
        parts.append(f"du {_when(a)} au {_when(b)}")
    if "resource" in m.changes:
        parts.append(f"moyen {a.resource} → {b.resource}")
    where = _place(b.host, names) if "host" not in m.changes else f"parcours {b.series}"
    return f"{where}, séance {b.index} : " + " ; ".join(parts)


def describe_diff(diff: PlanDiff, names: Mapping[str, str] | None = None) -> list[str]:
    """The diff as French sentences, a summary first, then one line per change.

    Parameters
    ----------
    diff
        Result of :func:`diff_plans`.
    names
        ``code_insee -> commune name`` to show names instead of codes.
    """
    names = names or {}
    if diff.is_empty:
        return [f"Aucune différence : les {diff.unchanged} séances sont identiques."]
    lines = [
        f"{len(diff.added)} séance(s) ajoutée(s), {len(diff.removed)} retirée(s), "
        f"{len(diff.moved)} déplacée(s), {diff.unchanged} inchangée(s)."
    ]
    if diff.series_added:
        lines.append("Parcours en plus : " + ", ".join(_place(c, names) for c in diff.series_added) + ".")
    if diff.series_removed:
        lines.append("Parcours en moins : " + ", ".join(_place(c, names) for c in diff.series_removed) + ".")
    lines += ["Ajoutée : " + describe_session(s, names) for s in diff.added]
    lines += ["Retirée : " + describe_session(s, names) for s in diff.removed]
    lines += ["Déplacée : " + describe_move(m, names) for m in diff.moved]
    return lines


def diff_rows(diff: PlanDiff, names: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """One dict per change (for a table): ``change``, ``commune``, ``séance``, ``avant``, ``après``."""
    names = names or {}
    rows: list[dict[str, str]] = []
    for s in diff.added:
        rows.append(
            {
                "change": "ajoutée",
                "commune": _place(s.host, names),
                "séance": f"{s.series} #{s.index}",
                "avant": "",
                "après": f"{_when(s)} ({s.resource})",
            }
        )
    for s in diff.removed:
        rows.append(
            {
                "change": "retirée",
                "commune": _place(s.host, names),
                "séance": f"{s.series} #{s.index}",
                "avant": f"{_when(s)} ({s.resource})",
                "après": "",
            }
        )
    for m in diff.moved:
        a, b = m.before, m.after
        rows.append(
            {
                "change": "déplacée",
                "commune": _place(b.host, names)
                if a.host == b.host
                else f"{_place(a.host, names)} → {_place(b.host, names)}",
                "séance": f"{b.series} #{b.index}",
                "avant": f"{_when(a)} ({a.resource})",
                "après": f"{_when(b)} ({b.resource})",
            }
        )
    return rows
