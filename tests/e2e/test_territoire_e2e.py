"""The Territoire page in a real browser (Debian Chromium): map canvas, table, upload errors."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"

pytestmark = pytest.mark.e2e


def _open(page, url: str) -> None:
    # Enter through the home page and the sidebar, as a user does: this runs app.py (navigation,
    # roles) instead of the page file alone.
    page.goto(url)
    page.locator("[data-testid='stSidebarNav']").get_by_text("Territoire").click()
    page.get_by_role("heading", name="Territoire").first.wait_for()
    page.wait_for_url("**/territoire")


def test_territory_page_shows_map_and_table(streamlit_url, browser_page, screenshot):
    page = browser_page
    _open(page, streamlit_url)
    page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(state="visible")
    page.locator("[data-testid='stDataFrame']").first.wait_for(state="visible")
    metrics = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    assert "34" in metrics
    assert any(text.replace("\u202f", " ").replace("\u00a0", " ") == "55 012" for text in metrics)
    box = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    page.wait_for_timeout(1500)  # let deck.gl draw before the screenshot
    shot = screenshot(page, "territoire")
    assert shot.stat().st_size > 10_000


def test_map_tooltip_shows_text_not_markup(streamlit_url, browser_page):
    """Streamlit escapes tooltip values: they must be plain text (it once showed « <br/> »)."""
    page = browser_page
    _open(page, streamlit_url)
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    canvas.wait_for(state="visible")
    page.wait_for_timeout(2500)  # deck.gl draws, then picks
    box = canvas.bounding_box()
    tooltip = page.locator(".deck-tooltip")
    for dx, dy in [(0.5, 0.5), (0.45, 0.55), (0.55, 0.45), (0.5, 0.6)]:
        page.mouse.move(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        page.wait_for_timeout(600)
        if tooltip.count() and "habitants" in tooltip.inner_text():
            break
    text = tooltip.inner_text()
    assert "habitants" in text and "Besoin non couvert" in text
    assert "<br" not in text and "<b>" not in text and "&lt;" not in tooltip.inner_html()


def _upload(page, url: str, name: str) -> None:
    """Open the page and load ``tests/data/<name>`` through the import expander."""
    _open(page, url)
    page.get_by_text("Importer mon propre territoire").click()
    page.get_by_label("Fichier de communes").locator("input[type='file']").set_input_files(str(DATA / name))
    page.get_by_role("button", name="Charger ce territoire").click()


def test_bad_upload_shows_french_error(streamlit_url, browser_page, screenshot):
    page = browser_page
    _upload(page, streamlit_url, "bad_swapped_latlon.csv")
    alert = page.locator("[data-testid='stAlert']").filter(has_text="inversées")
    alert.wait_for()
    text = alert.inner_text()
    assert "ligne 3" in text and "bad_swapped_latlon.csv" in text
    screenshot(page, "territoire_import_erreur")
    # the territory did not change
    assert "34" in page.locator("[data-testid='stMetricValue']").all_inner_texts()


def test_good_upload_becomes_the_territory(streamlit_url, browser_page, screenshot):
    page = browser_page
    _upload(page, streamlit_url, "communes_fr_cp1252.csv")
    page.locator("[data-testid='stMetricValue']").filter(has_text="3").first.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText.trim() === '3')"
    )
    page.get_by_text("Fichier communes_fr_cp1252.csv").first.wait_for()
    page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(state="visible")
    metrics = [t.strip() for t in page.locator("[data-testid='stMetricValue']").all_inner_texts()]
    assert metrics[0] == "3"  # the file's three communes, not the default territory's 34
    screenshot(page, "territoire_fichier")


def test_fixed_places_file_in_the_national_standard_adds_places(streamlit_url, browser_page, screenshot):
    page = browser_page
    _open(page, streamlit_url)
    page.locator("[data-testid='stMetricValue']").nth(4).wait_for()
    before = int(page.locator("[data-testid='stMetricValue']").nth(4).inner_text().strip())
    page.get_by_text("Ajouter des lieux fixes").click()
    page.get_by_label("Fichier de lieux").locator("input[type='file']").set_input_files(
        str(DATA / "lieux_partenaires.csv")
    )
    page.get_by_role("button", name="Ajouter ces lieux").click()
    page.locator("[data-testid='stAlert']").filter(has_text="2 lieu(x) fixe(s) lu(s)").wait_for()
    page.wait_for_function(
        f"() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText.trim() === '{before + 2}')"
    )
    screenshot(page, "territoire_lieux")
