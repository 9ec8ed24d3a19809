"""``python -m planner plan`` under settings that allow no parcours: exit 3, the cause and the setting
to change in French on stderr, no plan file — and the nearest setting that keeps the rule plans.

These six settings used to exit 0 with an empty plan labelled « optimal prouvé » (issue 11).
Territory: Vierzon (default bus based at Vierzon, Tuesdays and Fridays, 09:00–17:30, 12 seats).
Graçay (18103) is 30-odd minutes from Vierzon, La Ferté-Imbault (41084) 27 minutes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import EXIT_INFEASIBLE, main

ROOT = Path(__file__).parent.parent
SEASON = ["--start", "2027-01-04", "--end", "2027-03-26"]
FAST = ["--time-limit", "10", "--gap", "0.05", "--workers", "1", "--seed", "1", "--quiet"]
REQUEST_HEADER = "code_insee;venue;weekdays;blackout_dates;has_power;expected_participants\n"
RESOURCE_HEADER = "id;kind;seats;base;weekdays;day_start;day_end;session_minutes;label\n"


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _request(tmp_path: Path, row: str) -> list[str]:
    return ["--requests", _file(tmp_path, "demandes.csv", REQUEST_HEADER + row + "\n"), "--requests-only"]


def _bus(tmp_path: Path, seats: int = 12, day_end: str = "17:30", label: str = "Petit bus") -> list[str]:
    row = f"bus-1;bus;{seats};18279;mar,ven;09:00;{day_end};180;{label}\n"
    return ["--resources", _file(tmp_path, "moyens.csv", RESOURCE_HEADER + row)]


def _plan(tmp_path: Path, *args: str) -> tuple[int, Path]:
    out = tmp_path / "plan.json"
    out.unlink(missing_ok=True)
    return main(["plan", "vierzon", *SEASON, *FAST, *args, "--out", str(out)]), out


# (name, breaking args, words the message must hold, keeping args, host that must then be served)
CASES = [
    (
        "threshold_above_seats",
        lambda t: ["--min-participants", "13"],
        ["« Bus numérique »", "seuil d'ouverture de 13 participants dépasse ses 12 places", "à 12 au plus"],
        lambda t: ["--min-participants", "12"],
        None,
    ),
    (
        "seats_under_threshold",
        lambda t: _bus(t, seats=4),
        ["« Petit bus »", "seuil d'ouverture de 6 participants dépasse ses 4 places", "à 4 au plus"],
        lambda t: [*_bus(t, seats=4), "--min-participants", "4"],
        None,
    ),
    (
        "weekday_not_worked",
        lambda t: _request(t, "18103;Salle des fêtes;mer;;oui;"),
        ["Graçay", "que le mercredi", "ajoutez mercredi à ses jours de travail"],
        lambda t: _request(t, "18103;Salle des fêtes;mar;;oui;"),
        "18103",
    ),
    (
        "no_power",
        lambda t: _request(t, "18103;Salle des fêtes;;;non;"),
        ["branchement électrique", "Graçay", "moyen sans électricité"],
        lambda t: _request(t, "18103;Salle des fêtes;;;oui;"),
        "18103",
    ),
    (
        "out_of_reach",
        lambda t: [*_request(t, "41084;Mairie;;;oui;"), *_bus(t, day_end="12:30")],
        ["« Petit bus »", "La Ferté-Imbault", "27 min de route", "allongez sa journée de travail"],
        lambda t: [*_request(t, "41084;Mairie;;;oui;"), *_bus(t, day_end="13:30")],
        "41084",
    ),
    (
        "huge_threshold",
        lambda t: ["--min-participants", "100000"],
        ["seuil d'ouverture de 100 000 participants dépasse ses 12 places"],
        lambda t: ["--min-participants", "12"],
        None,
    ),
]


@pytest.mark.parametrize(("name", "breaking", "words", "keeping", "host"), CASES, ids=[c[0] for c in CASES])
def test_each_infeasible_setting_exits_3_naming_its_cause_and_the_nearest_setting_plans(
    tmp_path, capsys, name, breaking, words, keeping, host
):
    code, out = _plan(tmp_path, *breaking(tmp_path))
    err = capsys.readouterr().err
    assert code == EXIT_INFEASIBLE == 3
    assert err.startswith("Erreur : aucun parcours ne peut être tenu.")
    for w in words:
        assert w in err
    assert "bus-1" not in err  # the resource by its name, never its identifier
    assert not out.exists()

    code, out = _plan(tmp_path, *keeping(tmp_path))
    assert code == 0, capsys.readouterr().err
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["series"] and d["metrics"]["warnings"] == []
    if host is not None:
        assert {s["host"] for s in d["series"]} == {host}


def test_infeasible_settings_as_a_process_print_one_french_line_and_no_traceback(tmp_path):
    out = tmp_path / "plan.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "plan",
            "vierzon",
            *SEASON,
            "--min-participants",
            "100000",
            "--quiet",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "100 000" in proc.stderr and not out.exists() and proc.stdout == ""


def test_greedy_plan_is_refused_alike(tmp_path, capsys):
    code, out = _plan(tmp_path, "--greedy", "--min-participants", "13")
    assert code == 3 and "dépasse ses 12 places" in capsys.readouterr().err and not out.exists()


def test_a_resource_reaching_no_host_is_named_while_the_other_plans(tmp_path, capsys):
    rows = (
        "bus-1;bus;12;18279;mar,ven;09:00;17:30;180;Bus numérique\n"
        "bus-2;bus;12;18279;mar,ven;09:00;12:30;180;Petit bus\n"
    )
    resources = ["--resources", _file(tmp_path, "moyens.csv", RESOURCE_HEADER + rows)]
    request = _request(tmp_path, "41084;Mairie;;;oui;")
    code, out = _plan(tmp_path, *request, *resources)
    printed = capsys.readouterr().out
    assert code == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert {s["resource"] for s in d["series"]} == {"bus-1"}
    (warning,) = d["metrics"]["warnings"]
    assert (
        warning.startswith("aucun parcours possible pour « Petit bus » :") and "La Ferté-Imbault" in warning
    )
    assert "bus-2" not in warning
    assert f"Attention : {warning}" in printed

    # the small bus whose day is long enough plans too, and nothing is said
    rows = rows.replace("12:30", "13:30")
    resources = ["--resources", _file(tmp_path, "moyens.csv", RESOURCE_HEADER + rows)]
    code, out = _plan(tmp_path, *request, *resources)
    assert code == 0 and "Attention" not in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8"))["metrics"]["warnings"] == []
