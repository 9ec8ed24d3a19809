"""Page accueil (en construction)."""

import streamlit as st

st.title("accueil")
st.info("Page en cours de construction.")
