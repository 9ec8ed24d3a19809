"""« Améliorer ma tournée » : each stated gain is true, locked stops stay, no rule broken more."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from planner import DATA_DIR
from planner.cli import main
from planner.optimise.objective import objective_value
from planner.plan_json import plan_from_dict, plan_to_dict
from planner.rules.calendar import build_season
from planner.territory.specs import load_territory
from planner.tours.improve import improved, move_stop, propose, stops
from planner.tours.load import load_tour
from planner.tours.score import score_tour

SEASON = build_season(date(2027, 1, 4), date(2027, 6, 30))


@pytest.fixture(scope="module")
def sample():
    territory = load_territory("vierzon")
    return score_tour(load_tour(DATA_DIR / "tournee_exemple.csv", territory, SEASON), territory)


@pytest.fixture(scope="module")
def changes(sample):
    return propose(sample)


def test_changes_are_proposed_best_first(changes):
    assert len(changes) >= 3
    gains = [c.gain for c in changes]
    assert gains == sorted(gains, reverse=True) and gains[-1] > 0
    assert len({c.stop.key for c in changes}) == len(changes)  # one per stop
    assert len({c.new_host for c in changes}) == len(changes)  # each commune once


def test_each_stated_gain_is_true_when_applied(sample, changes):
    for c in changes:
        after = move_stop(sample, c.stop, c.new_host)  # applied afresh, not the stored result
        plan, problem = after.plan, after.problem
        assert objective_value(plan, problem) - sample.objective == pytest.approx(c.gain)
        assert plan.metrics.participants - sample.plan.metrics.participants == c.people
        assert plan.metrics.km - sample.plan.metrics.km == pytest.approx(c.km)
        assert c.km_per_visit == pytest.approx(c.km / c.stop.sessions)
        # the plan file of the changed tour says the same
        again = plan_from_dict(json.loads(json.dumps(plan_to_dict(plan))))
        assert objective_value(again, problem) == pytest.approx(sample.objective + c.gain)
        # every session of the stop moved, nothing else did
        moved = {s.uid for s in sample.plan.sessions if s.series in c.stop.series}
        for before, now in zip(sample.plan.sessions, plan.sessions, strict=True):
            assert now.host == (c.new_host if before.uid in moved else before.host)


def test_the_text_says_what_the_figures_say(sample, changes):
    c = changes[0]
    old = sample.problem.territory.commune(c.stop.host).name
    new = sample.problem.territory.commune(c.new_host).name
    assert c.text.startswith(f"remplacer {old} par {new}")
    km = round(c.km_per_visit)
    assert (f"+{km} km par passage" if km > 0 else "km par passage") in c.text
    cover = round(100 * sample.problem.needs[c.new_host].coverage)
    assert (f"couverte à {cover} %" if cover else "sans lieu fixe") in c.text


def test_no_change_breaks_a_rule_more(sample, changes):
    before = Counter(v.rule for v in sample.violations)
    for c in changes:
        after = Counter(v.rule for v in c.result.violations)
        assert all(after[r] <= before[r] for r in after)


def test_a_move_that_breaks_a_rule_is_not_proposed(sample, changes):
    # a 9:00 stop moved 40 min from the base: the bus, leaving at 8:30, arrives late
    morning = next(s for s in stops(sample) if s.key[3] == "09:00" and not s.locked)
    far = max(sample.problem.territory.codes, key=lambda c: sample.problem.matrix.minutes("18279", c))
    broken = move_stop(sample, morning, far)
    assert (
        Counter(v.rule for v in broken.violations)["no_overlap_and_travel"]
        > Counter(v.rule for v in sample.violations)["no_overlap_and_travel"]
    )
    assert (morning.key, far) not in {(c.stop.key, c.new_host) for c in changes}


def test_locked_stops_stay(sample, changes):
    locked = [s for s in stops(sample) if s.locked]
    assert {s.host for s in locked} == {"18100", "18140"}  # Genouilly and Massay are announced
    assert not {c.stop.key for c in changes} & {s.key for s in locked}
    # and locking one more by hand removes its change
    first = changes[0].stop.key
    assert first not in {c.stop.key for c in propose(sample, locked=[first])}


def test_adopting_step_by_step_raises_the_value_and_keeps_the_locks(sample):
    better, done = improved(sample, 3)
    assert len(done) == 3
    values = [sample.objective] + [c.result.objective for c in done]
    assert values == sorted(values) and better.objective == pytest.approx(values[-1])
    announced = {(s.uid, s.host, s.date, s.start) for s in sample.plan.sessions if s.locked}
    assert announced <= {(s.uid, s.host, s.date, s.start) for s in better.plan.sessions}
    assert not [v for v in better.violations if v.rule == "locked_unchanged"]


def test_cli_improve_and_adopt(tmp_path):
    out = tmp_path / "t.json"
    args = ["score", str(DATA_DIR / "tournee_exemple.csv"), "--start", "2027-01-04", "--end", "2027-06-30"]
    assert main([*args, "--improve", "--lock", "Graçay", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["changes"] and all(c["from"] != "18103" for c in data["changes"])  # Graçay locked
    first = data["changes"][0]
    assert first["objective_after"] == pytest.approx(data["metrics"]["objective"] + first["gain"])
    assert main([*args, "--adopt", "2", "--out", str(out)]) == 0
    adopted = json.loads(out.read_text(encoding="utf-8"))
    assert len(adopted["adopted"]) == 2
    assert adopted["metrics"]["objective"] == pytest.approx(adopted["adopted"][-1]["objective_after"])
