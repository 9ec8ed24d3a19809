"""``python -m planner adjust``: the hand edits of the Tournée page from the command line.

A plan of the default territory (short season) is edited: a swap that breaks a preference is
written only with ``--accept``; a session added at the hour the bus is elsewhere is refused
even with ``--accept``, in French, and nothing is written.
"""

from __future__ import annotations

import json

import pytest

from planner.cli import main
from planner.plan_json import load_plan
from planner.rules.check import check_with_exceptions

SEASON = ["--start", "2027-01-04", "--end", "2027-03-26"]
FAST = ["--time-limit", "10", "--workers", "1", "--seed", "1", "--quiet"]


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    out = tmp_path_factory.mktemp("adjust") / "plan.json"
    assert main(["plan", "vierzon", *SEASON, *FAST, "--out", str(out)]) == 0
    return out


def _first(plan):
    return min(plan.sessions, key=lambda s: (s.date, s.start))


def test_a_bus_in_two_places_is_refused_even_with_accept(planned, tmp_path, capsys):
    plan = load_plan(planned)
    busy = _first(plan)
    other = next(s.host for s in plan.sessions if s.host != busy.host)
    out = tmp_path / "edited.json"
    args = ["adjust", str(planned), "--add", other, "--date", busy.date.isoformat()]
    args += ["--start", busy.start.strftime("%H:%M"), "--accept", "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "ne peut pas être appliquée" in err and "ne peut être à deux endroits" in err
    assert "pas une préférence" in err and "Le plan reste tel qu'il était" in err
    assert not out.exists()


def test_a_preference_broken_is_written_only_when_accepted(planned, tmp_path, capsys):
    plan = load_plan(planned)
    first = _first(plan)
    last = max(s.index for s in plan.sessions if s.series == first.series)
    out = tmp_path / "edited.json"
    swap = ["adjust", str(planned), "--swap", f"{first.series}:1", f"{first.series}:{last}"]
    assert main([*swap, "--out", str(out)]) == 2
    said = capsys.readouterr()
    assert "enfreint" in said.out and "--accept" in said.err and not out.exists()
    assert main([*swap, "--accept", "--by", "coordination", "--out", str(out)]) == 0
    edited = load_plan(out)
    assert edited.accepted and all(a.by == "coordination" for a in edited.accepted)
    assert {a.rule for a in edited.accepted} == {"series_shape"}
    moved = next(s for s in edited.sessions if (s.series, s.index) == (first.series, 1))
    assert moved.date != first.date and moved.locked
    from planner.commands.adjust import plan_problem

    assert check_with_exceptions(edited, plan_problem(edited)).ok
    assert json.loads(out.read_text(encoding="utf-8"))["accepted_exceptions"]


def test_an_edit_that_keeps_every_rule_is_written_locked(planned, tmp_path, capsys):
    from planner.commands.adjust import plan_problem
    from planner.rules.adjust import candidate_dates, move_session

    plan = load_plan(planned)
    problem = plan_problem(plan)
    key, day = next(
        ((s.series, s.index), d)
        for s in sorted(plan.sessions, key=lambda s: (s.date, s.start))
        for d in candidate_dates(plan, (s.series, s.index))
        if move_session(plan, problem, (s.series, s.index), new_date=d).ok
    )
    out = tmp_path / "edited.json"
    args = ["adjust", str(planned), "--move", f"{key[0]}:{key[1]}", "--date", day.isoformat()]
    assert main([*args, "--out", str(out)]) == 0
    assert "respecte toutes les règles" in capsys.readouterr().out
    edited = load_plan(out)
    moved = next(s for s in edited.sessions if (s.series, s.index) == key)
    assert moved.date == day and moved.locked and not edited.accepted
    assert check_with_exceptions(edited, plan_problem(edited)).ok
