"""Re-plan after half a season, headless: ``plan --previous`` locks every session recorded as held.

The previous plan is ``tests/data/plan_vierzon_petit.json`` (March 2026); what happened is stored
as the Tournée page or ``realised import`` would store it. A re-plan « from scratch » keeps the
held sessions exactly; without the record (no database) they are not locked.
"""

from __future__ import annotations

from pathlib import Path

from planner.cli import build_parser, main
from planner.commands.plan import build_problem
from planner.plan_json import load_plan
from planner.realised.locks import lock_held
from planner.realised.outcome import SessionOutcome, cancelled
from planner.realised.season import RealisedSeason
from planner.store import realised as store
from planner.store.db import open_store

PLAN = Path(__file__).resolve().parents[1] / "data" / "plan_vierzon_petit.json"
ARGS = ["--start", "2026-03-02", "--end", "2026-04-30", "--stability", "scratch", "--previous", str(PLAN)]
FAST = ["--time-limit", "10", "--workers", "1", "--seed", "1", "--quiet"]


def _record_half_season():
    """P1's 2nd and 3rd sessions and P3's first held, P2's first cancelled; returns (held, cancelled)."""
    plan = load_plan(PLAN)
    engine = open_store()
    version = store.ensure_plan_version(engine, plan, "Plan annoncé", "coordination")
    first = {(s.series, s.index): s for s in plan.sessions}
    held = [first["P1", 2], first["P1", 3], first["P3", 1]]  # P1's first is locked in the file
    gone = first["P2", 1]
    store.record_outcomes(
        engine,
        version,
        [SessionOutcome(s.uid, True, 8) for s in held] + [cancelled(gone.uid, "météo")],
        "coordination",
    )
    return held, gone


def _resources(tmp_path: Path) -> str:
    """The previous plan's bus as a resources file (the re-plan keeps the same means)."""
    path = tmp_path / "moyens.csv"
    path.write_text(
        "id;kind;seats;base;weekdays;day_start;day_end;max_sessions_per_day;session_minutes;needs_power;label\n"
        "bus;bus;12;18279;mar,ven;08:30;18:00;2;180;oui;Bus numérique\n",
        encoding="utf-8",
    )
    return str(path)


def _problem(extra=()):
    return build_problem(build_parser().parse_args(["plan", "vierzon", *ARGS, *extra, "--out", "x.json"]))


def test_lock_held_adds_held_sessions_only_once():
    plan = load_plan(PLAN)
    s1, s2 = [s for s in plan.sessions if not s.locked][:2]
    realised = RealisedSeason.of([SessionOutcome(s1.uid, True, 5), cancelled(s2.uid, "panne du bus")])
    problem = _problem()
    once = lock_held(problem, plan, realised)
    assert [s.uid for s in once.locked if s.uid in (s1.uid, s2.uid)] == [s1.uid]
    assert lock_held(once, plan, realised).locked == once.locked


def test_without_a_database_the_held_sessions_are_not_known():
    in_file = {s.uid for s in load_plan(PLAN).sessions if s.locked}
    assert {s.uid for s in _problem().locked} == in_file  # no date is frozen without --frozen-before


def test_plan_previous_keeps_every_held_session(tmp_path, capsys):
    held, gone = _record_half_season()
    problem = _problem()
    in_file = {s.uid for s in load_plan(PLAN).sessions if s.locked}
    assert {s.uid for s in problem.locked} == in_file | {s.uid for s in held}
    assert gone.uid not in {s.uid for s in problem.locked}  # cancelled: not history
    out = tmp_path / "again.json"
    assert (
        main(["plan", "vierzon", *ARGS, *FAST, "--resources", _resources(tmp_path), "--out", str(out)]) == 0
    )
    assert "3 séance(s) tenue(s) (réalisé enregistré) verrouillée(s)" in capsys.readouterr().err
    again = {s.uid: s for s in load_plan(out).sessions}
    for s in held:
        kept = again[s.uid]
        assert (kept.host, kept.date, kept.start, kept.end, kept.resource, kept.locked) == (
            s.host,
            s.date,
            s.start,
            s.end,
            s.resource,
            True,
        )
