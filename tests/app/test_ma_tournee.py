"""Headless tests of « Ma tournée actuelle » (Streamlit AppTest): the sample in one click, its
figures beside the optimised plan and the saupoudrage, « Adopter », French refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.hostile.corpus import build

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "ma_tournee.py")
PYTHON_TEXT = re.compile(r"Traceback|File \"|Error\b|Exception\b|\bNoneType\b|\bobject\b|\binvalid\b")


def _page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=180).run()


def _texts(at: AppTest) -> str:
    kinds = (at.markdown, at.caption, at.info, at.error, at.warning, at.success, at.subheader)
    return "\n".join(str(e.value) for kind in kinds for e in kind)


@pytest.fixture(scope="module")
def with_sample() -> AppTest:
    at = _page()
    at.button(key="mt_sample").click().run()
    return at


def test_empty_page_says_what_to_do():
    at = _page()
    assert not at.exception
    assert any("Aucune tournée chargée" in i.value for i in at.info)


def test_sample_in_one_click_shows_figures_and_comparison(with_sample):
    at = with_sample
    assert not at.exception
    plan = at.session_state["current_tour_plan"]
    assert plan.kind == "tour" and len(plan.sessions) > 80
    table = next(df.value for df in at.dataframe if "Indicateur" in df.value.columns)
    assert list(table.columns) == ["Indicateur", "Tournée actuelle", "Plan optimisé", "Saupoudrage"]
    value = table.set_index("Indicateur").loc["Valeur (objectif de l'optimiseur)"]
    assert value["Tournée actuelle"] == f"{plan.metrics.objective:.1f}".replace(".", ",")
    # the sample keeps every rule (a tour that breaks one: see below)
    assert any("respecte toutes les règles" in x.value for x in at.success)
    # proposals, each with an « Adopter » button
    assert [b for b in at.button if b.label == "Adopter"]
    assert "remplacer " in _texts(at)


def test_adopting_a_change_gives_the_announced_value(with_sample):
    at = with_sample
    before = at.session_state["current_tour"].objective
    changes = at.session_state["_current_tour_changes"][1]
    first = changes[0]
    at.button(key="mt_adopt_0").click().run()
    assert not at.exception
    now = at.session_state["current_tour"]
    assert now.objective == pytest.approx(before + first.gain)
    assert at.session_state["current_tour_plan"] is now.plan
    assert "Changements adoptés : 1" in _texts(at)
    at.button(key="mt_reset").click().run()
    assert at.session_state["current_tour"].objective == pytest.approx(before)


def test_a_bad_file_is_refused_in_french_with_its_line():
    at = _page()
    data = "Date;Commune;Début;Fin\n09/02/2027;Massay;9:00;12:00\n16/02/2027;Vierzonne;9:00;12:00\n".encode(
        "cp1252"
    )
    at.file_uploader(key="mt_file").set_value(("ma_tournee.csv", data, "text/csv")).run()
    assert not at.exception
    shown = re.sub(r"\\(.)", r"\1", at.error[0].value)  # as read, markdown escapes removed
    assert "ma_tournee.csv" in shown and "ligne 3" in shown and "« Vierzonne »" in shown
    assert "current_tour" not in at.session_state


def test_a_broken_rule_is_listed_on_the_page():
    at = _page()
    data = (
        "Date;Commune;Début;Fin\n"  # Thursday 6 May 2027 is Ascension
        "29/04/2027;Massay;9:00;12:00\n06/05/2027;Massay;9:00;12:00\n13/05/2027;Massay;9:00;12:00\n"
    ).encode()
    at.file_uploader(key="mt_file").set_value(("ascension.csv", data, "text/csv")).run()
    assert not at.exception and not at.error
    text = _texts(at)
    assert "règle(s) enfreinte(s)" in text and "Jours fermés" in text
    detail = next(df.value for df in at.dataframe if "Ce qui ne va pas" in df.value.columns)
    assert detail["Ce qui ne va pas"].str.contains("Ascension").any()


def test_hostile_files_are_refused_in_french():
    at = _page()
    for file in build():
        name = file.name if file.suffix in (".csv", ".xlsx", ".json") else file.named(".csv")
        at.file_uploader(key="mt_file").set_value((name, file.data, "application/octet-stream")).run()
        assert not at.exception, name
        for error in at.error:
            assert not PYTHON_TEXT.search(str(error.value)), f"{name}: {error.value[:300]}"


def test_bilan_shows_the_tour_beside_the_plans(with_sample):
    from planner.plan_json import load_plan

    bilan = AppTest.from_file(str(ROOT / "app_pages" / "bilan.py"), default_timeout=180)
    bilan.session_state["plan"] = load_plan(ROOT / "tests" / "data" / "plan_vierzon_petit.json")
    for key in ("current_tour", "current_tour_plan", "current_tour_compare"):
        bilan.session_state[key] = with_sample.session_state[key]
    bilan.run()
    assert not bilan.exception
    assert any("sur les mêmes journées" in h.value for h in bilan.subheader)
    table = next(df.value for df in bilan.dataframe if "Tournée actuelle" in df.value.columns)
    assert list(table.columns)[1:] == ["Tournée actuelle", "Plan optimisé", "Saupoudrage"]


def test_bilan_without_a_tour_points_to_the_page():
    from planner.plan_json import load_plan

    bilan = AppTest.from_file(str(ROOT / "app_pages" / "bilan.py"), default_timeout=180)
    bilan.session_state["plan"] = load_plan(ROOT / "tests" / "data" / "plan_vierzon_petit.json")
    bilan.run()
    assert not bilan.exception
    assert any("Ma tournée actuelle" in c.value for c in bilan.caption)
