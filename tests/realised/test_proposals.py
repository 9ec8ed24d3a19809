"""« Ajustements proposés »: each rule proposes when the realised breaks the plan's assumption,
and stays silent when it keeps it; accepted ones change the need and the rules, and the plan file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.model import CommuneNeed, PlanInputs
from planner.plan_json import load_plan, plan_from_dict, plan_to_dict
from planner.realised.outcome import SessionOutcome, cancelled
from planner.realised.proposals import FULL_FACTOR, MIN_FACTOR, Adjustments, accept, propose
from planner.realised.season import RealisedSeason

PLAN = Path(__file__).resolve().parents[1] / "data" / "plan_vierzon_petit.json"
MASSAY, THENIOUX, PIERREFITTE = "18140", "18263", "41176"


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN)  # P1 Massay (group 12), P2 Thénioux (10), P3 Pierrefitte (11); bus of 12 seats


def sessions(plan, series):
    return sorted((s for s in plan.sessions if s.series == series), key=lambda s: s.index)


def season(plan, **counts):
    """``P1=[3, 4, None, "no_show"]``: participants per session in order (None: not recorded)."""
    out = []
    for series, values in counts.items():
        for s, v in zip(sessions(plan, series), values, strict=False):
            if v == "no_show":
                out.append(cancelled(s.uid, "personne n'est venu"))
            elif isinstance(v, tuple):
                out.append(SessionOutcome(s.uid, True, sum(v[1].values()), residence=v[1]))
            elif v is not None:
                out.append(SessionOutcome(s.uid, True, v))
    return RealisedSeason.of(out)


def by_key(proposals):
    return {p.key: p for p in proposals}


def test_under_the_threshold_counts_less_full_sessions_count_more(plan):
    got = by_key(propose(plan, season(plan, P1=[3, 2, "no_show"], P2=[12, 12, 9], P3=[5])))
    massay = got[f"need:{MASSAY}"]
    assert massay.current == 1.0 and massay.proposed == pytest.approx(max(MIN_FACTOR, (5 / 3) / 12), abs=0.01)
    assert "sous le seuil de 6" in massay.reason and "3 séance(s)" in massay.reason
    thenioux = got[f"need:{THENIOUX}"]
    assert (
        thenioux.proposed == FULL_FACTOR and "2 séance(s) sur 3 tenues étaient complètes" in thenioux.reason
    )
    assert f"need:{PIERREFITTE}" not in got  # one session says nothing yet


def test_turnout_as_planned_proposes_nothing(plan):
    assert propose(plan, season(plan, P1=[8, 7, 9], P2=[10, 9, 8])) == ()


def test_neighbours_who_did_not_come_lower_the_attendance_share(plan):
    home = (None, {THENIOUX: 9})
    got = by_key(propose(plan, season(plan, P2=[home, home, home])))
    share = got["attendance_share"]
    assert share.current == plan.rules.attendance_share and share.proposed == 0.05
    assert "0 % venaient d'une autre commune" in share.reason and "30 %" in share.reason
    mixed = (None, {THENIOUX: 7, "18228": 3})  # exactly what the plan assumed
    assert "attendance_share" not in by_key(propose(plan, season(plan, P2=[mixed, mixed, mixed])))


def test_proposals_start_from_accepted_adjustments_and_accept_only_what_is_chosen(plan):
    realised = season(plan, P1=[3, 3, 3], P2=[12, 12, 12])
    proposals = propose(plan, realised)
    adj = accept(proposals, [f"need:{MASSAY}"])
    assert dict(adj.need_factors) == {MASSAY: 0.25} and adj.attendance_share is None
    again = by_key(propose(plan, realised, adjustments=adj))
    assert f"need:{MASSAY}" not in again and f"need:{THENIOUX}" in again  # the same season never compounds
    adjusted_plan = replace(plan, inputs=PlanInputs(need_factors={MASSAY: 0.5}))  # computed with ×0,5
    later = by_key(propose(adjusted_plan, realised, adjustments=Adjustments({MASSAY: 0.5})))
    assert later[f"need:{MASSAY}"].current == 0.5 and later[f"need:{MASSAY}"].proposed == round(0.5 * 0.25, 2)
    with pytest.raises(InputError, match="ajustement inconnu"):
        accept(proposals, ["need:99999"])


def test_adjustments_change_need_rules_and_are_recorded_in_the_plan_file(plan):
    adj = Adjustments({MASSAY: 0.5}, 0.3)
    needs = {MASSAY: CommuneNeed(MASSAY, 100.0, 0.2, 80.0), THENIOUX: CommuneNeed(THENIOUX, 50.0, 0.0, 50.0)}
    out = adj.apply_needs(needs)
    assert out[MASSAY].unmet_need == 40.0 and out[MASSAY].need == 50.0 and out[THENIOUX] == needs[THENIOUX]
    assert adj.apply_rules(plan.rules).attendance_share == 0.3
    assert Adjustments.from_dict(adj.to_dict()) == adj
    with pytest.raises(InputError):
        Adjustments({MASSAY: -1.0})
    recorded = replace(plan, inputs=PlanInputs(plan.inputs.requests, False, {}, {MASSAY: 0.5}))
    assert dict(plan_from_dict(plan_to_dict(recorded)).inputs.need_factors) == {MASSAY: 0.5}
    assert "need_factors" not in plan_to_dict(plan)["inputs"]  # files without adjustments are unchanged


def test_a_partial_shortfall_of_neighbours_scales_the_share_to_the_sliders_step(plan):
    fewer = (None, {THENIOUX: 9, "18228": 1})  # 10 % from elsewhere where the plan assumed 30 %
    share = by_key(propose(plan, season(plan, P2=[fewer, fewer, fewer])))["attendance_share"]
    expected = round(plan.rules.attendance_share * (0.1 / 0.3) / 0.05) * 0.05
    assert share.proposed == pytest.approx(expected) and "10 %" in share.reason
