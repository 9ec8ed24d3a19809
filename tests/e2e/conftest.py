"""Real-browser fixtures: the app served by Streamlit on a free port, and a Chromium page.

``streamlit_url`` (session scope) starts ``python -m streamlit run app.py`` from the repository root
with an isolated environment (a temporary SQLite database through ``ALLER_VERS_DB_PATH``, a
temporary upload directory, no passwords, no ``DATABASE_URL``), waits until ``/_stcore/health``
answers ``ok`` and stops the server by its PID at the end.

``browser_page`` gives a fresh Playwright page (Debian's ``/usr/bin/chromium``) per test;
:func:`save_screenshot` writes to ``tests/artifacts/``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 90


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def streamlit_url(tmp_path_factory) -> Iterator[str]:
    """Base URL of the app served by a real Streamlit server (stopped by PID at the end)."""
    tmp = tmp_path_factory.mktemp("e2e-app")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALLER_VERS_", "DATABASE_URL"))}
    env.update(
        ALLER_VERS_DB_PATH=str(tmp / "aller-vers.sqlite"),
        ALLER_VERS_UPLOAD_DIR=str(tmp / "uploads"),
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        PYTHONUNBUFFERED="1",
    )
    log = open(tmp / "streamlit.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early: {(tmp / 'streamlit.log').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become healthy in time")
            time.sleep(0.3)
        yield url
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (Playwright sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
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
