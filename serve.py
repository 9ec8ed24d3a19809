"""Aller-vers served: the dashboard (``app.py``) and, on the same server and port, the read-only
calendar feeds ``/calendrier/{token}.ics`` (:mod:`planner.hosting.feed_server`).

``python -m streamlit run serve.py`` (what ``make run`` does) finds the ``app`` below and serves it
with Streamlit's ASGI server (``st.App`` with custom routes, Streamlit 1.67); the pages are exactly those of
``app.py``, which tests keep opening directly.
"""

import streamlit as st

from planner.hosting.feed_server import feed_routes

app = st.App("app.py", routes=feed_routes())
