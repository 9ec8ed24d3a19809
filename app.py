"""Aller-vers — entry point: navigation, page titles, shared sidebar. No logic here."""

import streamlit as st

from ui.auth import auth_sidebar, pages_for_role, session_owner
from ui.french_ui import install_french
from ui.workspace import restore_for, scope_to

st.set_page_config(page_title="Aller-vers", page_icon=":material/directions_bus:", layout="wide")

PAGES = [
    st.Page("app_pages/accueil.py", title="Accueil", icon=":material/home:", default=True),
    st.Page("app_pages/territoire.py", title="Territoire", icon=":material/map:"),
    st.Page("app_pages/demandes.py", title="Demandes", icon=":material/edit_note:"),
    st.Page("app_pages/planification.py", title="Planification", icon=":material/tune:"),
    st.Page("app_pages/tournee.py", title="Tournée", icon=":material/directions_bus:"),
    st.Page("app_pages/ma_tournee.py", title="Ma tournée actuelle", icon=":material/route:"),
    st.Page("app_pages/bilan.py", title="Bilan", icon=":material/monitoring:"),
]

install_french()
role = auth_sidebar()
scope_to(session_owner())
restore_for(role)
st.navigation(pages_for_role(PAGES, role)).run()
