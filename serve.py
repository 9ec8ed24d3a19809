"""Aller-vers as served: ``streamlit run serve.py`` (what ``make run`` does).

The app itself is ``app.py`` (the tests run it directly); this entry point adds what a server needs,
with Streamlit's ASGI server (``st.App``, Streamlit 1.67): the read-only calendar feeds
``/calendrier/{token}.ics`` on the same port (:mod:`planner.hosting.feed_server`), security headers,
private metrics, a French page for an unexpected error, and a refusal to start in local mode on a
network address (:mod:`ui.served`).
"""

import streamlit as st
from starlette.middleware import Middleware

from planner.hosting.feed_server import feed_routes
from ui.served import SecurityHeaders, french_error, refuse_local_mode_on_a_network

refuse_local_mode_on_a_network()
app = st.App(
    "app.py",
    routes=feed_routes(),
    middleware=[Middleware(SecurityHeaders)],
    on_script_error=french_error,
)
