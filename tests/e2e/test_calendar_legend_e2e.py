"""The Calendrier's legend (host communes) is whole at the widths a coordinator uses: 1,400 and
1,000 pixels. Vega laid it out in five fixed columns under the plot, past the chart's edge when
the names were long or the window narrow; it is now HTML that wraps."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

#: Boxes (CSS pixels) of the main column, the chart and any Vega legend, and the legend's items.
MEASURE = """([chart, legend]) => {
  const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const main = chart.closest('[data-testid="stMainBlockContainer"]') || document.body;
  const items = Array.from(legend.querySelectorAll('span[style*="nowrap"]'));
  return {main: box(main), chart: box(chart),
          vega: Array.from(chart.querySelectorAll('g.role-legend')).map(box),
          items: items.map(e => ({text: e.textContent.trim(), box: box(e)}))};
}"""


def _field(aria_label: str, name: str) -> str:
    """One field of a Vega mark's ARIA label (``"Date: ven. 08/01/2027; Commune: Foëcy; …"``)."""
    parts = dict(p.split(": ", 1) for p in aria_label.split("; ") if ": " in p)
    return parts[name]


def test_the_calendar_legend_is_whole_at_1400_and_1000_px(streamlit_url, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(streamlit_url)
    page.get_by_role("heading", name="Aller-vers").wait_for()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Planification").click()
    page.get_by_role("heading", name="Planification de la saison").wait_for()
    page.get_by_role("button", name="Planifier").click()
    page.locator("[data-testid='stAlert']").filter(has_text="Plan prêt").wait_for(timeout=120_000)
    page.get_by_role("link", name="Voir la tournée, la carte et le calendrier").click()
    page.get_by_role("heading", name="Tournée de la saison").wait_for()
    page.get_by_role("tab", name="Calendrier").click()
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    legend = page.get_by_test_id("stHtml").filter(has_text="Commune d'accueil").first
    for width in (1400, 1000):
        page.set_viewport_size({"width": width, "height": 1400})
        chart.wait_for(state="visible")
        legend.scroll_into_view_if_needed()
        page.wait_for_timeout(1200)  # Vega redraws at the new width
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"calendrier_legende_{width}.png"))
        seen = page.evaluate(MEASURE, [chart.element_handle(), legend.element_handle()])
        left, _, right, _ = seen["main"]
        labels = chart.locator("g.mark-rect path[aria-label*='Séance:']").evaluate_all(
            "cells => cells.map(c => c.getAttribute('aria-label'))"
        )
        names = {_field(label, "Commune") for label in labels}
        assert names and {x["text"].lstrip("■").strip() for x in seen["items"]} == names, (width, seen)
        for item in seen["items"]:  # every name whole, inside the page's column
            assert item["box"][0] >= left - 1 and item["box"][2] <= right + 1, (width, item, seen["main"])
        assert seen["vega"] == [], seen["vega"]  # no Vega legend left to be cut
    # the other view keeps Vega's two short legends (resource, locked): inside the chart too
    page.get_by_text("Par parcours").click()
    page.wait_for_timeout(1500)
    for width in (1000, 1400):
        page.set_viewport_size({"width": width, "height": 1400})
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(1200)
        boxes = chart.evaluate(
            "c => { const b = c.getBoundingClientRect();"
            " return [[b.left, b.right], Array.from(c.querySelectorAll('g.role-legend'))"
            ".map(g => { const r = g.getBoundingClientRect(); return [r.left, r.right]; })]; }"
        )
        (left, right), legends = boxes
        assert len(legends) == 2, boxes
        assert all(a >= left - 1 and b <= right + 1 for a, b in legends), (width, boxes)
