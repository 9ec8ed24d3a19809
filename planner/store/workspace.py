"""The coordination's workspace per territory: settings, current plan, locks, notifications.

What a coordinator set up (resources, season, rules: ``settings``, a JSON object the pages
define) and the plan in force are kept server-side, per territory, so that a reload or a new
sign-in finds them again, and two coordinators work on the same plan.

*Optimistic versioning.* Every change raises the workspace's ``revision``. A page keeps the
:class:`Base` it last saw (current version, revision, locked sessions) and gives it back with
its change:

- :func:`set_locks` changes locks one by one on the current version: two coordinators locking
  different sessions both keep theirs (merged); a lock on a version that is no longer the
  current one is refused (:class:`PlanConflict`).
- :func:`commit_plan` makes a new plan version current. If another version was made meanwhile,
  it is refused. If only locks changed meanwhile, they are carried into the new version when
  their session is still there unchanged (merged), and the commit is refused otherwise.
- :func:`save_settings` merges the settings key by key.

Locks belong to the plan version they were made on (``locked_sessions.plan_version_id``); a
version's sessions read back locked exactly when a lock row of that version names them.
Making a version current also marks the accepted requests whose commune hosts sessions in it as
scheduled, with their dates (and those that no longer host any back to accepted), in the same
transaction: a commune sees its dates as soon as the coordination has saved them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from planner.errors import InputError
from planner.hosting.request_form import clean_text
from planner.model import Plan, Session
from planner.plan_json import plan_from_dict, plan_to_dict
from planner.store.access import Actor, as_actor, require_coordinator
from planner.store.audit import record
from planner.store.db import session_scope
from planner.store.models import (
    LockedSessionRow,
    NotificationRow,
    PlanVersionRow,
    RequestRow,
    WorkspaceRow,
    utcnow,
)

_LOCK_FIELDS = ("series", "index", "resource", "host", "date", "start", "end")


class PlanConflict(InputError):
    """Another coordinator changed the plan since this page loaded it: nothing was saved."""


@dataclass(frozen=True)
class Base:
    """What a page last saw of a workspace: the version it shows, the revision, its locks (uids)."""

    version_id: int | None
    revision: int
    locked: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Workspace:
    """A territory's workspace (empty settings and no plan when nothing was saved yet)."""

    territory_spec: str
    settings: dict[str, Any]
    current_version_id: int | None
    revision: int
    updated_at: datetime | None
    updated_by: str

    @property
    def base(self) -> Base:
        """The :class:`Base` of a page that just read this workspace (locks not included)."""
        return Base(self.current_version_id, self.revision)


@dataclass(frozen=True)
class VersionInfo:
    """A saved plan version, without its content."""

    id: int
    label: str
    author: str
    created_at: datetime
    kind: str
    n_sessions: int
    territory_spec: str
    parent_id: int | None


def _workspace(row: WorkspaceRow | None, spec: str) -> Workspace:
    if row is None:
        return Workspace(spec, {}, None, 0, None, "")
    return Workspace(
        row.territory_spec,
        json.loads(row.settings_json or "{}"),
        row.current_version_id,
        row.revision,
        row.updated_at,
        row.updated_by,
    )


def _row(session, spec: str, *, for_update: bool = True) -> WorkspaceRow:
    """The workspace row of ``spec``, created if missing, locked until the transaction ends."""
    query = select(WorkspaceRow).where(WorkspaceRow.territory_spec == spec)
    row = session.scalars(query.with_for_update() if for_update else query).first()
    if row is None:
        row = WorkspaceRow(
            territory_spec=spec, settings_json="{}", revision=0, updated_at=utcnow(), updated_by=""
        )
        session.add(row)
        session.flush()  # a concurrent creation fails here (unique): the caller retries once
    return row


def _retrying(engine: Engine, work):
    """Run ``work(session)`` in a transaction, once more if two first uses of a workspace raced."""
    try:
        with session_scope(engine) as session:
            return work(session)
    except IntegrityError:
        with session_scope(engine) as session:
            return work(session)


def _touch(row: WorkspaceRow, who: Actor) -> None:
    row.revision += 1
    row.updated_at = utcnow()
    row.updated_by = who.label


def _spec(spec: str) -> str:
    spec = (spec or "").strip()
    if not spec:
        raise InputError("territoire manquant")
    return spec[:500]


