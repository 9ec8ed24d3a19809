"""The Bilan page in a real browser (Debian Chromium): upload a saved plan and its saupoudrage
baseline through the page, then see the key figures, the note on one-off visits and the Lorenz curve."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parents[1] / "data"


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_bilan_from_uploaded_plan_shows_figures_and_lorenz_curve(streamlit_url, browser_page, screenshot):
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.goto(streamlit_url)
    page.get_by_role("heading", name="Aller-vers").wait_for()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Bilan").click()
    page.get_by_role("heading", name="Bilan").wait_for()
    page.get_by_text("Aucun plan à présenter").wait_for()  # nothing planned in this fresh session

    uploaders = page.locator("[data-testid='stFileUploader']")
    uploaders.filter(has_text="Plan de référence").locator("input[type='file']").set_input_files(
        str(DATA / "plan_vierzon_saupoudrage.json")
    )
    uploaders.first.locator("input[type='file']").set_input_files(str(DATA / "plan_vierzon_petit.json"))

    page.get_by_role("heading", name="Chiffres clés").wait_for(timeout=90_000)
    labels = page.locator("[data-testid='stMetricLabel']")
    labels.filter(has_text="Personnes formées").first.wait_for()
    metrics = {
        _plain(lab): _plain(val)
        for lab, val in zip(
            labels.all_inner_texts(),
            page.locator("[data-testid='stMetricValue']").all_inner_texts(),
            strict=True,
        )
    }
    assert metrics["Personnes formées"] == "33 pers."
    assert metrics["Moins couvertes atteintes"].endswith("%")
    assert metrics["Coût par personne formée"].endswith("€")
    deltas = _plain(" ".join(page.locator("[data-testid='stMetricDelta']").all_inner_texts()))
    assert "vs saupoudrage" in deltas  # the baseline file was read
    page.get_by_text("n'est pas un parcours").first.wait_for()  # the saupoudrage note

    # The Lorenz curve: the first Vega-Lite chart, under "Équité entre communes", drawn with a size.
    page.get_by_role("heading", name="Équité entre communes").wait_for()
    page.get_by_text("Indice de Gini du plan").wait_for()
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.wait_for(state="visible")
    drawn = chart.locator("canvas, svg").first
    drawn.wait_for(state="visible")
    box = drawn.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 250
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # let Vega and deck.gl draw before the screenshot
    shot = screenshot(page, "bilan")
    assert shot.stat().st_size > 30_000
