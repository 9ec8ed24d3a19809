"""Aller-vers — entry point: navigation, page titles, shared sidebar. No logic here."""

import streamlit as st

from ui.auth import auth_sidebar, pages_for_role

st.set_page_config(page_title="Aller-vers", page_icon="🚌", layout="wide")

PAGES = [
    st.Page("pages/accueil.py", title="Accueil", icon="🏠", default=True),
    st.Page("pages/territoire.py", title="Territoire", icon="🗺️"),
    st.Page("pages/demandes.py", title="Demandes", icon="📝"),
    st.Page("pages/planification.py", title="Planification", icon="⚙️"),
    st.Page("pages/tournee.py", title="Tournée", icon="🚌"),
    st.Page("pages/bilan.py", title="Bilan", icon="📊"),
]

st.navigation(pages_for_role(PAGES, auth_sidebar())).run()
