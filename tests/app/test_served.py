"""What serve.py adds, tested without a server (tests/e2e/test_served_e2e.py serves it for real)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.testing.v1 import AppTest

from ui.served import ERROR_MESSAGE, SecurityHeaders, listens_only_here


def test_an_unexpected_error_is_told_in_french():
    def page():
        from ui.served import french_error

        try:
            raise KeyError("colonne")
        except KeyError as exc:
            assert french_error(exc) is True  # Streamlit's English box is not shown

    at = AppTest.from_function(page).run()
    assert [e.value for e in at.error] == [ERROR_MESSAGE]
    assert "colonne" not in ERROR_MESSAGE and not at.exception


@pytest.mark.parametrize(
    ("address", "here"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("unix:///run/aller-vers.sock", True),
        (None, False),
        ("", False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("mon-serveur.local", False),
    ],
)
def test_which_addresses_are_this_machine_only(address, here):
    assert listens_only_here(address) is here


def _call(path: str, client: tuple[str, int], headers: dict[str, str], scheme: str = "http"):
    """Run the middleware on one request; return (status, headers) of the response."""
    sent: list[dict] = []

    async def app(scope, receive, send):
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"x-frame-options", b"ALLOW")]}
        )
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "path": path,
        "scheme": scheme,
        "client": client,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    # In a thread of its own: a browser test earlier in the session may hold this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, SecurityHeaders(app)(scope, None, send)).result()
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


def test_headers_replace_the_apps_own_and_hsts_needs_https():
    status, headers = _call("/", ("203.0.113.5", 4000), {"Host": "av.example.fr"})
    assert status == 200 and headers["x-frame-options"] == "SAMEORIGIN"
    assert "strict-transport-security" not in headers
    _, headers = _call("/", ("203.0.113.5", 4000), {"Host": "av.example.fr"}, scheme="https")
    assert headers["strict-transport-security"] == "max-age=31536000"


def test_metrics_only_for_this_machine():
    assert _call("/_stcore/metrics", ("127.0.0.1", 4000), {"Host": "localhost:8501"})[0] == 200
    assert _call("/base/_stcore/metrics/", ("127.0.0.1", 4000), {"Host": "localhost"})[0] == 200
    assert _call("/_stcore/metrics", ("203.0.113.5", 4000), {"Host": "localhost:8501"})[0] == 404
    assert _call("/_stcore/metrics", ("127.0.0.1", 4000), {"Host": "av.example.fr"})[0] == 404
    assert (
        _call("/_stcore/metrics", ("127.0.0.1", 4000), {"Host": "localhost", "X-Real-IP": "1.2.3.4"})[0]
        == 404
    )
