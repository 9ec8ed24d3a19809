"""Scoring a tour with the optimiser's yardstick, and ``python -m planner score``."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from planner import DATA_DIR
from planner.cli import main
from planner.model import PARCOURS, PERMANENCE
from planner.optimise.objective import objective_value
from planner.plan_json import plan_from_dict
from planner.rules.calendar import build_season
from planner.rules.check import check_plan
from planner.territory.specs import load_territory
from planner.tours.load import load_tour
from planner.tours.score import SCORED, TOUR, score_tour

SEASON = ["--start", "2027-01-04", "--end", "2027-03-26"]
FAST = ["--time-limit", "10", "--workers", "1", "--seed", "1", "--quiet"]


@pytest.fixture(scope="module")
def vierzon():
    return load_territory("vierzon")


@pytest.fixture(scope="module")
def optimised(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "plan.json"
    assert main(["plan", "vierzon", *SEASON, *FAST, "--priority", "3", "--out", str(out)]) == 0
    return out


def _csv(tmp_path, text: str, name: str = "tournee.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    return path


def test_scoring_the_optimisers_plan_gives_back_its_objective(optimised, tmp_path):
    reported = json.loads(optimised.read_text(encoding="utf-8"))
    out = tmp_path / "scored.json"
    assert main(["score", str(optimised), "--territory", "vierzon", "--out", str(out)]) == 0
    scored = json.loads(out.read_text(encoding="utf-8"))
    assert scored["kind"] == TOUR and scored["metrics"]["status"] == SCORED
    assert scored["metrics"]["objective"] == pytest.approx(reported["metrics"]["objective"], rel=1e-9)
    assert scored["rules"]["priority"] == 3  # the plan's own rules, not the defaults
    for key in (
        "participants",
        "participants_full_series",
        "sessions",
        "least_covered_hosts",
        "base_sessions",
    ):
        assert scored["metrics"][key] == reported["metrics"][key], key
    assert scored["metrics"]["km"] == pytest.approx(reported["metrics"]["km"], abs=0.05)
    assert scored["violations"] == []  # the optimiser's plan keeps every rule


def test_a_broken_rule_is_listed_not_fixed(vierzon, tmp_path):
    # Thursday 6 May 2027 is Ascension: the session stays in the plan and is listed
    path = _csv(
        tmp_path,
        "Date;Commune;Début;Fin;Véhicule\n"
        "29/04/2027;Massay;9:00;12:00;Bus\n"
        "06/05/2027;Massay;9:00;12:00;Bus\n"
        "13/05/2027;Massay;9:00;12:00;Bus\n",
    )
    scored = score_tour(load_tour(path, vierzon), vierzon)
    assert date(2027, 5, 6) in {s.date for s in scored.plan.sessions}
    closed = [v for v in scored.violations if v.rule == "closed_dates"]
    assert len(closed) == 1 and "Ascension" in closed[0].message
    # a tour that keeps that rule lists nothing about it
    path = _csv(
        tmp_path, "Date;Commune;Début;Fin\n29/04/2027;Massay;9:00;12:00\n13/05/2027;Massay;9:00;12:00\n"
    )
    assert not [
        v for v in score_tour(load_tour(path, vierzon), vierzon).violations if v.rule == "closed_dates"
    ]


def test_resources_file_rules_apply(vierzon, tmp_path):
    # the default bus works Tuesdays and Fridays: a Thursday stop breaks its calendar
    path = _csv(tmp_path, "Date;Commune;Début;Fin;Véhicule\n11/02/2027;Massay;9:30;12:30;bus-1\n")
    resources = tmp_path / "moyens.csv"
    resources.write_text("id;kind;base;weekdays\nbus-1;bus;18279;mar,ven\n", encoding="utf-8")
    out = tmp_path / "scored.json"
    assert main(["score", str(path), "--resources", str(resources), "--out", str(out)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))["violations"]
    rules = Counter(v["rule"] for v in written)
    assert rules["resource_calendar"] == 1
    # a day the bus does not work is a preference one may accept, not an impossibility
    assert [v["hard"] for v in written if v["rule"] == "resource_calendar"] == [False]


def test_sample_tour_figures_are_the_optimisers(vierzon):
    season = build_season(date(2027, 1, 4), date(2027, 6, 30))
    scored = score_tour(load_tour(DATA_DIR / "tournee_exemple.csv", vierzon, season), vierzon)
    plan, problem = scored.plan, scored.problem
    m = plan.metrics
    assert m.objective == pytest.approx(objective_value(plan, problem))
    assert m.sessions == len(plan.sessions) == 94  # 16 stops × 6 months, Ascension twice skipped
    assert m.km == pytest.approx(sum(r.km for r in plan.routes))
    assert m.participants == sum(x.participants for x in plan.series)
    assert {x.service for x in plan.series} == {PERMANENCE}
    assert all(x.rhythm.startswith("monthly:") for x in plan.series)
    assert m.objective <= m.bound and 0 < m.gap < 1
    assert m.km_eur == pytest.approx(m.km * m.eur_per_km, abs=0.01)
    # what the checker says is what the scored tour lists
    assert Counter(v.rule for v in scored.violations) == Counter(v.rule for v in check_plan(plan, problem))
    # the plan file gives the same figures back
    from planner.plan_json import plan_to_dict

    again = plan_from_dict(json.loads(json.dumps(plan_to_dict(plan))))
    assert objective_value(again, problem) == pytest.approx(m.objective)


def test_weekly_sessions_make_parcours(vierzon, tmp_path):
    # five Tuesdays in a row at Massay, 9:00–12:00: one full parcours, no series_shape violation
    rows = "".join(f"{d}/02/2027;Massay;9:00;12:00\n" for d in ("02", "09", "16", "23"))
    path = _csv(tmp_path, "Date;Commune;Début;Fin\n" + rows + "02/03/2027;Massay;9:00;12:00\n")
    scored = score_tour(load_tour(path, vierzon), vierzon)
    assert len(scored.plan.series) == 1 and scored.plan.series[0].service == PARCOURS
    assert scored.plan.metrics.participants_full_series == scored.plan.series[0].participants > 0
    assert not [v for v in scored.violations if v.rule == "series_shape"]
    # a sixth week starts a second, short parcours: listed
    path = _csv(
        tmp_path,
        "Date;Commune;Début;Fin\n" + rows + "02/03/2027;Massay;9:00;12:00\n09/03/2027;Massay;9:00;12:00\n",
    )
    scored = score_tour(load_tour(path, vierzon), vierzon)
    assert len(scored.plan.series) == 2
    assert any("compte 1 séance" in v.message for v in scored.violations if v.rule == "series_shape")


def test_cli_errors_are_french(tmp_path, capsys):
    path = _csv(tmp_path, "Date;Commune;Début;Fin\n09/02/2027;Vierzonne;9:00;12:00\n")
    assert main(["score", str(path), "--out", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert "ligne 2" in err and "Vierzonne" in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()
    rules = _csv(tmp_path, "Règle;Commune;Début;Fin\n2e mardi du mois;Massay;9:00;12:00\n", "regles.csv")
    assert main(["score", str(rules), "--out", str(tmp_path / "x.json")]) == 2
    assert "saison" in capsys.readouterr().err


def test_cli_compare_on_the_same_days(tmp_path, capsys):
    out = tmp_path / "t.json"
    args = ["score", str(DATA_DIR / "tournee_exemple.csv"), "--start", "2027-01-04", "--end", "2027-06-30"]
    assert main([*args, "--compare", "--time-limit", "20", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Tournée actuelle" in printed and "Plan optimisé" in printed and "Saupoudrage" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    # the optimiser, on the very days and vehicle of the tour, does at least as well as the tour
    assert data["comparison"]["optimised_objective"] >= data["metrics"]["objective"] - 1e-6


def test_cached_catchments_and_people_are_copies(vierzon):
    from planner.territory.catchment import catchments, unmet_people
    from tests.builders import vierzon_problem

    problem = vierzon_problem()
    people = unmet_people(problem)
    people["18100"] = -1  # a caller spending people must not change what the next one gets
    assert unmet_people(problem)["18100"] >= 0
    near = catchments(problem)
    near.clear()
    assert catchments(problem)


def test_scoring_the_optimisers_permanence_plan_gives_back_its_objective(vierzon, tmp_path):
    from planner.plan_json import save_plan
    from planner.problem import SolveParams
    from planner.tours.compare import same_days

    season = build_season(date(2027, 1, 4), date(2027, 6, 30))
    scored = score_tour(load_tour(DATA_DIR / "tournee_exemple.csv", vierzon, season), vierzon)
    optimised = same_days(scored, SolveParams(time_limit_s=20, workers=1, seed=1)).optimised
    assert {x.service for x in optimised.series} == {PERMANENCE}
    path = tmp_path / "permanences.json"
    save_plan(optimised, path)
    out = tmp_path / "scored.json"
    assert main(["score", str(path), "--out", str(out)]) == 0
    again = json.loads(out.read_text(encoding="utf-8"))
    assert again["metrics"]["objective"] == pytest.approx(optimised.metrics.objective, rel=1e-9)
    assert again["metrics"]["participants"] == optimised.metrics.participants
    assert again["violations"] == []


def test_a_scored_tour_does_not_print_its_loose_bound_as_a_gap(vierzon, tmp_path, capsys):
    """A tour's bound is the people of unmet need (true, far too loose): « écart : 98,9 % » read as
    a real distance to the optimum. The summary points to --compare instead; a plan keeps its gap."""
    from planner.commands.plan import summary

    season = build_season(date(2027, 1, 4), date(2027, 6, 30))
    scored = score_tour(load_tour(DATA_DIR / "tournee_exemple.csv", vierzon, season), vierzon)
    assert scored.plan.metrics.gap > 0.5  # the loose bound: a large « gap » that says nothing
    text = summary(scored.plan)
    assert "écart" not in text and "borne" not in text
    assert "--compare" in text
    solved = replace(scored.plan, metrics=replace(scored.plan.metrics, status="FEASIBLE"))
    assert "écart" in summary(solved)