# ------------------------------------------------------------------------------ read
def get_workspace(engine: Engine, spec: str) -> Workspace:
    """The workspace of territory ``spec`` (empty when nothing was saved for it)."""
    with session_scope(engine) as session:
        row = session.scalars(select(WorkspaceRow).where(WorkspaceRow.territory_spec == _spec(spec))).first()
        return _workspace(row, _spec(spec))


def last_workspace(engine: Engine) -> Workspace | None:
    """The workspace changed most recently (where a new session of the coordination resumes)."""
    with session_scope(engine) as session:
        row = session.scalars(
            select(WorkspaceRow).order_by(WorkspaceRow.updated_at.desc(), WorkspaceRow.id.desc()).limit(1)
        ).first()
        return None if row is None else _workspace(row, row.territory_spec)


def _locks_of(session, version_id: int) -> list[LockedSessionRow]:
    return list(
        session.scalars(
            select(LockedSessionRow)
            .where(LockedSessionRow.plan_version_id == version_id)
            .order_by(LockedSessionRow.date, LockedSessionRow.start, LockedSessionRow.id)
        )
    )


def _with_locks(plan: Plan, rows: Iterable[LockedSessionRow]) -> Plan:
    uids = {r.uid for r in rows}
    return replace(plan, sessions=tuple(replace(s, locked=s.uid in uids) for s in plan.sessions))


def load_version(engine: Engine, version_id: int) -> Plan:
    """The plan saved as ``version_id``, its sessions locked as that version's lock rows say.

    Raises
    ------
    InputError
        When there is no such version.
    """
    with session_scope(engine) as session:
        row = session.get(PlanVersionRow, version_id)
        if row is None:
            raise InputError(f"version de plan n° {version_id} introuvable")
        plan = plan_from_dict(json.loads(row.plan_json), source=f"version {version_id}")
        return _with_locks(plan, _locks_of(session, version_id))


def load_baseline(engine: Engine, version_id: int) -> Plan | None:
    """The saupoudrage baseline saved with ``version_id``, if any."""
    with session_scope(engine) as session:
        row = session.get(PlanVersionRow, version_id)
        text = row.baseline_json if row is not None else None
    return (
        None if not text else plan_from_dict(json.loads(text), source=f"référence de la version {version_id}")
    )


def version_info(engine: Engine, version_id: int) -> VersionInfo | None:
    """Label, author, date… of one version (``None`` if there is none)."""
    found = list_versions(engine, ids=[version_id])
    return found[0] if found else None


def list_versions(
    engine: Engine, spec: str | None = None, *, ids: Iterable[int] | None = None
) -> list[VersionInfo]:
    """Saved plan versions, newest first: of territory ``spec`` (all when ``None``)."""
    with session_scope(engine) as session:
        query = select(
            PlanVersionRow.id,
            PlanVersionRow.label,
            PlanVersionRow.author,
            PlanVersionRow.created_at,
            PlanVersionRow.kind,
            PlanVersionRow.n_sessions,
            PlanVersionRow.territory_spec,
            PlanVersionRow.parent_id,
        ).order_by(PlanVersionRow.id.desc())
        if spec is not None:
            query = query.where(PlanVersionRow.territory_spec == spec)
        if ids is not None:
            query = query.where(PlanVersionRow.id.in_(list(ids)))
        return [VersionInfo(*r) for r in session.execute(query).all()]


def current_plan(engine: Engine, spec: str) -> tuple[Plan, Plan | None, Base] | None:
    """The plan in force for ``spec`` with its baseline and the :class:`Base` to change it,
    or ``None`` when the territory has no plan yet."""
    with session_scope(engine) as session:
        row = session.scalars(select(WorkspaceRow).where(WorkspaceRow.territory_spec == _spec(spec))).first()
        if row is None or row.current_version_id is None:
            return None
        version = session.get(PlanVersionRow, row.current_version_id)
        locks = _locks_of(session, version.id)
        plan = _with_locks(
            plan_from_dict(json.loads(version.plan_json), source=f"version {version.id}"), locks
        )
        baseline_text = version.baseline_json
        base = Base(version.id, row.revision, frozenset(r.uid for r in locks))
    baseline = (
        plan_from_dict(json.loads(baseline_text), source=f"référence de la version {base.version_id}")
        if baseline_text
        else None
    )
    return plan, baseline, base


