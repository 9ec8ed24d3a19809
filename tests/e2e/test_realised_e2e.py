"""Attendance entered in Tournée, seen in Bilan, in a real browser (Debian Chromium).

The served app's database gets ``tests/data/plan_vierzon_petit.json`` as the Vierzon plan in
force (as after a season's planning); the coordinator opens Tournée, tab « Réalisé », records
the session the form offers (the latest past one) as held with 8 participants, and Bilan shows
it in « Prévu et réalisé ». The database is read to check what was stored: counts only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.plan_json import load_plan
from planner.store import realised as store
from planner.store import workspace
from planner.store.db import dispose_engine, open_store

pytestmark = pytest.mark.e2e

PLAN = Path(__file__).resolve().parents[1] / "data" / "plan_vierzon_petit.json"


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _nav(page, name: str, heading: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", name=heading).wait_for()


def _seed(workdir) -> int:
    url = f"sqlite:///{workdir / 'aller-vers.sqlite'}"
    try:
        engine = open_store(url)
        base = workspace.get_workspace(engine, "vierzon").base
        vid, _, _ = workspace.commit_plan(
            engine, "vierzon", load_plan(PLAN), "Plan annoncé", "coordination", base=base
        )
        return vid
    finally:
        dispose_engine(url)


def _outcomes(workdir, version):
    url = f"sqlite:///{workdir / 'aller-vers.sqlite'}"
    try:
        return store.realised_for_version(open_store(url), version, load_plan(PLAN)).outcomes
    finally:
        dispose_engine(url)


def _metrics(page) -> dict[str, str]:
    labels = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    return {_plain(k): _plain(v) for k, v in zip(labels, values, strict=True)}


def test_attendance_entered_in_tournee_shows_in_bilan(season_app, browser_page, screenshot):
    url, workdir = season_app
    version = _seed(workdir)
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(url)
    page.get_by_role("heading", name="Aller-vers").wait_for()
    _nav(page, "Tournée", "Tournée de la saison")
    page.get_by_role("tab", name="Réalisé").click()
    form = page.get_by_test_id("stForm").first
    form.wait_for()
    page.get_by_text("Aucun nom n'est conservé").first.wait_for()
    count = form.get_by_test_id("stNumberInputField")
    count.fill("8")
    count.press("Tab")
    form.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("tenue, 8 participants. Enregistré.").wait_for(timeout=60_000)

    screenshot(page, "realised_tournee")
    stored = _outcomes(workdir, version)
    assert len(stored) == 1
    (outcome,) = stored.values()
    assert outcome.held and outcome.participants == 8 and outcome.source == "entry"

    _nav(page, "Bilan", "Bilan")
    page.get_by_role("heading", name="Prévu et réalisé").wait_for(timeout=90_000)
    page.locator("[data-testid='stMetricLabel']").filter(has_text="Séances tenues").first.wait_for()
    metrics = _metrics(page)
    assert metrics["Séances tenues"] == f"1 / {len(load_plan(PLAN).sessions)}"
    assert metrics["Participants par séance"] == "8,0"
    page.get_by_role("heading", name="Prévu et réalisé").scroll_into_view_if_needed()
    screenshot(page, "realised_bilan")
