"""Headless tests of the Bilan page (Streamlit AppTest): figures beside the baseline, charts,
before/after maps, and no contact data in the funder role."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from planner.plan_json import load_plan
from planner.publish import HostDetails

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
PAGE = str(ROOT / "app_pages" / "bilan.py")
PHONE = "02 48 99 88 77"
EMAIL = "accueil@massay.test"
CONTACT = "Mme Contact-Secret"
HOSTS = {
    "18140": HostDetails(
        venue="Salle Jeanne-d'Arc",
        address="3 rue des Écoles",
        contact_name=CONTACT,
        phone=PHONE,
        email=EMAIL,
        registration=f"En mairie au {PHONE}",
    )
}


def _run(*, funder: bool, with_plan: bool = True) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if with_plan:
        at.session_state["plan"] = load_plan(DATA / "plan_vierzon_petit.json")
        at.session_state["baseline_plan"] = load_plan(DATA / "plan_vierzon_saupoudrage.json")
    at.session_state["host_details"] = HOSTS
    at.session_state["_auth_view_as_funder"] = funder
    return at.run()


def _all_text(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "subheader", "title", "text"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for m in at.metric:
        parts += [m.label, m.value, str(m.proto.help)]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    for chart in at.get("deck_gl_json_chart"):
        parts.append(chart.proto.json)
    return "\n".join(parts)


def test_without_plan_shows_a_french_hint():
    at = _run(funder=False, with_plan=False)
    assert not at.exception
    assert any("Aucun plan à présenter" in i.value for i in at.info)


def test_figures_side_by_side_with_baseline_and_definitions():
    at = _run(funder=True)
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["Indicateur", "Plan", "Saupoudrage", "Avant le plan", "Définition"]
    row = table.set_index("Indicateur").loc["Personnes suivant un parcours complet"]
    assert row["Plan"] == "33 pers." and row["Saupoudrage"] == "0 pers."
    assert table["Définition"].str.len().min() > 20
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Personnes formées"] == "33 pers."
    assert metrics["Coût par personne formée"].endswith("€")


def test_before_after_maps_are_offline_and_show_white_zones():
    at = _run(funder=True)
    decks = [json.loads(c.proto.json) for c in at.get("deck_gl_json_chart")]
    assert len(decks) >= 2
    for deck in decks:
        assert deck.get("mapProvider") in (None, "")  # no basemap: nothing fetched
        assert deck["layers"][0]["id"] == "outlines"
    before = {layer["id"]: layer for layer in decks[0]["layers"]}
    after = {layer["id"]: layer for layer in decks[1]["layers"]}
    assert len(before["white_zones"]["data"]) == 5
    assert len(after["white_zones"]["data"]) == 2
    assert len(after["series_hosts"]["data"]) == 3


def test_funder_role_shows_no_contact_data():
    at = _run(funder=True)
    assert not at.exception
    text = _all_text(at)
    assert "Personnes suivant un parcours complet" in text  # the page did render
    for secret in (PHONE, EMAIL, CONTACT, "Salle Jeanne-d'Arc"):
        assert secret not in text
    assert "Communes d'accueil : lieux et contacts" not in [s.value for s in at.subheader]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[0] == "Tableur (Excel)" and "Rapport financeurs (PDF)" in labels
    assert not any("Calendriers" in label or "affiches" in label for label in labels)


def test_coordinator_sees_contacts_and_every_export():
    at = _run(funder=False)
    assert not at.exception
    text = _all_text(at)
    assert PHONE in text and CONTACT in text
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Calendriers (iCalendar, zip)" in labels
    assert "Feuilles de route et affiches (PDF, zip)" in labels


def test_without_baseline_the_comparison_column_stays_empty():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["plan"] = load_plan(DATA / "plan_vierzon_petit.json")
    at.session_state["_auth_view_as_funder"] = True
    at.run()
    assert not at.exception
    assert any("Pas de plan de référence" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert (table["Saupoudrage"] == "").all()
    assert table.set_index("Indicateur").loc["Zones blanches", "Avant le plan"] == "5 communes"


def test_headline_is_full_series_with_the_saupoudrage_note():
    from planner.publish.report import SAUPOUDRAGE_NOTE

    at = _run(funder=True)
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels[:4] == [
        "Personnes formées",
        "Moins couvertes atteintes",
        "En besoin, à portée",
        "Coût par personne formée",
    ]
    trained = at.metric[0]
    assert (
        trained.value != "0"
        and trained.proto.delta.startswith("+")
        and "vs saupoudrage" in trained.proto.delta
    )
    cost = at.metric[3]
    assert (
        cost.value.endswith("€") and "saupoudrage : —" in cost.proto.delta
    )  # nobody trained: no cost per person
    share = next(m.value for m in at.markdown if "servie par des parcours complets" in m.value)
    assert "points)" in share and " %)" not in share  # shares of need compared in points
    assert SAUPOUDRAGE_NOTE in [c.value for c in at.caption]
    table = at.dataframe[0].value
    assert list(table["Indicateur"][:3]) == [
        "Personnes suivant un parcours complet",
        "Part du besoin non couvert servie par des parcours complets",
        "Personnes touchées (séances isolées comprises)",
    ]


def test_aller_vers_figures_of_a_plan_beside_the_saupoudrage():
    from datetime import date

    from planner.optimise.solve import solve, solve_baseline
    from planner.problem import SolveParams
    from planner.publish.equity import plan_equity
    from tests.builders import vierzon_problem

    prob = vierzon_problem(end=date(2027, 3, 26))
    plan = solve(prob, SolveParams(time_limit_s=20, workers=1))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["plan"] = plan
    at.session_state["baseline_plan"] = solve_baseline(prob)
    at.session_state["_auth_view_as_funder"] = True
    at.run()
    assert not at.exception
    assert "Aller vers : les moins couverts d'abord" in [s.value for s in at.subheader]
    metrics = {mt.label: mt for mt in at.metric}
    sessions = metrics["Séances dans le tiers le moins couvert"]
    share = round(100 * plan_equity(plan).least_covered_session_share)
    assert sessions.value == f"{share} %"
    assert "besoin non couvert : 15 %" in sessions.proto.delta and "saupoudrage :" in sessions.proto.delta
    assert metrics["Participants supposés venir d'une autre commune"].value.startswith("0 sur")
    table = at.dataframe[0].value.set_index("Indicateur")
    assert "Participants supposés venir d'une autre commune" in table.index
    assert table.loc["Communes de ce tiers qui accueillent au moins une séance", "Saupoudrage"].endswith(
        "communes"
    )


def test_a_plan_file_from_before_the_aller_vers_figures_says_to_recompute():
    at = _run(funder=True)
    assert not at.exception
    assert any("enregistré avant les indicateurs d'équité" in i.value for i in at.info)
