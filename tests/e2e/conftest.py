"""Real-browser fixtures: the app served by Streamlit on a free port, and a Chromium page.

``streamlit_url`` (session scope) starts ``python -m streamlit run app.py`` from the repository root
with an isolated environment (a temporary SQLite database through ``ALLER_VERS_DB_PATH``, a
temporary upload directory, no passwords, no ``DATABASE_URL``), waits until ``/_stcore/health``
answers ``ok`` and stops the server by its PID at the end.

``browser_page`` gives a fresh Playwright page (Debian's ``/usr/bin/chromium``) per test;
:func:`save_screenshot` writes to ``tests/artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.served_app import launch_chromium, served_app

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="session")
def streamlit_url(tmp_path_factory) -> Iterator[str]:
    """Base URL of the app served by a real Streamlit server (stopped by PID at the end)."""
    with served_app(tmp_path_factory.mktemp("e2e-app")) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (Playwright sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    """A fresh page (own context: no shared cookies or session) of 1400×1000 pixels."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def save_screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as ``tests/artifacts/<name>.png`` and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot():
    """The :func:`save_screenshot` function, as a fixture (``screenshot(page, "name")``)."""
    return save_screenshot


@pytest.fixture
def season_app(tmp_path):
    """A fresh served app of its own (empty database): ``(base URL, work folder)``."""
    with served_app(tmp_path) as url:
        yield url, tmp_path
