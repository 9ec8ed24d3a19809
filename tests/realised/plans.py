"""Plans of the realised tests: the export tests' tiny plan with session identities, and a
drawing for the matcher.

Matching plan (real communes, so that places read from files resolve)::

    Massay (18140)      M: Tue 3 and Tue 10 March 2026, 09:30–12:30 (bus)
    Thénioux (18263)    T: Tue 3 March 2026, 14:00–17:00 (bus)
                        U: Tue 3 March 2026, 09:00–12:00 (team)   ← same day and commune as T
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from planner.model import Plan, Series, Session
from planner.plan_json import with_uids
from tests.publish.tiny_plan import tiny_plan

MARCH_3, MARCH_10 = date(2026, 3, 3), date(2026, 3, 10)


def tiny_plan_with_uids() -> Plan:
    """The export tests' tiny plan (S1 at 18002, S2 at 18004, 5 Tuesdays) with session uids."""
    plan = tiny_plan()
    return replace(plan, sessions=with_uids(plan.sessions, plan.territory_spec))


def matching_plan() -> Plan:
    """The drawing of the module docstring."""
    plan = tiny_plan()
    sessions = (
        Session("M", 1, "bus1", "18140", MARCH_3, time(9, 30), time(12, 30)),
        Session("M", 2, "bus1", "18140", MARCH_10, time(9, 30), time(12, 30)),
        Session("T", 1, "bus1", "18263", MARCH_3, time(14, 0), time(17, 0)),
        Session("U", 1, "team1", "18263", MARCH_3, time(9, 0), time(12, 0)),
    )
    series = (
        Series("M", "18140", "bus1", 10, {"18140": 10}),
        Series("T", "18263", "bus1", 8, {"18263": 8}),
        Series("U", "18263", "team1", 6, {"18263": 6}),
    )
    return replace(
        plan, territory_spec="matching", series=series, sessions=with_uids(sessions, "matching"), routes=()
    )


def uid(plan: Plan, series: str, index: int) -> str:
    """The uid of session ``index`` of ``series``."""
    return next(s.uid for s in plan.sessions if s.series == series and s.index == index)
