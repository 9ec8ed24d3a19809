"""Who is at the other end of a session: the client's address and whether it is this very machine.

The address is the one the server resolved for the WebSocket connection (``st.context.ip_address``).
Streamlit's server (uvicorn) replaces the TCP peer by the ``X-Forwarded-For`` client only when the
peer is a *trusted* proxy — ``127.0.0.1`` and ``::1`` by default, others listed in the
``FORWARDED_ALLOW_IPS`` environment variable — so a visitor cannot choose its own address.

A client is *loopback* (the person sitting at the server) only when the connection comes straight
from a loopback address, names the server by a loopback host name (which defeats DNS rebinding:
a web page cannot make the browser send ``Host: localhost``), and carries no proxy header (a proxy
on the same machine would otherwise make every visitor look local).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

# Headers a reverse proxy adds: their presence means the visitor is not at the server's keyboard.
FORWARDING_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded", "x-forwarded-host", "x-forwarded-proto")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Client:
    """The client of a session.

    ``address`` is its IP address as the server resolved it, ``"local"`` for a loopback
    connection, ``None`` when unknown (no connection behind the session).
    """

    address: str | None
    loopback: bool


def _host_name(host: str) -> str:
    """``"localhost"`` from ``"localhost:8501"``, ``"::1"`` from ``"[::1]:8501"``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_loopback_name(host: str) -> bool:
    name = _host_name(host)
    return name in LOOPBACK_HOSTS or name.endswith(".localhost") or _is_loopback_ip(name)


def _is_loopback_ip(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def is_this_machine(peer: str | None, headers: Mapping[str, str]) -> bool:
    """True for a request straight from a loopback address, to a loopback host name, with no proxy.

    Parameters
    ----------
    peer
        The peer's IP address as the server resolved it (``None``: unknown).
    headers
        The request's headers (any case).
    """
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    return (
        peer is not None
        and _is_loopback_ip(peer)
        and not any(name in lowered for name in FORWARDING_HEADERS)
        and _is_loopback_name(lowered.get("host", ""))
    )


def client_from(ip_address: object, headers: Mapping[str, str]) -> Client:
    """The :class:`Client` of a connection from what ``st.context`` reports.

    Parameters
    ----------
    ip_address
        ``st.context.ip_address``: the resolved address, or ``None`` for a loopback peer
        (Streamlit hides ``127.0.0.1`` and ``::1``) — and also when there is no connection.
    headers
        The headers of the WebSocket request (empty when there is no connection).
    """
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    if not lowered:
        return Client(None, False)  # no connection behind this run: never trusted as local
    if isinstance(ip_address, str) and ip_address and not _is_loopback_ip(ip_address):
        return Client(ip_address, False)
    if ip_address is not None and not isinstance(ip_address, str):
        return Client(None, False)
    # Streamlit reports 127.0.0.1 and ::1 as None; other loopback addresses come through as text.
    return Client("local", is_this_machine(ip_address or "127.0.0.1", lowered))


def current_client() -> Client:
    """The client of the running session (read on every run: it cannot change within a session)."""
    try:
        return client_from(st.context.ip_address, st.context.headers)
    except Exception:  # no script context: nobody to trust
        return Client(None, False)
