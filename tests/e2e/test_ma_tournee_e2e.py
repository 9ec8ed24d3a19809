"""« Ma tournée actuelle » in a real browser (Debian Chromium): load the sample tour in one click,
see it beside the optimised plan and the saupoudrage, adopt a proposed change, then find the same
comparison on the Bilan."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _value(page) -> str:
    labels = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    return _plain(dict(zip(labels, values, strict=True))["Valeur de la tournée"])


def test_sample_tour_in_one_click_then_compare_and_adopt(streamlit_url, browser_page, screenshot):
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.goto(streamlit_url)
    page.get_by_role("heading", name="Aller-vers").wait_for()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Ma tournée actuelle").click()
    page.get_by_role("heading", name="Ma tournée actuelle").wait_for()
    page.get_by_text("Aucune tournée chargée").wait_for()

    page.get_by_role("button", name=re.compile("Charger l'exemple")).click()  # the one click
    page.get_by_role("heading", name=re.compile("Sur les mêmes journées")).wait_for(timeout=120_000)
    table = page.locator("[data-testid='stDataFrame']").first
    table.wait_for(state="visible")
    table.locator("[role='columnheader']", has_text="Saupoudrage").first.wait_for(state="attached")
    headers = _plain(" ".join(table.locator("[role='columnheader']").all_inner_texts()))
    for column in ("Tournée actuelle", "Plan optimisé", "Saupoudrage"):
        assert column in headers
    page.get_by_text("La tournée respecte toutes les règles.").wait_for()
    before = _value(page)

    adopt = page.get_by_role("button", name="Adopter")
    adopt.first.wait_for(timeout=60_000)
    proposal = _plain(page.get_by_text(re.compile(r"^remplacer ")).first.inner_text())
    gain = re.search(r"valeur de la tournée \+([\d ]+,\d+)", proposal)
    assert gain, proposal
    adopt.first.click()
    page.get_by_text(re.compile("Changements adoptés : 1")).wait_for(timeout=60_000)
    after = _value(page)
    as_float = lambda s: float(s.replace(" ", "").replace(",", "."))  # noqa: E731
    assert as_float(after) == pytest.approx(as_float(before) + as_float(gain.group(1)), abs=0.11)
    screenshot(page, "ma_tournee")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Bilan").click()
    page.get_by_role("heading", name="Bilan").wait_for()
    page.get_by_role("heading", name=re.compile("Tournée actuelle, plan optimisé et saupoudrage")).wait_for()
    # the table with the tour's column (on a loaded machine the page first shows the plan and the
    # saupoudrage alone, then the tour beside them: read the one that has it)
    tour_header = page.locator("[role='columnheader']", has_text="Tournée actuelle")
    grid = page.locator("[data-testid='stDataFrame']").filter(has=tour_header).first
    grid.locator("[role='columnheader']", has_text="Saupoudrage").first.wait_for(
        state="attached", timeout=60_000
    )
    cells = _plain(" ".join(grid.locator("[role='gridcell']").all_inner_texts()))
    assert after in cells  # the tour as improved, beside the two plans
    screenshot(page, "ma_tournee_bilan")
