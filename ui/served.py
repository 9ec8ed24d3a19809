"""What the served dashboard (``streamlit run serve.py``) adds around the app.

- **Security headers** on every HTTP response: no framing by other sites (``X-Frame-Options`` and
  CSP ``frame-ancestors``: clickjacking), no referrer (a commune's address carries its token),
  ``nosniff``, and HSTS when the request arrived over HTTPS (directly, or through a trusted proxy
  that says so in ``X-Forwarded-Proto``).
- **Metrics kept private**: ``/_stcore/metrics`` answers only this machine (see
  :func:`ui.client.is_this_machine`); others get 404.
- **A French page for an unexpected error**, instead of Streamlit's English one (the details go to
  the server's log only).
- **No local mode on a network address**: without any coordination sign-in, the server refuses to
  start unless it listens on a loopback address.
"""

from __future__ import annotations

import ipaddress
import logging
import sys

import streamlit as st

from ui.client import is_this_machine

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"frame-ancestors 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")
PRIVATE_PATHS = ("/_stcore/metrics",)
ERROR_MESSAGE = (
    "Une erreur inattendue est survenue : l'action n'a pas abouti et rien n'a été enregistré à moitié. "
    "Rechargez la page ; si l'erreur revient, signalez-la à l'administrateur du tableau de bord "
    "(le détail est dans le journal du serveur)."
)
_log = logging.getLogger(__name__)


def _header_dict(scope: dict) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


class SecurityHeaders:
    """ASGI middleware: security headers on every HTTP response, metrics for this machine only.

    It runs inside uvicorn's proxy-headers middleware, so ``scope["client"]`` and
    ``scope["scheme"]`` already hold what a *trusted* proxy said about the visitor.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "").rstrip("/")
        if path.endswith(PRIVATE_PATHS):
            peer = (scope.get("client") or (None,))[0]
            if not is_this_machine(peer, _header_dict(scope)):
                await self._not_found(send)
                return
        secure = scope.get("scheme") == "https"
        ours = {name for name, _ in SECURITY_HEADERS} | {HSTS[0]}

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in ours]
                headers += [*SECURITY_HEADERS, *([HSTS] if secure else [])]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    async def _not_found(send) -> None:
        body = b"Introuvable."
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 404, "headers": [*headers, *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": body})


def french_error(exc: Exception) -> bool:
    """``on_script_error`` of the served app: a French message; Streamlit has logged the traceback."""
    st.error(ERROR_MESSAGE)
    return True  # do not show Streamlit's own (English) error box


def listens_only_here(address: str | None) -> bool:
    """True when ``server.address`` is loopback (or a Unix socket); unset means every interface."""
    if not address:
        return False
    if address.startswith("unix://") or address.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def refuse_local_mode_on_a_network() -> None:
    """Stop the server at start when it would serve local mode (no sign-in) beyond this machine."""
    from planner.store.db import open_store
    from ui.auth import ENV_COORDINATOR, local_mode

    address = st.get_option("server.address")
    if listens_only_here(address):
        return
    try:
        local = local_mode(open_store())
    except Exception as exc:  # the database decides whether a password exists: no guess without it
        sys.exit(f"Aller-vers refuse de démarrer : base de données inaccessible ({type(exc).__name__}).")
    if not local:
        return
    sys.exit(
        "Aller-vers refuse de démarrer : aucun mot de passe de coordination n'est défini (mode local) et le "
        f"serveur écouterait sur « {address or 'toutes les interfaces'} ». Sans mot de passe, quiconque atteint "
        "le tableau de bord a les droits de la coordination. Définissez le mot de passe "
        f"({ENV_COORDINATOR} ou python -m planner access password), ou écoutez seulement sur "
        "cet ordinateur : --server.address 127.0.0.1 (ce que fait make run)."
    )
