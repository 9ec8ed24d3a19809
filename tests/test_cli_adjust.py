"""``python -m planner adjust``: the hand edits of the Tournée page from the command line.

A plan of the default territory (short season) is edited: a swap that breaks a preference is
written only with ``--accept``; a session added at the hour the bus is elsewhere is refused
even with ``--accept``, in French, and nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

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


def test_whole_series_moves_the_time_of_every_session_as_the_page_does(planned, tmp_path, capsys):
    """« Ajuster » moves a series' time with its session (a series keeps one time slot):
    ``--whole-series`` does the same for ``--start``, not only for ``--host``."""
    plan = load_plan(planned)
    first = _first(plan)  # a morning session: 15 minutes earlier overlaps nothing
    start = (datetime.combine(first.date, first.start) - timedelta(minutes=15)).time()
    out = tmp_path / "edited.json"
    args = ["adjust", str(planned), "--move", f"{first.series}:{first.index}", "--start", f"{start:%H:%M}"]
    assert main([*args, "--whole-series", "--accept", "--out", str(out)]) == 0
    edited = load_plan(out)
    assert {s.start for s in edited.sessions if s.series == first.series} == {start}
    assert all(
        s.start == s2.start
        for s in plan.sessions
        for s2 in edited.sessions
        if s.uid == s2.uid and s.series != first.series
    )


def test_a_hard_rule_the_plan_file_already_broke_does_not_block_other_edits(planned, tmp_path, capsys):
    """A plan file saved with an « accepted » overlap (before hard rules were refused): an edit
    elsewhere is written (the overlap is said, not accepted); one adding an overlap is refused."""
    from planner.commands.adjust import plan_problem
    from planner.plan_json import save_plan
    from planner.rules.adjust import Adjustment, accept, add_session

    plan = load_plan(planned)
    problem = plan_problem(plan)
    busy = _first(plan)
    other = next(s.host for s in plan.sessions if s.host != busy.host)
    adj = add_session(plan, problem, host=other, resource=busy.resource, day=busy.date, start=busy.start)
    as_before = Adjustment(adj.plan, tuple(replace(v, hard=False) for v in adj.violations), adj.changed)
    saved = tmp_path / "saved.json"
    save_plan(accept(as_before, by="avant"), saved)
    last = max(plan.sessions, key=lambda s: (s.date, s.start))  # far from the overlap
    k = max(s.index for s in plan.sessions if s.series == last.series)
    out = tmp_path / "edited.json"
    args = ["adjust", str(saved), "--swap", f"{last.series}:1", f"{last.series}:{k}", "--accept"]
    assert main([*args, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "enfreignait déjà 1 règle(s)" in said and "ne peut être à deux endroits" in said
    edited = load_plan(out)
    assert not [a for a in edited.accepted if a.by != "avant" and a.rule == "no_overlap_and_travel"]
    # a new impossibility is still refused
    again = ["adjust", str(saved), "--add", other, "--date", busy.date.isoformat()]
    again += ["--start", (busy.end.strftime("%H:%M")), "--accept", "--out", str(tmp_path / "no.json")]
    assert main(again) == 2 and not (tmp_path / "no.json").exists()


def test_a_session_moved_once_can_be_unlocked_and_moved_again(planned, tmp_path, capsys):
    """A moved session is locked: ``--unlock`` frees it (a whole series without ``:N``)."""
    plan = load_plan(planned)
    first = _first(plan)
    k = max(s.index for s in plan.sessions if s.series == first.series)
    swapped, freed = tmp_path / "swapped.json", tmp_path / "freed.json"
    swap = ["adjust", str(planned), "--swap", f"{first.series}:1", f"{first.series}:{k}", "--accept"]
    assert main([*swap, "--out", str(swapped)]) == 0
    back = ["adjust", str(swapped), "--swap", f"{first.series}:1", f"{first.series}:{k}", "--accept"]
    assert main([*back, "--out", str(tmp_path / "no.json")]) == 2  # locked: refused
    assert "verrouillée" in capsys.readouterr().err
    assert main(["adjust", str(swapped), "--unlock", first.series, "--out", str(freed)]) == 0
    assert not any(s.locked for s in load_plan(freed).sessions if s.series == first.series)
    again = tmp_path / "again.json"
    back = ["adjust", str(freed), "--swap", f"{first.series}:1", f"{first.series}:{k}", "--accept"]
    assert main([*back, "--out", str(again)]) == 0
    restored = {s.uid: s.date for s in load_plan(again).sessions}
    assert all(restored[s.uid] == s.date for s in plan.sessions)
    assert main(["adjust", str(again), "--lock", f"{first.series}:2", "--out", str(freed)]) == 0
    assert next(s for s in load_plan(freed).sessions if (s.series, s.index) == (first.series, 2)).locked
