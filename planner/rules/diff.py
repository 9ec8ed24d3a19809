"""A readable difference between two versions of a plan: sessions added, removed, moved.

Sessions are matched in passes, so that a re-plan that renames its series does not look like
a complete upheaval:

0. same identity (``Session.uid``, kept by re-plans and hand edits) → unchanged when host,
   resource, date and start time are the same, else moved;
1. same series id and number, host, resource, date and start time → unchanged;
   then same host, resource, date and start time → unchanged (a re-plan renamed the series);
2. same series id and session number → moved (date, time, host or resource changed);
3. same host and session number, then same host → moved (the sessions at a commune
   shifted in time, even when a re-plan renamed their series).

What is left in the old plan was removed, what is left in the new one was added.

:func:`by_commune` regroups a diff per host commune — what each commune must be told. Every
text names communes and resources, never internal identifiers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

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


def _pair_uids(
    old: list[Session], new: list[Session]
) -> tuple[list[tuple[Session, Session]], list[Session], list[Session]]:
    """Pair sessions carrying the same (non-empty) identity."""
    pool = {s.uid: s for s in new if s.uid}
    pairs: list[tuple[Session, Session]] = []
    left_old: list[Session] = []
    for s in sorted(old, key=_order):
        match = pool.pop(s.uid, None) if s.uid else None
        if match is not None:
            pairs.append((s, match))
        else:
            left_old.append(s)
    paired = {id(b) for _, b in pairs}
    left_new = [s for s in new if id(s) not in paired]
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
    by_uid, old_left, new_left = _pair_uids(list(old.sessions), list(new.sessions))
    kept = [(a, b) for a, b in by_uid if _slot(a) == _slot(b)]
    uid_moved = [(a, b) for a, b in by_uid if _slot(a) != _slot(b)]
    exact, old_left, new_left = _pair(old_left, new_left, lambda s: (*_slot(s), s.series, s.index))
    same, old_left, new_left = _pair(old_left, new_left, _slot)
    by_id, old_left, new_left = _pair(old_left, new_left, lambda s: (s.series, s.index))
    by_number, old_left, new_left = _pair(old_left, new_left, lambda s: (s.host, s.index))
    by_host, old_left, new_left = _pair(old_left, new_left, lambda s: (s.host,))
    pairs = uid_moved + by_id + by_number + by_host
    moved = sorted((SessionMove(a, b) for a, b in pairs), key=lambda m: _order(m.after))
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
        unchanged=len(kept) + len(exact) + len(same),
        series_added=tuple(series_added),
        series_removed=tuple(series_removed),
    )


def _place(code: str, names: Mapping[str, str]) -> str:
    return names.get(code, code)


def _when(s: Session) -> str:
    return f"{french_date(s.date)} à {french_time(s.start)}"


def resource_names(plan: Plan) -> dict[str, str]:
    """``resource id -> name`` (:attr:`planner.model.Resource.name`) of a plan's resources."""
    return {r.id: r.name for r in plan.resources}


def describe_session(
    s: Session, names: Mapping[str, str] | None = None, resources: Mapping[str, str] | None = None
) -> str:
    """One line for a session: ``"Graçay, séance 2 — mardi 12 janvier 2027 à 9 h 30 (Bus numérique)"``."""
    names, resources = names or {}, resources or {}
    return f"{_place(s.host, names)}, séance {s.index} — {_when(s)} ({resources.get(s.resource, s.resource)})"


def describe_move(
    m: SessionMove, names: Mapping[str, str] | None = None, resources: Mapping[str, str] | None = None
) -> str:
    """One French line saying what changed for a moved session."""
    names, resources = names or {}, resources or {}
    a, b = m.before, m.after
    parts: list[str] = []
    if "host" in m.changes:
        parts.append(f"de {_place(a.host, names)} à {_place(b.host, names)}")
    if "date" in m.changes or "start" in m.changes:
        parts.append(f"du {_when(a)} au {_when(b)}")
    if "resource" in m.changes:
        parts.append(f"{resources.get(a.resource, a.resource)} → {resources.get(b.resource, b.resource)}")
    where = _place(b.host, names) if "host" not in m.changes else _place(a.host, names)
    return f"{where}, séance {b.index} : " + " ; ".join(parts)


