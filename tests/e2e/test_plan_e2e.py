"""Plan the default season end to end in a real browser (Debian Chromium), look at the result and
lock two sessions by clicking them on the calendar."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _field(aria_label: str, name: str) -> str:
    """One field of a Vega mark's ARIA label (``"Date: ven. 08/01/2027; Horaire: …"``)."""
    parts = dict(p.split(": ", 1) for p in aria_label.split("; ") if ": " in p)
    return parts[name]


def test_plan_default_season_then_see_the_tour(streamlit_url, browser_page, screenshot):
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1800})  # taller screenshots
    # Start at the home page and use the navigation, as a coordinator does.
    page.goto(streamlit_url)
    page.get_by_role("heading", name="Aller-vers").wait_for()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Planification").click()
    page.get_by_role("heading", name="Planification de la saison").wait_for()
    # the resource editor and the rules are there before anything is computed
    page.locator("[data-testid='stDataFrame']").first.wait_for(state="visible")
    page.get_by_text("Séances par parcours").first.wait_for()
    page.get_by_role("button", name="Planifier").wait_for()

    page.get_by_role("button", name="Planifier").click()
    ready = page.locator("[data-testid='stAlert']").filter(has_text="Plan prêt")
    ready.wait_for(timeout=90_000)
    text = _plain(ready.inner_text())
    assert "parcours" in text and "séances" in text and "participants attendus" in text
    page.locator("[data-testid='stMetricLabel']").filter(
        has_text="Distance au meilleur plan possible"
    ).last.wait_for()
    page.get_by_role("link", name="Voir la tournée, la carte et le calendrier").wait_for()
    page.wait_for_timeout(500)
    shot = screenshot(page, "planification")
    assert shot.stat().st_size > 20_000

    page.get_by_role("link", name="Voir la tournée, la carte et le calendrier").click()
    page.get_by_role("heading", name="Tournée de la saison").wait_for()
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    canvas.wait_for(state="visible")
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    labels = [_plain(t) for t in page.locator("[data-testid='stMetricLabel']").all_inner_texts()]
    for label in (
        "Parcours",
        "Séances",
        "Participants attendus",
        "Kilomètres",
        "Distance au meilleur plan possible",
    ):
        assert any(label in x for x in labels), labels
    deltas = _plain(" ".join(page.locator("[data-testid='stMetricDelta']").all_inner_texts()))
    assert "saupoudrage" in deltas
    page.wait_for_timeout(1500)  # let deck.gl draw before the screenshot
    shot = screenshot(page, "tournee")
    assert shot.stat().st_size > 20_000

    page.get_by_role("tab", name="Calendrier").click()
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for(state="visible")
    page.wait_for_timeout(800)
    screenshot(page, "tournee_calendrier")

    # lock two sessions by clicking their cells on the calendar
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    cells = chart.locator("g.mark-rect path[aria-label*='Séance:']")
    assert cells.count() > 10
    assert chart.locator("g.mark-rect path[aria-label*='Verrouillée: oui']").count() == 0
    dates = []
    for i in (0, 3):
        label = cells.nth(i).get_attribute("aria-label")
        dates.append(_field(label, "Date"))
        cells.nth(i).click()
        page.get_by_text(f"{len(dates)} séance(s) sélectionnée(s)").wait_for(timeout=30_000)
    selection = page.locator("[data-testid='stMarkdown']").filter(has_text="— séance").inner_text()
    assert all(d in selection for d in dates), (dates, selection)
    screenshot(page, "tournee_calendrier_selection")
    page.get_by_role("button", name=re.compile(r"^Verrouiller ces séances \(2\)")).click()
    page.get_by_text("2 séance(s) verrouillée(s) depuis le calendrier").wait_for(timeout=30_000)
    assert page.get_by_role("tab", selected=True).inner_text() == "Calendrier"  # still on the calendar
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    locked = chart.locator("g.mark-rect path[aria-label*='Verrouillée: oui']")
    locked.first.wait_for(state="attached")
    assert sorted(_field(x.get_attribute("aria-label"), "Date") for x in locked.all()) == sorted(dates)
    assert chart.locator("g.mark-text.role-mark text").filter(has_text="🔒").count() == 2  # the padlocks
    page.get_by_text("séance(s) sélectionnée(s)").wait_for(state="detached")  # the selection is reset
    screenshot(page, "tournee_calendrier_verrouillage")

    page.get_by_role("tab", name="Feuille de route").click()
    page.get_by_text("Départ de la base").first.wait_for(state="attached", timeout=15_000)
    page.wait_for_timeout(800)
    screenshot(page, "tournee_feuille_de_route")
