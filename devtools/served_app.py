"""The dashboard served by a real Streamlit server, and Debian's Chromium to look at it.

Used by the end-to-end tests (``tests/e2e/conftest.py``) and by ``bench/dashboard.py``: the server
runs ``python -m streamlit run serve.py`` (the dashboard and its calendar feeds) from the repository root on a free loopback port, with an
isolated environment (its own SQLite file and upload folder, no passwords, no ``DATABASE_URL``),
and is stopped by its own PID.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
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


def healthy(url: str) -> bool:
    """True when the Streamlit server at ``url`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextmanager
def served_app(workdir: Path, extra_env: Mapping[str, str] | None = None) -> Iterator[str]:
    """Serve the dashboard until the ``with`` block ends; yield its base URL.

    Parameters
    ----------
    workdir
        Folder for the server's database, uploads and log (``streamlit.log``).
    extra_env
        Settings added to the isolated environment (e.g. the passwords of the roles).
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALLER_VERS_", "DATABASE_URL"))}
    env.update(
        ALLER_VERS_DB_PATH=str(workdir / "aller-vers.sqlite"),
        ALLER_VERS_UPLOAD_DIR=str(workdir / "uploads"),
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra_env or {})
    log_path = workdir / "streamlit.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not healthy(url):
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited early: {log_path.read_text()[-2000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not become healthy in time")
                time.sleep(0.3)
            yield url
        finally:
            _stop(proc)


def launch_chromium(playwright):
    """Headless Debian Chromium through Playwright (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
