"""Bilan's lead: what the plan achieves that saupoudrage does not (:mod:`planner.publish.story`)."""

from __future__ import annotations

import streamlit as st

from planner.model import Plan
from planner.publish.report import CostRates, ReportContext
from planner.publish.story import funders_story

#: Short tile labels (the full label and the definition are in the tile's help).
SHORT = {
    "trained": "Personnes formées",
    "least_covered_reached": "Moins couvertes atteintes",
    "within_reach": "En besoin, à portée",
    "cost_per_trained": "Coût par personne formée",
}


def render_story(plan: Plan, ctx: ReportContext, baseline: Plan | None, rates: CostRates) -> None:
    """Four tiles (plan, and the difference with the saupoudrage), then the share of need in points."""
    story = funders_story(plan, ctx, baseline, rates)
    tiles = [f for f in story if f.key in SHORT]
    for col, f in zip(st.columns(len(tiles)), tiles, strict=True):
        delta = None
        if f.baseline is not None:
            delta = f"saupoudrage : {f.text(f.baseline)}"
            if f.difference:
                # an ASCII minus: Streamlit reads the sign of the delta's text for its arrow and colour
                delta = f"{f.difference.replace('−', '-')} vs saupoudrage"
        col.metric(
            SHORT[f.key],
            f.text(f.plan),
            delta=delta,
            delta_color=("normal" if f.higher_is_better else "inverse") if f.difference else "off",
            delta_arrow="auto" if f.difference else "off",
            help=f"{f.label} : {f.definition}"
            + (f" Saupoudrage : {f.text(f.baseline)}." if f.baseline is not None else ""),
        )
    share = next(f for f in story if f.key == "need_share")
    line = f"**{share.label}** : {share.text(share.plan)}"
    if share.baseline is not None:
        line += f", contre {share.text(share.baseline)} avec le saupoudrage ({share.difference})"
    st.markdown(line + ".")
