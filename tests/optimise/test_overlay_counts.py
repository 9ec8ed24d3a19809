"""``greedy.Overlay``: counts changed over a base without copying it (the reasons of a plan
subtract what a move displaces from the whole plan's counts)."""

from __future__ import annotations

from collections import defaultdict

from planner.optimise.greedy import Overlay


def test_an_overlay_reads_like_a_copy_of_its_base_and_never_writes_it():
    base: defaultdict[str, int] = defaultdict(int, {"a": 3, "b": 1})
    copy = dict(base)
    over = Overlay(base)
    over["a"] -= 2
    over["c"] += 5  # absent from the base: counts from 0
    assert (over["a"], over["b"], over["c"], over["d"]) == (1, 1, 5, 0)
    assert (over.get("a"), over.get("b"), over.get("d", 7)) == (1, 1, 7)
    assert dict(base) == copy  # nothing written through, not even a default 0
    # an overlay over an overlay reads through both
    top = Overlay(over)
    top["b"] += 1
    assert (top["a"], top["b"], top["c"], top.get("d", 0)) == (1, 2, 5, 0)
    assert over["b"] == 1 and dict(base) == copy
