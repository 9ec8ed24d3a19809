"""Aller-vers as served: ``streamlit run serve.py --server.address 127.0.0.1`` (what ``make run`` does).

The app itself is ``app.py`` (the tests run it directly); this entry point adds what a server needs
(:mod:`ui.served`): security headers, private metrics, a French page for an unexpected error, and a
refusal to start in local mode on a network address.
"""

import streamlit as st
from starlette.middleware import Middleware

from ui.served import SecurityHeaders, french_error, refuse_local_mode_on_a_network

refuse_local_mode_on_a_network()
app = st.App("app.py", middleware=[Middleware(SecurityHeaders)], on_script_error=french_error)