def current_plans(engine: Engine) -> dict[str, int]:
    """``territory spec -> current version id`` of every workspace that has a plan."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(WorkspaceRow.territory_spec, WorkspaceRow.current_version_id).where(
                WorkspaceRow.current_version_id.is_not(None)
            )
        ).all()
    return {spec: vid for spec, vid in rows}


# ------------------------------------------------------------------------------ settings
def save_settings(engine: Engine, spec: str, changes: Mapping[str, Any], actor: Actor | str) -> Workspace:
    """Merge ``changes`` into the settings of ``spec`` (key by key: two coordinators changing
    different settings both keep theirs). Coordinators only; values must be JSON."""
    who = as_actor(actor)
    require_coordinator(who, "changer les réglages")
    spec = _spec(spec)
    payload = dict(changes)
    json.dumps(payload)  # refuse what cannot be stored before touching anything

    def work(session) -> Workspace:
        row = _row(session, spec)
        settings = json.loads(row.settings_json or "{}")
        settings.update(payload)
        row.settings_json = json.dumps(settings, ensure_ascii=False, sort_keys=True)
        _touch(row, who)
        record(session, who.label, "settings", "workspace", row.id, ", ".join(sorted(payload))[:500])
        return _workspace(row, spec)

    return _retrying(engine, work)


# ------------------------------------------------------------------------------ locks
def _when(moment: datetime | None) -> str:
    from zoneinfo import ZoneInfo

    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo("Europe/Paris"))
    return f" le {local:%d/%m/%Y à %H:%M}"


def _who(label: str) -> str:
    """An audit label as people read it: ``coordinator:claire@x.fr`` → ``claire@x.fr``."""
    name = label.split(":", 1)[-1] if label else ""
    return name if name and name != "coordination" else "un autre membre de la coordination"


def _refuse_other_version(session, row: WorkspaceRow, base: Base) -> None:
    if row.current_version_id == base.version_id:
        return
    label = ""
    if row.current_version_id is not None:
        version = session.get(PlanVersionRow, row.current_version_id)
        label = f" « {version.label} »" if version is not None else ""
    raise PlanConflict(
        f"le plan a changé depuis que vous l'avez ouvert : {_who(row.updated_by)} a enregistré la version"
        f"{label}{_when(row.updated_at)}. Rien n'a été enregistré de votre côté : rechargez le plan "
        "actuel, puis refaites votre modification"
    )


def set_locks(
    engine: Engine,
    spec: str,
    base: Base,
    *,
    lock: Iterable[Session] = (),
    unlock: Iterable[Session] = (),
    actor: Actor | str = "planification",
) -> tuple[Base, tuple[str, ...]]:
    """Lock and unlock sessions of the current version of ``spec`` (identified by ``uid``).

    Changes made meanwhile by someone else on the same version stay (merge). Returns the new
    :class:`Base` (with every lock of the version) and the uids locked or unlocked by others
    since ``base`` (for the page to say so).

    Raises
    ------
    PlanConflict
        When ``base.version_id`` is no longer the current version.
    """
    who = as_actor(actor)
    require_coordinator(who, "verrouiller des séances")
    spec = _spec(spec)
    to_lock = [s for s in lock if s.uid]
    to_unlock = {s.uid for s in unlock if s.uid}

    def work(session) -> tuple[Base, tuple[str, ...]]:
        row = _row(session, spec)
        _refuse_other_version(session, row, base)
        if row.current_version_id is None:
            raise InputError("aucun plan enregistré pour ce territoire : rien à verrouiller")
        vid = row.current_version_id
        existing = {r.uid: r for r in _locks_of(session, vid)}
        others = tuple(sorted(set(existing) ^ set(base.locked))) if row.revision != base.revision else ()
        for uid in to_unlock & set(existing):
            session.delete(existing.pop(uid))
        for s in to_lock:
            if s.uid not in existing:
                new = LockedSessionRow(
                    plan_version_id=vid, uid=s.uid, **{f: getattr(s, f) for f in _LOCK_FIELDS}
                )
                session.add(new)
                existing[s.uid] = new
        _touch(row, who)
        record(
            session, who.label, "set_locks", "plan_version", vid, f"+{len(to_lock)} −{len(to_unlock)} séances"
        )
        session.flush()
        return Base(vid, row.revision, frozenset(existing)), others

    return _retrying(engine, work)


# ------------------------------------------------------------------------------ versions
def _merge_locks(session, row: WorkspaceRow, base: Base, plan: Plan) -> Plan:
    """Carry into ``plan`` the lock changes others made on the base version since ``base``.

    Refused when such a change concerns a session that ``plan`` moved or removed.
    """
    if row.revision == base.revision or row.current_version_id is None:
        return plan
    now = {r.uid: r for r in _locks_of(session, row.current_version_id)}
    added, removed = set(now) - base.locked, base.locked - set(now)
    if not added and not removed:
        return plan
    by_uid = {s.uid: s for s in plan.sessions}

    def same(r: LockedSessionRow) -> bool:
        s = by_uid.get(r.uid)
        return s is not None and all(
            getattr(s, f) == getattr(r, f) for f in ("resource", "host", "date", "start", "end")
        )

    lost = [now[u] for u in added if not same(now[u])]
    if lost or any(u not in by_uid for u in removed):
        raise PlanConflict(
            f"{_who(row.updated_by)} a changé des verrouillages{_when(row.updated_at)} sur des séances que "
            "votre modification déplace : rien n'a été enregistré de votre côté. Rechargez le plan actuel, "
            "puis refaites votre modification"
        )
    sessions = tuple(
        replace(s, locked=True) if s.uid in added else replace(s, locked=False) if s.uid in removed else s
        for s in plan.sessions
    )
    return replace(plan, sessions=sessions)


def commit_plan(
    engine: Engine,
    spec: str,
    plan: Plan,
    label: str,
    actor: Actor | str,
    *,
    base: Base,
    baseline: Plan | None = None,
) -> tuple[int, Base, Plan]:
    """Save ``plan`` as a new version of ``spec`` and make it the current one.

    Its locked sessions become the new version's locks; requests are scheduled from it (see the
    module docstring). Returns the version id, the new :class:`Base` and the plan as saved
    (locks made meanwhile by others merged in).

    Raises
    ------
    PlanConflict
        When another version was made current since ``base``, or locks changed meanwhile on
        sessions ``plan`` moved.
    InputError
        Empty or too long label, a plan of another territory.
    """
    who = as_actor(actor)
    require_coordinator(who, "enregistrer un plan")
    spec = _spec(spec)
    if plan.territory_spec != spec:
        raise InputError("ce plan concerne un autre territoire que celui de l'espace de travail")
    label = clean_text(label)[:200]
    if not label:
        raise InputError("donnez un nom à cette version du plan")

    def work(session) -> tuple[int, Base, Plan]:
        row = _row(session, spec)
        _refuse_other_version(session, row, base)
        merged = _merge_locks(session, row, base, plan)
        version = PlanVersionRow(
            label=label,
            author=who.name[:200] or "inconnu",
            kind=merged.kind,
            n_sessions=len(merged.sessions),
            plan_json=json.dumps(plan_to_dict(merged), ensure_ascii=False),
            created_at=utcnow(),
            territory_spec=spec,
            parent_id=row.current_version_id,
            baseline_json=None
            if baseline is None
            else json.dumps(plan_to_dict(baseline), ensure_ascii=False),
        )
        session.add(version)
        session.flush()
        locked = [s for s in merged.sessions if s.locked]
        for s in locked:
            session.add(
                LockedSessionRow(
                    plan_version_id=version.id, uid=s.uid, **{f: getattr(s, f) for f in _LOCK_FIELDS}
                )
            )
        row.current_version_id = version.id
        _touch(row, who)
        record(session, who.label, "commit_plan", "plan_version", version.id, label)
        schedule_requests(session, merged, who, before=_hosts_of(session, version.parent_id))
        return version.id, Base(version.id, row.revision, frozenset(s.uid for s in locked)), merged

    return _retrying(engine, work)


def save_version(engine: Engine, plan: Plan, label: str, author: Actor | str) -> int:
    """Keep ``plan`` in the history without making it current (a file handed over on the command
    line, to publish it or to record what happened against it); returns the version id.

    Its locked sessions become the version's locks, as with :func:`commit_plan`.
    """
    label = clean_text(label)[:200]
    if not label:
        raise InputError("donnez un nom à cette version du plan")
    who = as_actor(author)
    with session_scope(engine) as session:
        version = PlanVersionRow(
            label=label,
            author=who.name[:200] or "inconnu",
            kind=plan.kind,
            n_sessions=len(plan.sessions),
            plan_json=json.dumps(plan_to_dict(plan), ensure_ascii=False),
            created_at=utcnow(),
            territory_spec=plan.territory_spec,
        )
        session.add(version)
        session.flush()
        for s in plan.sessions:
            if s.locked:
                session.add(
                    LockedSessionRow(
                        plan_version_id=version.id, uid=s.uid, **{f: getattr(s, f) for f in _LOCK_FIELDS}
                    )
                )
        record(session, who.label, "save", "plan_version", version.id, label)
        return version.id


def make_current(
    engine: Engine, spec: str, version_id: int, actor: Actor | str, *, base: Base
) -> tuple[Plan, Base]:
    """Go back to an earlier version: a copy of it becomes the new current version (so that the
    history keeps every step). Same conflicts as :func:`commit_plan`."""
    info = version_info(engine, version_id)
    if info is None or info.territory_spec not in ("", _spec(spec)):
        raise InputError(f"version de plan n° {version_id} introuvable pour ce territoire")
    old = load_version(engine, version_id)
    _vid, new_base, plan = commit_plan(
        engine,
        spec,
        old,
        f"Retour à la version n° {version_id}",
        actor,
        base=base,
        baseline=load_baseline(engine, version_id),
    )
    return plan, new_base


def _hosts_of(session, version_id: int | None) -> set[str]:
    if version_id is None:
        return set()
    row = session.get(PlanVersionRow, version_id)
    return {x["host"] for x in json.loads(row.plan_json).get("sessions", [])} if row is not None else set()


# ------------------------------------------------------------------------------ requests
def schedule_requests(
    session, plan: Plan, who: Actor, before: Iterable[str] = ()
) -> dict[int, tuple[date, ...]]:
    """Inside a transaction: accepted or scheduled requests of the plan's communes get the
    dates their commune hosts in ``plan`` (status ``scheduled``); a scheduled request whose
    commune hosts nothing any more goes back to ``accepted`` (its dates cleared, the step in its
    history). The plan's communes are its hosts, the communes it leaves out, those of its
    requests and ``before`` (the hosts of the version it replaces); others are left alone.
    """
    from planner.store.repo import _dates_text, _move, _schedule

    territory = {s.host for s in plan.sessions} | {u.code_insee for u in plan.unserved}
    territory |= {q.code_insee for q in plan.inputs.requests} | set(before)
    dates_by_host: dict[str, set[date]] = {}
    for s in plan.sessions:
        dates_by_host.setdefault(s.host, set()).add(s.date)
    done: dict[int, tuple[date, ...]] = {}
    rows = session.scalars(
        select(RequestRow)
        .where(RequestRow.status.in_(("accepted", "scheduled")))
        .order_by(RequestRow.id)
        .with_for_update()
    ).all()
    now = utcnow()
    for row in rows:
        days = tuple(sorted(dates_by_host.get(row.code_insee, ())))
        if days:
            text = _dates_text(days)
            if row.status != "scheduled" or row.scheduled_dates != text:
                _schedule(session, row, text, who, now)
                done[row.id] = days
        elif row.status == "scheduled" and row.code_insee in territory:
            _move(session, row, "accepted", "plus de séance dans le plan en vigueur", who, "unschedule", now)
            row.scheduled_dates = ""
            done[row.id] = ()
    return done


# ------------------------------------------------------------------------------ notifications
def record_notification(
    engine: Engine, spec: str, code_insee: str, version_id: int, channel: str, actor: Actor | str
) -> None:
    """Note that ``code_insee`` was told its dates as they stand in ``version_id``."""
    who = as_actor(actor)
    require_coordinator(who, "prévenir une commune")
    with session_scope(engine) as session:
        session.add(
            NotificationRow(
                territory_spec=_spec(spec),
                code_insee=code_insee,
                version_id=version_id,
                channel=channel[:20],
                actor=who.label,
                at=utcnow(),
            )
        )
        record(session, who.label, "notify", "commune", code_insee, f"version {version_id} ({channel})")


def last_notified(engine: Engine, spec: str) -> dict[str, int]:
    """``code_insee -> version id`` of the last version each commune of ``spec`` was told of."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(NotificationRow.code_insee, func.max(NotificationRow.id))
            .where(NotificationRow.territory_spec == _spec(spec))
            .group_by(NotificationRow.code_insee)
        ).all()
        ids = [i for _, i in rows]
        versions = dict(
            session.execute(
                select(NotificationRow.id, NotificationRow.version_id).where(NotificationRow.id.in_(ids))
            ).all()
        )
    return {code: versions[i] for code, i in rows}
