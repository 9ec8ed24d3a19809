"""The funders' story: what the plan achieves that saupoudrage does not, and what it costs.

Four figures lead, in this order, each for the plan and for the saupoudrage on the same days:

1. **people who complete a parcours** (``participants_full_series``): a one-off visit
   « touches » people but trains nobody;
2. **least-covered communes reached**: of the least-covered third of the territory's communes
   (:func:`planner.publish.equity.least_covered`, coverage as the plan file keeps it), how many
   have people in a full parcours (a full series draws from them, ``from_communes``);
3. **people in need within reach**: need of the communes within 15 minutes of a mediation place
   (fixed site, or host of a full parcours) — a place to come back to;
4. **cost per person trained**: the report's estimated cost over the people who complete a
   parcours (never over people « touched »); undefined when nobody completes one.

Shares of the need are compared in **points** (« +4,5 points »), never as « +4,5 % ». Every
figure comes from :func:`planner.publish.report.plan_figures` on the plan file and the
territory it names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.french import french_decimal
from planner.model import Plan
from planner.publish.equity import least_covered, rounded
from planner.publish.report import CostRates, PlanFigures, ReportContext, full_series_ids, plan_figures


@dataclass(frozen=True)
class StoryFigure:
    """One figure of the story, for the plan and the saupoudrage (``None``: no baseline)."""

    key: str
    label: str
    plan: float
    baseline: float | None
    unit: str
    decimals: int
    definition: str
    higher_is_better: bool = True

    def text(self, value: float | None) -> str:
        """A value in French with its unit (« — » when undefined)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        text = french_decimal(value, self.decimals)
        return f"{text} {self.unit}" if self.unit else text

    @property
    def difference(self) -> str | None:
        """Plan minus saupoudrage in French (points for shares), ``None`` when not comparable."""
        if self.baseline is None or any(math.isnan(v) for v in (self.plan, self.baseline)):
            return None
        diff = self.plan - self.baseline
        unit = "points" if self.unit == "%" else self.unit
        sign = "+" if diff > 0 else ("−" if diff < 0 else "")
        return f"{sign}{french_decimal(abs(diff), self.decimals)} {unit}".strip()


def least_covered_reached(plan: Plan, ctx: ReportContext, k: int | None = None) -> tuple[int, int]:
    """(communes of the least-covered third with people in a full parcours, size of the third)."""
    coverage, _ = rounded({c: ctx.needs[c].coverage for c in ctx.territory.codes}, {})
    third = set(least_covered(coverage))
    full = full_series_ids(plan, k)
    reached = {
        c for s in plan.series if s.id in full for c, n in s.from_communes.items() if n > 0 and c in third
    }
    return len(reached), len(third)


def _cost_per_trained(f: PlanFigures) -> float:
    return f.cost_eur / f.participants_full_series if f.participants_full_series else float("nan")


def funders_story(
    plan: Plan, ctx: ReportContext, baseline: Plan | None = None, rates: CostRates | None = None
) -> tuple[StoryFigure, ...]:
    """The four lead figures and the share of need served by full parcours (see the module)."""
    k = plan.rules.sessions_per_series
    mine = plan_figures(plan, ctx, rates, k)
    base = plan_figures(baseline, ctx, rates, k) if baseline is not None else None
    reached, third = least_covered_reached(plan, ctx, k)
    reached_base = least_covered_reached(baseline, ctx, k)[0] if baseline is not None else None

    def pct(n: int | None) -> float | None:
        return None if n is None else (100.0 * n / third if third else float("nan"))

    return (
        StoryFigure(
            "trained",
            "Personnes qui suivent un parcours complet",
            float(mine.participants_full_series),
            None if base is None else float(base.participants_full_series),
            "pers.",
            0,
            "Inscrites dans un groupe qui reçoit toutes les séances d'un parcours : c'est ce qui permet "
            "d'apprendre. Une visite isolée « touche » sans former.",
        ),
        StoryFigure(
            "least_covered_reached",
            "Communes les moins couvertes atteintes",
            pct(reached),
            pct(reached_base),
            "%",
            0,
            f"Part des {third} communes du tiers le moins couvert par les lieux fixes dont des habitants "
            f"suivent un parcours complet ({reached} avec le plan).",
        ),
        StoryFigure(
            "within_reach",
            "Personnes en besoin à portée d'un lieu où revenir",
            mine.need_near,
            None if base is None else base.need_near,
            "pers.",
            0,
            "Besoin estimé des communes à 15 minutes de route au plus d'un lieu fixe ou d'une commune qui "
            "accueille un parcours complet.",
        ),
        StoryFigure(
            "cost_per_trained",
            "Coût par personne formée",
            _cost_per_trained(mine),
            None if base is None else _cost_per_trained(base),
            "€",
            0,
            "Coût estimé (km et heures mobilisées) divisé par les personnes qui suivent un parcours complet — "
            "pas par les personnes « touchées » ; « — » quand personne n'en suit.",
            higher_is_better=False,
        ),
        StoryFigure(
            "need_share",
            "Part du besoin non couvert servie par des parcours complets",
            100.0 * mine.unmet_full_share,
            None if base is None else 100.0 * base.unmet_full_share,
            "%",
            1,
            "Personnes suivant un parcours complet (au plus le besoin de leur commune) rapportées au besoin "
            "non couvert du territoire ; l'écart avec le saupoudrage se lit en points.",
        ),
    )


def story_sentences(story: tuple[StoryFigure, ...]) -> list[str]:
    """The story in French sentences, for the report (plan, then saupoudrage and the difference)."""
    out = []
    for f in story:
        line = f"{f.label} : {f.text(f.plan)}"
        if f.baseline is not None:
            line += f" (saupoudrage : {f.text(f.baseline)}"
            line += f", écart : {f.difference})" if f.difference else ")"
        out.append(line + ".")
    return out
