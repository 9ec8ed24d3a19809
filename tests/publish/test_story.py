"""The funders' story: lead figures of the plan beside the saupoudrage, shares in points, costs
per person trained; each figure recomputed here by hand from the plan and the territory."""

from __future__ import annotations

import math
from dataclasses import replace

from planner.model import Series
from planner.publish.equity import least_covered, rounded
from planner.publish.report import plan_figures
from planner.publish.story import funders_story, least_covered_reached, story_sentences


def _by_key(story):
    return {f.key: f for f in story}


def test_story_figures_are_the_plan_files_own(ctx):
    rc = ctx.report
    story = _by_key(funders_story(ctx.plan, rc, ctx.baseline, ctx.rates))
    mine = plan_figures(ctx.plan, rc, ctx.rates, ctx.plan.rules.sessions_per_series)
    assert story["trained"].plan == mine.participants_full_series == 23
    assert story["trained"].baseline == 0  # one visit per village trains nobody
    assert story["cost_per_trained"].plan == mine.cost_eur / 23
    assert (
        math.isnan(story["cost_per_trained"].baseline) and story["cost_per_trained"].text(float("nan")) == "—"
    )
    assert story["within_reach"].plan == mine.need_near

    coverage, _ = rounded({c: rc.needs[c].coverage for c in rc.territory.codes}, {})
    third = set(least_covered(coverage))
    drawn = {c for s in ctx.plan.series for c, n in s.from_communes.items() if n}
    assert story["least_covered_reached"].plan == 100 * len(third & drawn) / len(third)


def test_shares_of_need_are_compared_in_points(ctx):
    share = _by_key(funders_story(ctx.plan, ctx.report, ctx.baseline, ctx.rates))["need_share"]
    assert share.difference.endswith(" points") and share.difference.startswith("+")
    lines = story_sentences(funders_story(ctx.plan, ctx.report, ctx.baseline, ctx.rates))
    assert any("points)" in line for line in lines) and not any(
        "+" in line and "%)" in line for line in lines
    )


def test_a_plan_far_from_the_least_covered_reaches_none_of_them(ctx):
    rc = ctx.report
    coverage, _ = rounded({c: rc.needs[c].coverage for c in rc.territory.codes}, {})
    third = set(least_covered(coverage))
    covered = [c for c in rc.territory.codes if c not in third]
    series = tuple(
        Series(s.id, covered[0], s.resource, s.participants, {covered[0]: s.participants})
        for s in ctx.plan.series
    )
    elsewhere = replace(ctx.plan, series=series)
    assert least_covered_reached(elsewhere, rc)[0] == 0
    assert least_covered_reached(ctx.plan, rc)[0] > 0
