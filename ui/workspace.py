"""What a browser session keeps, and what the server keeps for it.

- **Scoped to the user.** :func:`scope_to` empties the session when who is signed in changes
  (sign-in, sign-out, another commune's link): nothing of one user's session — a plan, a funder's
  need weights, a selection — is left for the next one.
- **Stored per territory.** The coordination's settings and current plan live in the database
  (:mod:`planner.store.workspace`); :func:`restore` puts them back into the session on a reload,
  a sign-in or a change of territory, and :func:`leave_territory` drops what belonged to the
  previous territory (its plan, its locks, its resource table) first.
- **Shared by the coordination.** :func:`commit` and :func:`save_locks` write through the
  workspace's optimistic versioning: a change made meanwhile by another coordinator is merged
  or refused with a French message (kept in ``st.session_state["ws_conflict"]`` for the page).
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import replace
from typing import Any

import streamlit as st

from planner.errors import PlannerError
from planner.model import Plan
from planner.store import workspace as ws

log = logging.getLogger(__name__)

OWNER_KEY = "_owner"
RESTORED_KEY = "_ws_restored"
BASE_KEY = "ws_base"
CONFLICT_KEY = "ws_conflict"
MERGED_KEY = "ws_merged"
SETTINGS_KEY = "ws_settings"
PLAN_KEY, BASELINE_KEY, PROBLEM_KEY, VERSION_KEY = "plan", "baseline_plan", "problem", "plan_version_id"
# Keys that outlive a change of user: the sign-in itself.
_AUTH_PREFIX = "_auth_"
# Keys of the territory's own state: a change of territory drops them (prefixes included).
_TERRITORY_KEYS = (
    PLAN_KEY,
    BASELINE_KEY,
    PROBLEM_KEY,
    VERSION_KEY,
    BASE_KEY,
    CONFLICT_KEY,
    MERGED_KEY,
    SETTINGS_KEY,
)
_TERRITORY_PREFIXES = ("pl_", "_pl_", "tn_", "solve_", "version_error")


def engine():
    """The app's database engine (see :func:`ui.auth.store`)."""
    from ui.auth import store

    return store()


def actor():
    """Who acts, for the store (see :func:`ui.auth.current_actor`)."""
    from ui.auth import current_actor

    return current_actor()


# ------------------------------------------------------------------------------ scope
def scope_to(owner: str) -> bool:
    """Empty the session if ``owner`` (who is signed in) changed; True if it did.

    The sign-in keys (``_auth_*``) stay: they say who the new owner is.
    """
    previous = st.session_state.get(OWNER_KEY)
    if previous == owner:
        return False
    for key in list(st.session_state.keys()):
        if not str(key).startswith(_AUTH_PREFIX):
            del st.session_state[key]
    st.session_state[OWNER_KEY] = owner
    return previous is not None


def leave_territory() -> None:
    """Forget what belongs to the current territory (plan, locks, settings, widgets of the pages)."""
    from ui.planning import JOB_KEY

    job = st.session_state.get(JOB_KEY)
    if job is not None and not job.done:
        job.cancel()
    for key in list(st.session_state.keys()):
        name = str(key)
        if name in _TERRITORY_KEYS or name == JOB_KEY or name.startswith(_TERRITORY_PREFIXES):
            del st.session_state[key]
    st.session_state.pop(RESTORED_KEY, None)


def restore(spec: str, *, choose_last: bool = False) -> str:
    """Put the stored settings and current plan of ``spec`` into the session, once per territory.

    With ``choose_last`` (a fresh session that chose no territory yet) the territory the
    coordination worked on last is taken instead. Returns the territory restored. A database
    that cannot be read leaves the session as it is (the pages say so where it matters).
    """
    if st.session_state.get(RESTORED_KEY) == spec:
        return spec
    try:
        if choose_last:
            last = ws.last_workspace(engine())
            if last is not None and last.territory_spec != spec and _loadable(last.territory_spec):
                spec = last.territory_spec
        space = ws.get_workspace(engine(), spec)
        current = ws.current_plan(engine(), spec)
    except Exception:
        log.error("restoring the workspace failed:\n%s", traceback.format_exc())
        st.session_state[RESTORED_KEY] = spec
        return spec
    st.session_state[SETTINGS_KEY] = space.settings
    if current is None:
        st.session_state[BASE_KEY] = space.base
    else:
        plan, baseline, base = current
        st.session_state[PLAN_KEY] = plan
        if baseline is not None:
            st.session_state[BASELINE_KEY] = baseline
        st.session_state[BASE_KEY] = base
        st.session_state[VERSION_KEY] = base.version_id
        st.session_state.pop(PROBLEM_KEY, None)
    st.session_state[RESTORED_KEY] = spec
    return spec


def _loadable(spec: str) -> bool:
    from ui import data as ud

    return ud.load_error(spec) is None


def reload(spec: str) -> None:
    """Read the territory's current plan again (after a conflict), dropping the session's copy."""
    for key in (PLAN_KEY, BASELINE_KEY, PROBLEM_KEY, VERSION_KEY, BASE_KEY, CONFLICT_KEY, MERGED_KEY):
        st.session_state.pop(key, None)
    st.session_state.pop(RESTORED_KEY, None)
    restore(spec)


