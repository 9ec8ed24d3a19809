"""The nginx configuration shipped in ``deploy/nginx/aller-vers.conf``, for real: Debian's nginx in
front of the served dashboard with a self-signed certificate, and Chromium going through it."""

from __future__ import annotations

import os
import shutil
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.served_app import ROOT, free_port

pytestmark = pytest.mark.e2e
SNIPPET = ROOT / "deploy" / "nginx" / "aller-vers.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def proxy_url(streamlit_url, tmp_path_factory) -> Iterator[str]:
    """``https://127.0.0.1:PORT`` served by nginx with the shipped configuration (stopped by PID)."""
    if not Path(NGINX).exists():
        pytest.fail("nginx introuvable : lancez `make system-deps` (paquet Debian nginx-light)")
    tmp = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    https, http = free_port(), free_port()
    app_port = streamlit_url.rsplit(":", 1)[1]
    site = (
        SNIPPET.read_text(encoding="utf-8")
        .replace("127.0.0.1:8501", f"127.0.0.1:{app_port}")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
        .replace("listen 80;", f"listen 127.0.0.1:{http};")
        .replace("/etc/letsencrypt/live/aller-vers.example.fr/fullchain.pem", str(tmp / "cert.pem"))
        .replace("/etc/letsencrypt/live/aller-vers.example.fr/privkey.pem", str(tmp / "key.pem"))
    )
    (tmp / "site.conf").write_text(site, encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temporary folder
    (tmp / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp}/body;\n proxy_temp_path {tmp}/proxy;\n"
        f" include {tmp}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    command = [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"]
    checked = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"https://127.0.0.1:{https}"
    try:
        deadline = time.monotonic() + 30
        while _get(url + "/_stcore/health")[0] != 200:
            assert proc.poll() is None and time.monotonic() < deadline, (tmp / "error.log").read_text()
            time.sleep(0.2)
        yield url
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _get(url: str) -> tuple[int, dict[str, str]]:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the test's own certificate
    try:
        with urllib.request.urlopen(url, timeout=10, context=context) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, {}
    except OSError:
        return 0, {}


def test_the_configuration_serves_https_with_the_apps_security_headers(proxy_url):
    status, headers = _get(proxy_url + "/")
    assert status == 200
    assert headers["strict-transport-security"] == "max-age=31536000"  # X-Forwarded-Proto: https
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["content-security-policy"] == "frame-ancestors 'self'"


def test_metrics_stay_inside(proxy_url, streamlit_url):
    assert _get(proxy_url + "/_stcore/metrics")[0] == 404
    assert _get(streamlit_url + "/_stcore/metrics")[0] == 200  # on the machine itself


def test_a_visitor_through_the_proxy_is_not_the_local_user(proxy_url, chromium):
    """The WebSocket goes through, and the app knows the visitor came through a proxy."""
    context = chromium.new_context(locale="fr-FR", ignore_https_errors=True)
    page = context.new_page()
    try:
        page.goto(proxy_url)
        page.get_by_text("ne répond qu'à l'ordinateur qui l'héberge").wait_for(timeout=30_000)
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
    finally:
        context.close()
