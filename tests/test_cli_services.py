"""``python -m planner plan --service permanence|mixte --rhythm … --home-visits``, and the service
columns of the resources and requests files."""

from __future__ import annotations

import json

import pytest

from planner.cli import main
from planner.errors import InputError
from planner.inputs.tables import load_requests, load_resources, parse_services
from planner.model import DOMICILE, PARCOURS, PERMANENCE
from planner.plan_json import load_plan
from planner.rules.check import check_plan

SEASON = ["--start", "2027-01-04", "--end", "2027-06-25"]
FAST = ["--time-limit", "20", "--workers", "1", "--seed", "0", "--quiet"]


def test_plan_of_permanences_on_an_imposed_rhythm(tmp_path, capsys) -> None:
    out = tmp_path / "p.json"
    assert (
        main(
            [
                "plan",
                "vierzon",
                *SEASON,
                *FAST,
                "--service",
                "permanence",
                "--rhythm",
                "2e mardi du mois",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["resources"][0]["services"] == "permanence"
    assert {s["rhythm"] for s in d["series"]} == {"monthly:2:1"}
    assert {s["service"] for s in d["sessions"]} == {"permanence"}
    assert "permanences : " in capsys.readouterr().out


def test_mixed_plan_with_home_visits_from_the_requests_file(tmp_path) -> None:
    requests = tmp_path / "demandes.csv"
    requests.write_text("Code INSEE;Visites à domicile\n18100;2\n", encoding="utf-8")
    out = tmp_path / "m.json"
    args = ["--service", "mixte", "--home-visits", "--requests", str(requests), "--out", str(out)]
    # 13–17 s to the gap target on the shared 2 cores (the solve stops there); a 20 s limit left it
    # 17 % from its bound when the machine was busier: more time, spent only when it is slow
    slow = ["--time-limit", "90", "--workers", "1", "--seed", "0", "--quiet"]
    assert main(["plan", "vierzon", *SEASON, *slow, *args]) == 0
    plan = load_plan(out)
    services = {s.service for s in plan.series}
    assert services == {PARCOURS, PERMANENCE, DOMICILE}
    assert plan.metrics.gap <= 0.01
    assert sum(s.service == DOMICILE and s.host == "18100" for s in plan.sessions) == 2


def test_bad_rhythm_is_a_french_error(tmp_path, capsys) -> None:
    out = tmp_path / "x.json"
    code = main(
        [
            "plan",
            "vierzon",
            *SEASON,
            *FAST,
            "--service",
            "permanence",
            "--rhythm",
            "parfois",
            "--out",
            str(out),
        ]
    )
    assert code != 0 and "rythme illisible" in capsys.readouterr().err
    assert not out.exists()


def test_resources_file_declares_the_service_mix(tmp_path) -> None:
    path = tmp_path / "moyens.csv"
    path.write_text(
        "Identifiant;Type;Base;Prestations;Rythme;Durée de permanence;Personnes par heure\n"
        "bus-1;bus;18279;mixte;2e mardi du mois;150;4\n"
        "team-1;équipe;18279;;;;\n",
        encoding="utf-8",
    )
    bus, team = load_resources(path)
    assert bus.services == (PARCOURS, PERMANENCE) and bus.permanence_rhythm == "2e mardi du mois"
    assert (bus.permanence_minutes, bus.permanence_capacity) == (150, 4.0)
    assert team.services == (PARCOURS,)
    bad = tmp_path / "bad.csv"
    bad.write_text("Identifiant;Type;Base;Prestations\nbus-1;bus;18279;atelier\n", encoding="utf-8")
    with pytest.raises(InputError, match="prestation inconnue"):
        load_resources(bad)
    assert parse_services("permanence + domicile") == (PERMANENCE, DOMICILE)


def test_requests_file_reads_home_visits(tmp_path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("code_insee;visites à domicile\n18100;3\n18279;\n", encoding="utf-8")
    a, b = load_requests(path)
    assert (a.home_visits, b.home_visits) == (3, 0)


def test_a_plan_file_of_permanences_checks_clean(tmp_path) -> None:
    from tests.builders import vierzon_problem

    out = tmp_path / "p.json"
    assert main(["plan", "vierzon", *SEASON, *FAST, "--service", "permanence", "--out", str(out)]) == 0
    plan = load_plan(out)
    problem = vierzon_problem()
    from dataclasses import replace

    assert check_plan(plan, replace(problem, resources=plan.resources)) == []


def test_options_not_yet_supported_with_permanences_are_refused_in_french(tmp_path, capsys) -> None:
    out = tmp_path / "a.json"
    code = main(
        ["plan", "vierzon", *SEASON, *FAST, "--service", "permanence", "--alternatives", "--out", str(out)]
    )
    assert code != 0 and "--alternatives" in capsys.readouterr().err and not out.exists()


def test_locked_permanences_from_a_plan_file_are_kept(tmp_path) -> None:
    first = tmp_path / "p.json"
    args = ["plan", "vierzon", *SEASON, *FAST, "--service", "permanence"]
    assert main([*args, "--out", str(first)]) == 0
    d = json.loads(first.read_text(encoding="utf-8"))
    sid = d["series"][0]["id"]
    for s in d["sessions"]:
        s["locked"] = s["series"] == sid and s["index"] <= 2
    first.write_text(json.dumps(d), encoding="utf-8")
    out = tmp_path / "q.json"
    assert main([*args, "--locked", str(first), "--out", str(out)]) == 0
    again = load_plan(out)
    kept = [s for s in again.sessions if s.series == sid and s.locked]
    assert len(kept) == 2 and all(s.service == PERMANENCE for s in kept)
