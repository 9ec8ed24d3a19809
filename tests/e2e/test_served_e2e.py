"""The served dashboard (``serve.py``) as a browser and a proxy see it: security headers, private
metrics, local mode for this machine only, and no start in local mode on a network address."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from devtools.served_app import ROOT, free_port, healthy

pytestmark = pytest.mark.e2e


def _get(url: str, **headers: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}


def test_every_response_forbids_framing_and_referrers(streamlit_url):
    for path in ("/", "/_stcore/health", "/territoire"):
        status, headers = _get(streamlit_url + path)
        assert status == 200
        assert headers["x-frame-options"] == "SAMEORIGIN"
        assert headers["content-security-policy"] == "frame-ancestors 'self'"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in headers  # plain HTTP: no HSTS


def test_hsts_only_when_a_trusted_proxy_says_https(streamlit_url):
    # The test client connects from 127.0.0.1, the proxy address uvicorn trusts by default.
    _, headers = _get(streamlit_url + "/", **{"X-Forwarded-Proto": "https"})
    assert headers["strict-transport-security"] == "max-age=31536000"


def test_metrics_answer_this_machine_only(streamlit_url):
    assert _get(streamlit_url + "/_stcore/metrics")[0] == 200
    assert _get(streamlit_url + "/_stcore/metrics", **{"X-Forwarded-For": "203.0.113.9"})[0] == 404
    assert _get(streamlit_url + "/_stcore/metrics", **{"X-Real-IP": "203.0.113.9"})[0] == 404
    assert _get(streamlit_url + "/_stcore/metrics", Host="evil.example")[0] == 404


def test_local_mode_refuses_a_visitor_coming_through_a_proxy(streamlit_url, chromium):
    context = chromium.new_context(locale="fr-FR", extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
    page = context.new_page()
    try:
        page.goto(streamlit_url)
        page.get_by_text("ne répond qu'à l'ordinateur qui l'héberge").wait_for(timeout=30_000)
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        assert page.get_by_role("heading", name="Aller-vers — accès refusé").count() == 1
    finally:
        context.close()


def test_local_mode_serves_this_machine(streamlit_url, browser_page):
    browser_page.goto(streamlit_url)
    browser_page.locator("[data-testid='stSidebarNav']").get_by_text("Territoire").wait_for()
    assert browser_page.get_by_text("ne répond qu'à l'ordinateur").count() == 0


def _network_server(tmp_path, port: int, **env_extra: str) -> list:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALLER_VERS_", "DATABASE_URL"))}
    env.update(ALLER_VERS_DB_PATH=str(tmp_path / "db.sqlite"), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    env.update(env_extra)
    command = [
        sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
        "--server.port", str(port), "--server.address", "0.0.0.0", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    return [command, env]


def test_server_refuses_to_start_in_local_mode_on_a_network_address(tmp_path):
    command, env = _network_server(tmp_path, free_port())
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Aller-vers refuse de démarrer : aucun mot de passe de coordination" in done.stderr
    assert "Traceback" not in done.stderr


def test_server_starts_on_a_network_address_once_a_password_is_set(tmp_path):
    port = free_port()
    command, env = _network_server(tmp_path, port, ALLER_VERS_COORDINATOR_PASSWORD="un-mot-de-passe-solide")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not healthy(f"http://127.0.0.1:{port}") and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.3)
        assert proc.poll() is None and healthy(f"http://127.0.0.1:{port}")
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
