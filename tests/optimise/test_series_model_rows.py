"""The series model's short rows mean what the plain rows meant.

:class:`planner.optimise.cpsat.SeasonModel` names one variable per site for its number of
series and one per slot for whether it is used; a drive-time row names the few hosts of the
earlier slot that fit, when they are fewer than those that do not. :class:`Plain` below writes every rule the plain way (each row spelling out its
candidates); both are solved to their proven optimum with the same solver and seed, and each
one's optimal choice of series is valued in the other: same optimum, same value of every choice.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import replace
from datetime import date, time

import pytest
from ortools.sat.python import cp_model
from tiny_season import TUESDAYS, A, B, C, bus, problem

from planner.model import Resource, Rules, Season, Session
from planner.optimise.candidates import build_candidates
from planner.optimise.cpsat import SeasonModel


class Plain(SeasonModel):
    """The rules written plainly: every row names the candidates it is about."""

    def _count_var(self, site):
        return sum(self.x[i] for i in self.by_site.get(site, [])) + len(self.fixed_by_site.get(site, []))

    def rule_one_series_per_slot(self) -> None:
        for idx in self.lanes.values():
            if len(idx) > 1:
                self.m.add_at_most_one(self.x[i] for i in idx)

    def rule_day_drive_time(self) -> None:
        blocks: dict[tuple, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for i, c in enumerate(self.cands.free):
            blocks[(c.resource, c.weekday, c.block)][c.slot].append(i)
        for (rid, _wd, _b), by_slot in blocks.items():
            r = self.res[rid]
            for s, t in itertools.combinations(sorted(by_slot), 2):
                for j in by_slot[t]:
                    h2 = self.cands.free[j].host
                    bad = [
                        self.x[i]
                        for i in by_slot[s]
                        if not self.cands.compatible(self.problem, r, s, self.cands.free[i].host, t, h2)
                    ]
                    if bad:
                        self.m.add(sum(bad) + self.x[j] <= 1)

    def rule_window_symmetry(self) -> None:
        blocks: dict[tuple, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for i, c in enumerate(self.cands.free):
            blocks[(c.resource, c.weekday)][c.block].append(i)
        for by_block in blocks.values():
            same: dict[frozenset, list[int]] = defaultdict(list)
            for b, idx in by_block.items():
                same[frozenset((self.cands.free[i].host, self.cands.free[i].slot) for i in idx)].append(b)
            for bs in same.values():
                bs.sort()
                first = self.cands.free[by_block[bs[0]][0]]
                self.same_windows.append((first.resource, first.weekday, tuple(bs)))
                for b1, b2 in itertools.pairwise(bs):
                    self.m.add(sum(self.x[i] for i in by_block[b1]) >= sum(self.x[i] for i in by_block[b2]))

    def rule_threshold_and_seats(self) -> None:
        for site in self.sites:
            total = sum(v for (h, rid, _), v in self.p.items() if (h, rid) == site)
            free, fixed = self.by_site[site], self.fixed_by_site[site]
            lo = self.rules.min_participants
            fixed_lo = sum(min(lo, self.cap(c)) for c in fixed)
            if fixed:
                fixed_lo = min(fixed_lo, self.cands.reachable(self.problem, site[1], site[0]))
            self.m.add(total >= lo * sum(self.x[i] for i in free) + fixed_lo)
            self.m.add(
                total
                <= sum(self.cap(self.cands.free[i]) * self.x[i] for i in free) + sum(map(self.cap, fixed))
            )


def _solve(model: SeasonModel, fixed_x: list[int] | None = None) -> tuple[int, float, list[int]]:
    if fixed_x is not None:
        for v, val in zip(model.x, fixed_x, strict=True):
            model.m.add(v == val)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 3
    solver.parameters.max_time_in_seconds = 60
    code = solver.solve(model.m)
    if code != cp_model.OPTIMAL:
        return code, float("nan"), []
    return code, round(solver.objective_value), [solver.value(v) for v in model.x]  # integer objective


def _team(**kw) -> Resource:
    """Three 120-minute sessions a day, so that the first and the last slot are two drives apart."""
    fields = dict(id="team", kind="team", seats=8, base=B, weekdays=(1,), max_sessions_per_day=3)
    fields |= dict(session_minutes=120, needs_power=False, day_start=time(9), day_end=time(17, 30))
    return Resource(**(fields | kw))


TEN_TUESDAYS = Season(date(2027, 1, 5), date(2027, 3, 9))  # two interchangeable windows
LOCK = Session("L-B", 1, "bus", B, TUESDAYS[0], time(9, 10), time(12, 10), locked=True)
CASES = {
    "tiny": problem(),
    "imposed": replace(problem(), must_host=(C,)),
    "two windows": problem(season=TEN_TUESDAYS),
    "bus and team": problem(resources=(bus(), _team()), season=TEN_TUESDAYS),
    "team far apart": problem(resources=(_team(),), overrides={(A, C): 45, (B, C): 40}),
    "locked": problem(locked=(LOCK,)),
    "km budget": problem(rules=Rules(travel_weight=0.0, km_budget=300.0)),
    "threshold": problem(rules=Rules(travel_weight=0.5, min_participants=10)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_short_rows_keep_the_optimum_and_the_value_of_every_choice(name):
    prob = CASES[name]
    cands = build_candidates(prob)
    code, best, x = _solve(SeasonModel(prob, cands))
    code_plain, best_plain, x_plain = _solve(Plain(prob, cands))
    assert code == code_plain == cp_model.OPTIMAL
    assert best == best_plain
    # each one's optimal series, valued by the other: feasible there and worth the same
    assert _solve(Plain(prob, cands), x)[1] == best
    assert _solve(SeasonModel(prob, cands), x_plain)[1] == best


def test_every_two_series_of_a_day_are_allowed_alike():
    """The team's sessions of 130 min leave little time to drive: most hosts of a slot cannot
    follow one another. Every two series of one day, held together: both models agree whether
    they can be, and on the best plan holding them."""
    prob = problem(resources=(_team(session_minutes=130),), overrides={(A, C): 45, (B, C): 40})
    cands = build_candidates(prob)
    day = defaultdict(list)
    for i, c in enumerate(cands.free):
        day[(c.weekday, c.block)].append(i)
    pairs = [
        (i, j)
        for idx in day.values()
        for i, j in itertools.combinations(idx, 2)
        if cands.free[i].slot < cands.free[j].slot
    ]
    held = {True: 0, False: 0}
    for i, j in pairs:
        both = []
        for model_class in (SeasonModel, Plain):
            model = model_class(prob, cands)
            model.m.add(model.x[i] + model.x[j] == 2)
            both.append(_solve(model)[:2])
        assert both[0] == both[1] or both[0][0] == both[1][0] == cp_model.INFEASIBLE
        held[both[0][0] == cp_model.OPTIMAL] += 1
    assert held[True] and held[False]  # some pairs fit in a day, others do not


def test_an_infeasible_lock_stays_infeasible():
    """A locked series at E (4 people) under a threshold of 13 and an imposed C: both say no."""
    prob = problem(locked=(LOCK,), rules=Rules(travel_weight=0.0, min_participants=13))
    prob = replace(prob, must_host=(C,))
    cands = build_candidates(prob)
    assert _solve(SeasonModel(prob, cands))[0] == _solve(Plain(prob, cands))[0] == cp_model.INFEASIBLE


def test_a_site_count_is_named_once_per_catchment_row(monkeypatch):
    """Two windows of two slots: four candidates at each host; a catchment row names the
    neighbour's people and the site's count, not its four candidates (the plain rows do)."""
    prob = problem(season=TEN_TUESDAYS)
    cands = build_candidates(prob)
    real = SeasonModel.rule_catchment_allocation
    rows: list[int] = []

    def spy(self):
        before = len(self.m.proto.constraints)
        real(self)
        cts = self.m.proto.constraints
        rows.extend(len(cts[k].linear.vars) for k in range(before, len(cts)))

    monkeypatch.setattr(SeasonModel, "rule_catchment_allocation", spy)
    model = SeasonModel(prob, cands)
    short = list(rows)
    rows.clear()
    Plain(prob, cands)
    assert max(len(v) for v in model.by_site.values()) >= 4
    assert short and max(short) == 2
    assert max(rows) >= 5
