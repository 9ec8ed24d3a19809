"""``python -m planner plan`` on the default territory (Vierzon), in process and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main
from planner.commands.plan import progress_line, summary
from planner.french import french_decimal
from planner.plan_json import plan_from_dict
from planner.problem import ProgressEvent

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
SEASON = ["--start", "2027-01-04", "--end", "2027-03-26"]
FAST = ["--time-limit", "10", "--workers", "1", "--seed", "1", "--quiet"]


@pytest.fixture(scope="module")
def optimised(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("plan") / "plan.json"
    assert main(["plan", "vierzon", *SEASON, *FAST, "--out", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_plan_json_has_the_required_fields(optimised):
    d = optimised
    assert set(d["season"]) >= {"start", "end", "closed_dates"}
    assert "2027-01-01" not in d["season"]["closed_dates"]  # before the season
    assert set(d["rules"]) >= {
        "sessions_per_series",
        "interval_days",
        "interval_tolerance_days",
        "min_participants",
        "catchment_minutes",
    }
    assert d["resources"][0]["id"] == "bus-1" and d["resources"][0]["weekdays"] == "mar,ven"
    assert d["series"] and set(d["series"][0]) >= {"id", "host", "resource", "participants", "from_communes"}
    assert set(d["sessions"][0]) >= {"series", "index", "resource", "host", "date", "start", "end", "locked"}
    route = d["routes"][0]
    assert route["stops"][0] == route["stops"][-1] == "18279"
    assert set(d["unserved"][0]) >= {"code_insee", "unmet_need", "reason", "what_would_help"}
    assert set(d["metrics"]) >= {
        "status",
        "objective",
        "bound",
        "gap",
        "solve_seconds",
        "need_total",
        "unmet_need_total",
        "participants",
        "participants_full_series",
        "sessions",
        "km",
        "drive_hours",
    }


def test_plan_series_have_five_sessions_on_one_weekday(optimised):
    for s in optimised["series"]:
        sess = [x for x in optimised["sessions"] if x["series"] == s["id"]]
        assert [x["index"] for x in sess] == [1, 2, 3, 4, 5]
        assert len({x["start"] for x in sess}) == 1
        assert s["participants"] == sum(s["from_communes"].values())
    m = optimised["metrics"]
    assert m["status"] in {"OPTIMAL", "FEASIBLE"}
    assert m["gap"] == pytest.approx((m["bound"] - m["objective"]) / m["bound"], abs=1e-9)


def test_baseline_flag_writes_one_session_series(tmp_path, capsys):
    out = tmp_path / "base.json"
    assert main(["plan", "vierzon", *SEASON, "--baseline", "--quiet", "--out", str(out)]) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["kind"] == "baseline" and d["rules"]["sessions_per_series"] == 1
    assert len(d["series"]) == len(d["sessions"])
    printed, written = capsys.readouterr().out.split("Plan écrit dans ")  # the path may say anything
    assert written.strip() == str(out)
    assert printed.startswith("Plan de référence (saupoudrage) — statut : méthode simple, sans preuve")
    assert "baseline" not in printed and "HEURISTIC" not in printed


ENGLISH = ("optimised", "baseline", "greedy", "OPTIMAL", "FEASIBLE", "STOPPED", "HEURISTIC", "status")


def test_summary_of_the_optimised_plan_is_french(optimised):
    plan = plan_from_dict(optimised)
    text = summary(plan)
    status = "optimal prouvé" if plan.metrics.status == "OPTIMAL" else "% au plus de l'optimum"
    assert text.startswith("Plan optimisé — statut : ") and status in text.splitlines()[0]
    assert not [w for w in ENGLISH if w in text]
    gap = f"{100 * plan.metrics.gap:.2f}".replace(".", ",")
    assert f"écart : {gap} %" in text  # decimal comma
    assert "Borne du calcul découpé" not in text  # a small territory: nothing restricted


def test_summary_of_a_restricted_solve_is_never_optimal_and_shows_both_bounds(optimised):
    from dataclasses import replace

    plan = plan_from_dict(optimised)
    m = replace(plan.metrics, status="FEASIBLE", bound=plan.metrics.objective * 1.004, gap=0.004 / 1.004)
    m = replace(m, restricted_bound=plan.metrics.objective)
    text = summary(replace(plan, metrics=m))
    assert "statut : à 0,4 % au plus de l'optimum," in text.splitlines()[0]
    assert "optimal prouvé" not in text
    assert "Borne du calcul découpé (zones, lieux présélectionnés)" in text


def test_greedy_summary_and_progress_line_are_french(tmp_path, capsys):
    out = tmp_path / "greedy.json"
    assert main(["plan", "vierzon", *SEASON, "--greedy", "--quiet", "--out", str(out)]) == 0
    printed, _ = capsys.readouterr().out.split("Plan écrit dans ")
    assert printed.startswith("Plan glouton — statut : méthode simple, sans preuve")
    assert not [w for w in ENGLISH if w in printed]
    line = progress_line(ProgressEvent(1.5, 1234.5, 1250.0))
    assert " ".join(line.split()) == "1,5 s objectif 1 234,50 borne 1 250,00 écart 1,24 %"


def test_resources_requests_and_locked_files(tmp_path):
    out = tmp_path / "plan.json"
    argv = [
        "plan",
        "vierzon",
        *SEASON,
        *FAST,
        "--resources",
        str(DATA / "plan_resources_vierzon.csv"),
        "--requests",
        str(DATA / "plan_requests_vierzon.csv"),
        "--locked",
        str(DATA / "locked_sessions.csv"),
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert {r["id"] for r in d["resources"]} == {"bus-1", "equipe-1"}
    locked = [s for s in d["sessions"] if s["locked"]]
    assert {(s["date"], s["start"], s["host"]) for s in locked} == {
        ("2027-01-05", "09:30", "18279"),
        ("2027-01-12", "09:30", "18279"),
    }
    assert len([s for s in d["sessions"] if s["series"] == "S-18279-1"]) == 5
    # Graçay asks for Tuesdays only; La Ferté-Imbault for Wednesdays (nobody works then)
    assert all(s["date"] and s["host"] != "41084" for s in d["sessions"])
    refused = {u["code_insee"]: u for u in d["unserved"] if u["request_id"]}
    assert "41084" in refused and "mercredi" in refused["41084"]["reason"]
    assert "18182" in refused  # 4 participants announced, threshold 6


def test_unknown_territory_exits_non_zero_in_french(capsys, tmp_path):
    assert main(["plan", "nulle-part", *SEASON, "--out", str(tmp_path / "x.json")]) == 2
    assert "territoire inconnu" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_bad_resource_file_and_impossible_settings(capsys, tmp_path):
    out = str(tmp_path / "x.json")
    assert (
        main(["plan", "vierzon", *SEASON, "--resources", str(DATA / "resources_bad_kind.csv"), "--out", out])
        == 2
    )
    assert "type de moyen inconnu" in capsys.readouterr().err
    # valid values under which no plan can exist: exit 3 (infeasible), not 2 (bad input)
    assert main(["plan", "vierzon", *SEASON, "--interval", "10", "--tolerance", "0", "--out", out]) == 3
    assert "semaines entières" in capsys.readouterr().err


def test_module_entry_point_reports_errors_without_traceback(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "plan",
            "vierzon",
            "--start",
            "2027-06-01",
            "--end",
            "2027-01-01",
            "--out",
            str(tmp_path / "x.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "Erreur : la fin de saison précède son début"


def test_requests_only_with_a_file_holding_no_request_says_so(tmp_path, capsys):
    """The message used to ask for a --requests file although one was given (empty)."""
    empty = tmp_path / "demandes.csv"
    empty.write_text("code_insee;venue\n", encoding="utf-8")
    out = tmp_path / "plan.json"
    args = ["plan", "vierzon", *SEASON, *FAST, "--requests", str(empty), "--requests-only", "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "aucune demande d'accueil" in err and "demandes.csv" in err and "(--requests)" not in err
    assert not out.exists()
    assert main(["plan", "vierzon", *SEASON, *FAST, "--requests-only", "--out", str(out)]) == 2
    assert "(--requests)" in capsys.readouterr().err


def test_baseline_with_locked_sessions_writes_the_plan(tmp_path):
    """``plan --baseline --locked`` used to end in an AssertionError traceback (post-check)."""
    out = tmp_path / "plan.json"
    args = ["plan", "vierzon", *SEASON, "--quiet", "--baseline", "--out", str(out)]
    locked = [
        "--resources",
        str(DATA / "plan_resources_vierzon.csv"),
        "--locked",
        str(DATA / "locked_sessions.csv"),
    ]
    assert main([*args, *locked]) == 0
    plan = plan_from_dict(json.loads(out.read_text(encoding="utf-8")))
    kept = sorted((s for s in plan.sessions if s.series == "S-18279-1"), key=lambda s: s.index)
    assert [s.index for s in kept] == [1, 2, 3, 4, 5] and kept[0].locked and kept[1].locked


def test_alternatives_flag_writes_three_plans_and_compares_them(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main(["plan", "vierzon", *SEASON, *FAST, "--alternatives", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    for label in (
        "Au plus près des moins couverts",
        "Équilibré",
        "Le moins de km",
        "Valeur selon vos réglages",
    ):
        assert label in text
    assert "Séances dans le tiers le moins couvert" in text and "Participants supposés venir" in text
    # what is proven of « le moins de km »'s km is said beside its file
    assert "aucune autre façon de placer ces mêmes parcours dans les journées ne roule moins" in text
    closest = json.loads((tmp_path / "plan-moins-couverts.json").read_text(encoding="utf-8"))
    fewest = json.loads((tmp_path / "plan-moins-de-km.json").read_text(encoding="utf-8"))
    assert closest["rules"]["priority"] == 10.0 and fewest["rules"]["travel_weight"] == 0.02
    balanced = json.loads(out.read_text(encoding="utf-8"))
    assert fewest["metrics"]["km"] <= balanced["metrics"]["km"]
    # « Valeur selon vos réglages » is in each variant's file, with the rules it is measured with …
    shown = next(line for line in text.splitlines() if line.startswith("Valeur selon vos réglages"))
    for variant in (closest, fewest):
        assert variant["metrics"]["reference_rules"] == balanced["rules"] != variant["rules"]
        assert french_decimal(variant["metrics"]["reference_value"], 2, sep=" ") in shown
    # … and ``score`` recomputes it from the file alone: the figure shown
    fewest_file = tmp_path / "plan-moins-de-km.json"
    assert main(["score", str(fewest_file), "--out", str(tmp_path / "scored.json")]) == 0
    said = capsys.readouterr().out
    value = french_decimal(fewest["metrics"]["reference_value"], 2, sep=" ")
    assert f"Valeur selon vos réglages (ceux que le fichier note pour comparer les plans) : {value}" in said
    assert value != french_decimal(fewest["metrics"]["objective"], 2, sep=" ")  # not its own objective


def test_priority_public_budget_and_imposed_commune(tmp_path):
    out = tmp_path / "plan.json"
    args = ["--priority", "5", "--public", "young", "--budget-eur", "600", "--eur-per-km", "0.5"]
    assert main(["plan", "vierzon", *SEASON, *FAST, *args, "--force", "41249", "--out", str(out)]) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["rules"]["priority"] == 5.0 and d["rules"]["km_budget"] == 1200.0
    assert {r["public"] for r in d["resources"]} == {"young"}
    assert "41249" in {s["host"] for s in d["series"]}  # Selles-Saint-Denis, imposed
    km = {r["id"]: r["base"] for r in d["resources"]}
    assert all("from_minutes" in s for s in d["series"]) and km
    m = d["metrics"]
    assert len(m["least_covered"]) == 12 and m["least_covered_need_share"] > 0


def test_imposed_commune_outside_the_territory_is_refused_in_french(tmp_path, capsys):
    assert main(["plan", "vierzon", *SEASON, "--force", "75056", "--out", str(tmp_path / "x.json")]) == 2
    assert "commune imposée hors du territoire : 75056" in capsys.readouterr().err


def test_replan_from_a_previous_plan_keeps_it_and_says_what_moved(optimised, tmp_path, capsys):
    """Close one Tuesday holding sessions: only what it breaks moves (``--previous``), never more
    than from scratch. Locks of the previous plan stay."""
    old = plan_from_dict(optimised)
    first = min(s.date for s in old.sessions)
    tuesdays = sorted({s.date for s in old.sessions if s.date.weekday() == 1 and s.date > first})
    closed = tuesdays[len(tuesdays) // 2]
    data = dict(optimised)
    lock = min((s for s in data["sessions"]), key=lambda s: (s["date"], s["start"]))
    data["sessions"] = [dict(s, locked=s is lock) for s in data["sessions"]]
    previous = tmp_path / "old.json"
    previous.write_text(json.dumps(data), encoding="utf-8")
    args = ["plan", "vierzon", *SEASON, *FAST, "--closed", closed.isoformat(), "--previous", str(previous)]
    assert main([*args, "--out", str(tmp_path / "stable.json")]) == 0
    out = capsys.readouterr().out
    assert "Replanification (stabilité : ne bouger que pour un gain net)" in out
    assert "0 séance(s) verrouillée(s) déplacée(s)" in out and "tombe un jour fermé" in out
    stable = plan_from_dict(json.loads((tmp_path / "stable.json").read_text(encoding="utf-8")))
    assert main([*args, "--stability", "scratch", "--out", str(tmp_path / "scratch.json")]) == 0
    scratch = plan_from_dict(json.loads((tmp_path / "scratch.json").read_text(encoding="utf-8")))

    def moved(new):
        slots = {(s.resource, s.host, s.date, s.start) for s in new.sessions}
        return sum((s.resource, s.host, s.date, s.start) not in slots for s in old.sessions)

    on_closed_day = sum(s.date == closed for s in old.sessions)
    assert on_closed_day >= 1
    assert moved(stable) <= moved(scratch)
    assert moved(stable) <= 5 * on_closed_day  # at most the series the closed day breaks
    locked = next(s for s in stable.sessions if s.locked)
    assert (locked.date.isoformat(), locked.host) == (lock["date"], lock["host"])
    assert stable.metrics.best_objective is not None


def test_replan_refuses_a_previous_plan_of_another_territory(optimised, tmp_path, capsys):
    previous = tmp_path / "other.json"
    previous.write_text(json.dumps(dict(optimised, territory="bv2022:18033")), encoding="utf-8")
    code = main(
        ["plan", "vierzon", *SEASON, *FAST, "--previous", str(previous), "--out", str(tmp_path / "x.json")]
    )
    assert code != 0
    assert "le plan précédent concerne un autre territoire" in capsys.readouterr().err
