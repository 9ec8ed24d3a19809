"""Day frames and day patterns (:mod:`planner.optimise.patterns`, :func:`drivable_days`).

What is checked against an independent computation:

- a frame's hosts per slot, its ``limit`` rows and its ``compat`` matrices are exactly what the
  candidate series of :func:`build_candidates` and :func:`slots_compatible` say (a team of three
  sessions a day, where most pairs of hosts cannot share a day, and a bus);
- :func:`best_patterns` finds the best day by brute force over every pattern (a host or nothing
  per slot, every pair compatible, no host more often than ``most``), on a real team frame and
  on drawn frames where the same host sits in several slots and ``most`` binds;
- its ``extra`` patterns are distinct, drivable, valued as the sum of their gains, and (as its
  docstring says) the best ones through the highest-gain hosts;
- :func:`drivable_days` lists every drivable day over the hosts given, and cuts the list of
  hosts (never a pattern) when there are too many.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace
from datetime import date, time

import numpy as np
import pytest
from builders import cher_problem, vierzon_problem

from planner.model import HostRequest, Resource
from planner.optimise.candidates import build_candidates, slots_compatible
from planner.optimise.pattern_search import drivable_days
from planner.optimise.patterns import DayFrame, best_patterns, day_frames

TEAM = Resource("equipe", "team", 8, "18001", (0,), time(9), time(17, 30), 3, 120, False, "Équipe")


@pytest.fixture(scope="module")
def cher20():
    """20 communes of the Cher, a bus (2 sessions a day) and a team (3 sessions a day), 6 weeks."""
    prob = cher_problem(20, weeks=6)
    return prob, build_candidates(prob)


def _drivable(frame: DayFrame, pat) -> bool:
    """Every pair of sessions compatible and no host beyond its ``most`` (brute-force check)."""
    m = len(pat)
    for s, t in itertools.combinations(range(m), 2):
        if pat[s] >= 0 and pat[t] >= 0 and not frame.compat[(s, t)][pat[s], pat[t]]:
            return False
    count = Counter(frame.hosts[s][j] for s, j in enumerate(pat) if j >= 0)
    return all(c <= frame.most.get(h, m) for h, c in count.items())


def _value(gains, pat) -> float:
    return float(sum(gains[s][j] for s, j in enumerate(pat) if j >= 0))


def _brute_best(frame: DayFrame, gains, through: tuple[int, int] | None = None) -> float:
    """Best total gain of a drivable pattern (through ``(slot, host index)`` when given; -inf if none)."""
    best = 0.0 if through is None else -np.inf
    for pat in itertools.product(*[range(-1, len(hs)) for hs in frame.hosts]):
        if through is not None and pat[through[0]] != through[1]:
            continue
        if _drivable(frame, pat):
            best = max(best, _value(gains, pat))
    return best


def _drawn_frame(seed: int, per_slot: int = 5, names: int = 7) -> tuple[DayFrame, list[np.ndarray]]:
    """A team frame with random compatibility, hosts shared between slots and ``most`` of 1 to 3."""
    rng = np.random.default_rng(seed)
    pool = [f"h{i}" for i in range(names)]
    hosts = [[str(h) for h in rng.choice(pool, size=per_slot, replace=False)] for _ in range(3)]
    compat = {(s, t): rng.random((per_slot, per_slot)) < 0.6 for s, t in itertools.combinations(range(3), 2)}
    most = {h: int(rng.integers(1, 4)) for h in pool}
    frame = DayFrame(TEAM, 0, 3, hosts, [np.zeros(per_slot)] * 3, {}, compat, most)
    gains = [rng.normal(0.3, 1.0, per_slot) for _ in range(3)]
    return frame, gains


# --------------------------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------------------------


def test_frame_compat_is_slots_compatible_for_every_pair_of_hosts(cher20):
    prob, cands = cher20
    frames = day_frames(prob, cands)
    assert {f.key for f in frames} == {("bus", 1), ("bus", 4), ("equipe", 0), ("equipe", 3)}
    seen = Counter()
    for f in frames:
        r = f.resource
        m = len(f.hosts)
        assert set(f.compat) == set(itertools.combinations(range(m), 2))
        for (s, t), mat in f.compat.items():
            assert mat.shape == (len(f.hosts[s]), len(f.hosts[t]))
            for (j, h1), (k, h2) in itertools.product(enumerate(f.hosts[s]), enumerate(f.hosts[t])):
                expected = slots_compatible(r, s, h1, t, h2, prob.matrix)
                assert bool(mat[j, k]) == expected, (f.key, s, h1, t, h2)
                assert cands.compatible(prob, r, t, h2, s, h1) == expected  # either order
                seen[(r.kind, expected)] += 1
    # the team's three sessions leave ~90 minutes to drive: most pairs exclude each other
    assert seen[("team", True)] > 0 and seen[("team", False)] > 0
    assert seen[("bus", True)] > 0


def test_frame_hosts_per_slot_are_those_of_the_candidate_series(cher20):
    prob, cands = cher20
    for f in day_frames(prob, cands):
        rid, wd = f.key
        assert f.blocks == len(cands.windows[(rid, wd)])
        for s, hs in enumerate(f.hosts):
            offered = {c.host for c in cands.free if (c.resource, c.weekday, c.slot) == (rid, wd, s)}
            assert set(hs) == offered and len(hs) == len(set(hs))
        assert f.limit == {}  # no blackout date, no locked session: every window open to all
        assert all(f.most[h] >= 1 for hs in f.hosts for h in hs)


def test_frame_limits_a_host_to_its_open_windows_and_its_weekdays():
    prob = vierzon_problem(end=date(2027, 3, 26))  # one bus, Tue + Fri, 2 windows each
    host = "18036"
    # closed on the second Tuesday of the first window, and on Tuesdays only
    request = HostRequest(host, weekdays=(1,), blackout_dates=frozenset({date(2027, 1, 12)}))
    asked = replace(prob, requests=(request,))
    for p, tue_limit, on_friday in ((prob, None, True), (asked, 1, False)):
        cands = build_candidates(p)
        frames = {f.key: f for f in day_frames(p, cands)}
        tue, fri = frames[("bus-1", 1)], frames[("bus-1", 4)]
        for s in range(2):
            assert host in tue.hosts[s]
            assert tue.limit.get((s, host)) == tue_limit
            held = sum(1 for c in cands.free if (c.host, c.weekday, c.slot) == (host, 1, s))
            assert held == (tue.blocks if tue_limit is None else tue_limit)
            assert (host in fri.hosts[s]) == on_friday


# --------------------------------------------------------------------------------------------
# best_patterns
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_pattern_of_a_team_day_is_the_brute_force_best(cher20, seed):
    prob, cands = cher20
    frame = next(f for f in day_frames(prob, cands) if f.key == ("equipe", 0))
    assert [len(hs) for hs in frame.hosts] == [20, 20, 20]
    rng = np.random.default_rng(seed)
    gains = [rng.normal(0.5, 1.0, len(hs)) for hs in frame.hosts]
    # brute force over the 21³ patterns at once (free slot = index n, gain 0, compatible with all)
    ext = [np.append(g, 0.0) for g in gains]
    ok = {}
    for (s, t), mat in frame.compat.items():
        ok[(s, t)] = np.pad(mat, ((0, 1), (0, 1)), constant_values=True)
    total = ext[0][:, None, None] + ext[1][None, :, None] + ext[2][None, None, :]
    allowed = ok[(0, 1)][:, :, None] & ok[(0, 2)][:, None, :] & ok[(1, 2)][None, :, :]
    assert min(frame.most.values()) >= 3  # so multiplicity never binds in this frame
    brute = float(np.where(allowed, total, -np.inf).max())
    (value, pat), *_ = best_patterns(frame, gains)
    assert value == pytest.approx(brute, abs=1e-9)
    assert _drivable(frame, pat) and _value(gains, pat) == pytest.approx(value, abs=1e-12)
    assert sum(j >= 0 for j in pat) >= 2  # a real day, not a single session: the test bites


def test_best_pattern_is_exact_when_hosts_repeat_and_most_binds():
    binding = 0
    for seed in range(100):
        frame, gains = _drawn_frame(seed)
        (value, pat), *_ = best_patterns(frame, gains)
        assert value == pytest.approx(_brute_best(frame, gains), abs=1e-9), seed
        assert _drivable(frame, pat), seed
        assert _value(gains, pat) == pytest.approx(value, abs=1e-12), seed
        # ``most`` decides: ignoring it would give a better (impossible) day
        loose = replace(frame, most={})
        binding += _brute_best(loose, gains) > value + 1e-9
    assert binding >= 5


def test_best_pattern_respects_most_for_a_host_in_every_slot():
    """One host worth 5 in each slot, everything compatible: ``most`` says how often it comes."""
    for most, expected in ((1, 5.0 + 1.0 + 1.0), (2, 5.0 + 5.0 + 1.0), (3, 15.0)):
        hosts = [["a", "b"], ["a", "c"], ["a", "d"]]
        compat = {st: np.ones((2, 2), dtype=bool) for st in itertools.combinations(range(3), 2)}
        frame = DayFrame(TEAM, 0, 4, hosts, [np.zeros(2)] * 3, {}, compat, {"a": most})
        gains = [np.array([5.0, 1.0])] * 3
        (value, pat), *_ = best_patterns(frame, gains)
        assert value == pytest.approx(expected)
        assert Counter(frame.hosts[s][j] for s, j in enumerate(pat))["a"] == most


def test_no_pattern_when_every_gain_is_negative(cher20):
    prob, cands = cher20
    frame = day_frames(prob, cands)[0]
    found = best_patterns(frame, [-np.ones(len(hs)) for hs in frame.hosts], extra=5)
    assert found == [(0.0, (-1,) * len(frame.hosts))]


def test_extra_patterns_are_distinct_drivable_and_valued_right():
    bad = []
    for seed in range(300):
        frame, gains = _drawn_frame(seed)
        found = best_patterns(frame, gains, extra=4)
        pats = [p for _, p in found]
        assert len(set(pats)) == len(pats)
        for value, pat in found[1:]:
            assert value > 0
            assert _value(gains, pat) == pytest.approx(value, abs=1e-12)
            if not _drivable(frame, pat) or value > found[0][0] + 1e-9:
                bad.append((seed, [frame.hosts[s][j] for s, j in enumerate(pat) if j >= 0]))
    assert not bad, f"extra patterns breaking ``most`` (seed, hosts): {bad}"


def test_an_extra_pattern_never_holds_a_host_more_often_than_its_most():
    """Host ``a`` may hold 2 series in all (``most``), every pair of slots compatible. The best
    day is ``a`` twice (the slot-2 one, worth 10, and one worth 5) and ``c`` or ``b``: 16. An
    extra pattern through ``a`` in slot 2 must not hold ``a`` three times (worth 20, more than
    the best day: a day no plan can have)."""
    hosts = [["a", "b"], ["a", "c"], ["a", "d"]]
    compat = {st: np.ones((2, 2), dtype=bool) for st in itertools.combinations(range(3), 2)}
    frame = DayFrame(TEAM, 0, 4, hosts, [np.zeros(2)] * 3, {}, compat, {"a": 2, "b": 3, "c": 3, "d": 3})
    gains = [np.array([5.0, 1.0]), np.array([5.0, 1.0]), np.array([10.0, 1.0])]
    found = best_patterns(frame, gains, extra=3)
    assert found[0][0] == pytest.approx(16.0)
    for value, pat in found:
        held = Counter(frame.hosts[s][j] for s, j in enumerate(pat) if j >= 0)
        assert held["a"] <= 2, f"pattern {pat} (value {value}) holds a {held['a']} times, most 2"
        assert value <= found[0][0] + 1e-9


def test_an_extra_pattern_through_a_late_slot_host_alone_is_offered():
    """``c`` (slot 2, the highest gain, 3) shares a day with nobody; ``a`` + ``b`` (2 + 2) is the
    best day. The best day through ``c`` is ``c`` alone, worth 3 > 0: it is one of the extra
    patterns the docstring promises (``rest_bound`` must count the gain of the fixed slot)."""
    hosts = [["a"], ["b"], ["c"]]
    compat = {
        (0, 1): np.ones((1, 1), dtype=bool),
        (0, 2): np.zeros((1, 1), dtype=bool),
        (1, 2): np.zeros((1, 1), dtype=bool),
    }
    frame = DayFrame(TEAM, 0, 4, hosts, [np.zeros(1)] * 3, {}, compat, {"a": 3, "b": 3, "c": 3})
    gains = [np.array([2.0]), np.array([2.0]), np.array([3.0])]
    found = best_patterns(frame, gains, extra=3)
    assert found[0] == (pytest.approx(4.0), (0, 0, -1))
    assert (-1, -1, 0) in [tuple(int(j) for j in p) for _, p in found]


def test_extra_patterns_are_the_best_through_the_highest_gain_hosts():
    """The docstring: the ``extra`` patterns are the best ones through each of the highest-gain
    hosts. For each of those hosts, the best drivable day through it (brute force) must be
    among the patterns returned, with its value."""
    missed = []
    for seed in range(40):
        frame, gains = _drawn_frame(seed)
        extra = 4
        found = best_patterns(frame, gains, extra=extra)
        heads = sorted(
            ((gains[s][j], s, j) for s in range(3) for j in range(len(gains[s])) if gains[s][j] > 1e-6),
            reverse=True,
        )[:extra]
        for _, s, j in heads:
            best_through = _brute_best(frame, gains, through=(s, j))
            if best_through == -np.inf:
                continue  # the host alone breaks ``most``: no day through it
            values = [v for v, p in found if p[s] == j]
            if not any(v == pytest.approx(best_through, abs=1e-9) for v in values):
                missed.append((seed, s, round(best_through, 4), [round(float(v), 4) for v in values]))
    assert not missed, f"(seed, slot, best day through the head, returned through it): {missed}"


# --------------------------------------------------------------------------------------------
# drivable_days
# --------------------------------------------------------------------------------------------


def test_drivable_days_lists_every_drivable_day_over_the_hosts(cher20):
    prob, cands = cher20
    frame = next(f for f in day_frames(prob, cands) if f.key == ("equipe", 3))
    hosts = frame.hosts[0][:8]
    days = drivable_days(frame, hosts)
    assert len(days) == len(set(days))
    brute = {
        pat
        for pat in itertools.product(*[range(-1, len(hs)) for hs in frame.hosts])
        if any(j >= 0 for j in pat)
        and all(j < 0 or frame.hosts[s][j] in hosts for s, j in enumerate(pat))
        and _drivable(frame, pat)
    }
    assert set(days) == brute
    assert any(sum(j >= 0 for j in p) == 3 for p in days)  # whole team days, not only singles


def test_drivable_days_cut_the_list_of_hosts_not_the_patterns(cher20):
    prob, cands = cher20
    frame = next(f for f in day_frames(prob, cands) if f.key == ("bus", 1))
    hosts = frame.hosts[0]
    every = drivable_days(frame, hosts)
    limit = len(every) // 3
    cut = drivable_days(frame, hosts, limit=limit)
    assert 0 < len(cut) <= limit
    used = {frame.hosts[s][j] for p in cut for s, j in enumerate(p) if j >= 0}
    kept = hosts[: max(hosts.index(h) for h in used) + 1]  # a prefix of the preference order
    assert set(cut) == set(drivable_days(frame, kept))