def describe_diff(
    diff: PlanDiff, names: Mapping[str, str] | None = None, resources: Mapping[str, str] | None = None
) -> list[str]:
    """The diff as French sentences, a summary first, then one line per change.

    Parameters
    ----------
    diff
        Result of :func:`diff_plans`.
    names
        ``code_insee -> commune name`` to show names instead of codes.
    resources
        ``resource id -> name`` (:func:`resource_names`).
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
    lines += ["Ajoutée : " + describe_session(s, names, resources) for s in diff.added]
    lines += ["Retirée : " + describe_session(s, names, resources) for s in diff.removed]
    lines += ["Déplacée : " + describe_move(m, names, resources) for m in diff.moved]
    return lines


def diff_rows(
    diff: PlanDiff, names: Mapping[str, str] | None = None, resources: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """One dict per change (for a table): ``change``, ``commune``, ``séance``, ``avant``, ``après``."""
    names, resources = names or {}, resources or {}

    def at(s: Session) -> str:
        return f"{_when(s)} ({resources.get(s.resource, s.resource)})"

    rows: list[dict[str, str]] = []
    for s in diff.added:
        rows.append(
            {
                "change": "ajoutée",
                "commune": _place(s.host, names),
                "séance": f"n° {s.index}",
                "avant": "",
                "après": at(s),
            }
        )
    for s in diff.removed:
        rows.append(
            {
                "change": "retirée",
                "commune": _place(s.host, names),
                "séance": f"n° {s.index}",
                "avant": at(s),
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
                "séance": f"n° {b.index}",
                "avant": at(a),
                "après": at(b),
            }
        )
    return rows


@dataclass(frozen=True)
class CommuneChanges:
    """What changed for one host commune between two versions: what it must be told.

    ``moved`` holds the moves staying at this commune; a session moved to another commune is
    ``removed`` here and ``added`` there. ``kept`` lists the sessions that did not change.
    """

    code_insee: str
    kept: tuple[Session, ...] = ()
    moved: tuple[SessionMove, ...] = ()
    added: tuple[Session, ...] = ()
    removed: tuple[Session, ...] = ()
    lines: tuple[str, ...] = field(default=(), compare=False)

    @property
    def changed(self) -> bool:
        """True when the commune has something new to hear."""
        return bool(self.moved or self.added or self.removed)


def by_commune(old: Plan, new: Plan, names: Mapping[str, str] | None = None) -> dict[str, CommuneChanges]:
    """:func:`diff_plans` regrouped per host commune of either version (communes without any
    change included, with their kept sessions), with one French line per change."""
    names = names or {}
    resources = {**resource_names(old), **resource_names(new)}
    diff = diff_plans(old, new)
    moved_keys = {id(m.after) for m in diff.moved} | {id(s) for s in diff.added}
    hosts = sorted({s.host for s in (*old.sessions, *new.sessions)}, key=lambda c: (names.get(c, c), c))
    out: dict[str, CommuneChanges] = {}
    for code in hosts:
        kept = tuple(
            sorted((s for s in new.sessions if s.host == code and id(s) not in moved_keys), key=_order)
        )
        moved = tuple(m for m in diff.moved if m.before.host == code and m.after.host == code)
        added = tuple(s for s in diff.added if s.host == code) + tuple(
            m.after for m in diff.moved if m.after.host == code and m.before.host != code
        )
        removed = tuple(s for s in diff.removed if s.host == code) + tuple(
            m.before for m in diff.moved if m.before.host == code and m.after.host != code
        )
        lines = [f"Déplacée : {describe_move(m, names, resources)}" for m in moved]
        lines += [f"Ajoutée : {describe_session(s, names, resources)}" for s in sorted(added, key=_order)]
        lines += [f"Annulée : {describe_session(s, names, resources)}" for s in sorted(removed, key=_order)]
        out[code] = CommuneChanges(
            code,
            kept,
            moved,
            tuple(sorted(added, key=_order)),
            tuple(sorted(removed, key=_order)),
            tuple(lines),
        )
    return out