def base() -> ws.Base:
    """What this session last saw of the workspace (empty for a territory without plan)."""
    return st.session_state.get(BASE_KEY) or ws.Base(None, 0)


# ------------------------------------------------------------------------------ writes
def settings() -> dict[str, Any]:
    """The territory's stored settings, as restored (``{}`` when none)."""
    return dict(st.session_state.get(SETTINGS_KEY) or {})


def save_settings(spec: str, changes: dict[str, Any]) -> None:
    """Store the settings that changed (coordinators only; merged key by key)."""
    if not changes:
        return
    try:
        space = ws.save_settings(engine(), spec, changes, actor())
    except PlannerError as exc:
        st.session_state[CONFLICT_KEY] = str(exc)
        return
    except Exception:
        log.error("saving the settings failed:\n%s", traceback.format_exc())
        return
    merged = settings() | changes
    st.session_state[SETTINGS_KEY] = merged
    current = base()
    if current.version_id == space.current_version_id:
        st.session_state[BASE_KEY] = replace(current, revision=max(current.revision, space.revision))


def commit(plan: Plan, label: str, *, baseline: Plan | None = None, force: bool = False) -> bool:
    """Make ``plan`` the territory's current version; True when saved.

    On a conflict nothing is saved, the session keeps its plan and ``ws_conflict`` holds the
    French message (``force`` saves on top of the latest version: the coordinator's explicit
    choice after reading that message).
    """
    st.session_state.pop(CONFLICT_KEY, None)
    spec = plan.territory_spec
    start = base()
    if force:
        latest = ws.current_plan(engine(), spec)
        start = latest[2] if latest is not None else ws.get_workspace(engine(), spec).base
    try:
        vid, new_base, saved = ws.commit_plan(
            engine(), spec, plan, label, actor(), base=start, baseline=baseline
        )
    except ws.PlanConflict as exc:
        st.session_state[CONFLICT_KEY] = str(exc)
        return False
    except PlannerError as exc:
        st.session_state["version_error"] = str(exc)
        return False
    except Exception as exc:
        log.error("saving the plan version failed:\n%s", traceback.format_exc())
        st.session_state["version_error"] = f"version non enregistrée ({type(exc).__name__})"
        return False
    st.session_state.pop("version_error", None)
    st.session_state[PLAN_KEY] = saved
    if baseline is not None:
        st.session_state[BASELINE_KEY] = baseline
    st.session_state[BASE_KEY] = new_base
    st.session_state[VERSION_KEY] = vid
    st.session_state[RESTORED_KEY] = spec
    return True


def save_locks(before: Plan, after: Plan) -> bool:
    """Store the lock changes from ``before`` to ``after`` on the current version; True if saved.

    Locks others made meanwhile are merged into the session's plan (``ws_merged`` says how
    many); on a conflict (another version was saved) nothing changes and ``ws_conflict`` says why.
    """
    st.session_state.pop(CONFLICT_KEY, None)
    was = {s.uid for s in before.sessions if s.locked}
    now = {s.uid for s in after.sessions if s.locked}
    lock = [s for s in after.sessions if s.uid in now - was]
    unlock = [s for s in after.sessions if s.uid in was - now]
    if not lock and not unlock:
        return True
    if base().version_id is None:  # a plan not saved (no database): the session keeps the locks
        st.session_state[PLAN_KEY] = after
        return True
    try:
        new_base, others = ws.set_locks(
            engine(), after.territory_spec, base(), lock=lock, unlock=unlock, actor=actor()
        )
    except ws.PlanConflict as exc:
        st.session_state[CONFLICT_KEY] = str(exc)
        return False
    except PlannerError as exc:
        st.session_state[CONFLICT_KEY] = str(exc)
        return False
    st.session_state[BASE_KEY] = new_base
    merged = replace(
        after, sessions=tuple(replace(s, locked=s.uid in new_base.locked) for s in after.sessions)
    )
    st.session_state[PLAN_KEY] = merged
    if others:
        st.session_state[MERGED_KEY] = len(others)
    return True


def conflict() -> str | None:
    """The last conflict message, if any (cleared by the next successful write)."""
    return st.session_state.get(CONFLICT_KEY)


def show_conflict(spec: str, key: str) -> None:
    """Say what conflicted and offer to reload the current plan."""
    message = conflict()
    if not message:
        return
    st.error(message[0].upper() + message[1:] + ".")
    if st.button("Recharger le plan actuel", key=f"{key}_reload", icon=":material/refresh:"):
        reload(spec)
        st.rerun()


def restore_for(role: str | None) -> None:
    """On every run of the app: the coordination and funders find the territory's stored
    settings and current plan (the territory worked on last, in a fresh session)."""
    if role not in ("coordinator", "funder"):
        return
    from ui import data as ud

    fresh = ud.SPEC_KEY not in st.session_state
    spec = restore(ud.current_spec(), choose_last=fresh)
    if spec != ud.current_spec():
        st.session_state[ud.SPEC_KEY] = spec
    ud.restore_weights(settings())
