"""The funder report's « Réalisé » section: present with what happened, absent without."""

from __future__ import annotations

import io
from dataclasses import replace

import pypdf
from tiny_plan import tiny_baseline, tiny_matrix, tiny_needs, tiny_territory

from planner.plan_json import with_uids
from planner.publish import make_context, report_bytes
from planner.realised.outcome import SessionOutcome, cancelled
from planner.realised.season import RealisedSeason
from tests.publish.tiny_plan import tiny_plan


def _plan():
    plan = tiny_plan()
    return replace(plan, sessions=with_uids(plan.sessions, plan.territory_spec))


def _text(realised) -> str:
    plan = _plan()
    ctx = make_context(
        plan,
        territory=tiny_territory(),
        needs=tiny_needs(),
        matrix=tiny_matrix(),
        baseline=tiny_baseline(),
        realised=realised,
    )
    reader = pypdf.PdfReader(io.BytesIO(report_bytes(ctx).data))
    return "\n".join(p.extract_text() for p in reader.pages)


def test_report_has_a_realised_section_with_planned_and_done():
    plan = _plan()
    s1 = [s for s in plan.sessions if s.series == plan.series[0].id]
    outcomes = [SessionOutcome(s.uid, True, 7) for s in s1[:-1]] + [cancelled(s1[-1].uid, "météo")]
    text = _text(RealisedSeason.of(outcomes))
    assert "Réalisé : ce qui s'est vraiment passé" in text
    assert f"{len(s1) - 1} / {len(s1)}" in text  # sessions held of the first parcours
    assert "météo (1)" in text
    assert "Coût par personne formée" in text and "aucun nom n'est conservé" in text


def test_report_without_realised_has_no_such_section():
    assert "Réalisé : ce qui s'est vraiment passé" not in _text(None)
    assert "Réalisé : ce qui s'est vraiment passé" not in _text(RealisedSeason())


def test_report_tells_the_funders_story_in_points():
    text = _text(None)
    assert "Ce que le plan apporte que le saupoudrage n'apporte pas" in text
    assert "Communes les moins couvertes atteintes" in text and "Coût par personne formée" in text
    assert "points)" in text
