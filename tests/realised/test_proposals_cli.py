"""``realised proposals`` then ``plan --adjustments``: proposals are printed with their reasons,
nothing is applied until accepted, accepted ones change the next plan's need and are recorded."""

from __future__ import annotations

import json
from pathlib import Path

from planner.cli import build_parser, main
from planner.commands.plan import build_problem
from planner.plan_json import load_plan
from planner.realised.outcome import SessionOutcome
from planner.store import realised as store
from planner.store.db import open_store

PLAN = Path(__file__).resolve().parents[1] / "data" / "plan_vierzon_petit.json"
MASSAY = "18140"


def _record():
    plan = load_plan(PLAN)
    engine = open_store()
    version = store.ensure_plan_version(engine, plan, "Plan annoncé", "coordination")
    p1 = [s for s in plan.sessions if s.series == "P1"][:3]
    store.record_outcomes(engine, version, [SessionOutcome(s.uid, True, 3) for s in p1], "coordination")


def test_proposals_are_listed_then_accepted_into_the_next_plan(tmp_path, capsys):
    _record()
    assert main(["realised", "proposals", "--plan", str(PLAN)]) == 0
    out = capsys.readouterr().out
    assert f"need:{MASSAY}" in out and "sous le seuil de 6" in out and "rien n'est appliqué" in out

    assert main(["realised", "proposals", "--plan", str(PLAN), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["key"] for p in listed] == [f"need:{MASSAY}"] and listed[0]["accepted"] is False

    adj = tmp_path / "ajustements.json"
    assert main(["realised", "proposals", "--plan", str(PLAN), "--accept", "all", "--out", str(adj)]) == 0
    assert json.loads(adj.read_text("utf-8"))["need_factors"] == {MASSAY: 0.25}

    base = ["plan", "vierzon", "--start", "2026-03-02", "--end", "2026-04-30", "--out", "x.json"]
    plain = build_problem(build_parser().parse_args(base))
    adjusted = build_problem(build_parser().parse_args([*base, "--adjustments", str(adj)]))
    assert adjusted.needs[MASSAY].unmet_need == 0.25 * plain.needs[MASSAY].unmet_need
    others = [c for c in plain.needs if c != MASSAY]
    assert all(adjusted.needs[c] == plain.needs[c] for c in others)

    out_plan = tmp_path / "saison2.json"
    args = [*base[:-2], "--adjustments", str(adj), "--time-limit", "5", "--workers", "1", "--quiet"]
    assert main([*args, "--out", str(out_plan)]) == 0
    assert dict(load_plan(out_plan).inputs.need_factors) == {MASSAY: 0.25}


def test_accepting_needs_an_output_and_a_known_key(tmp_path, capsys):
    _record()
    assert main(["realised", "proposals", "--plan", str(PLAN), "--accept", "need:18140"]) == 2
    assert "--accept demande --out" in capsys.readouterr().err
    out = str(tmp_path / "a.json")
    assert main(["realised", "proposals", "--plan", str(PLAN), "--accept", "need:99999", "--out", out]) == 2
    assert "ajustement inconnu" in capsys.readouterr().err and not Path(out).exists()
