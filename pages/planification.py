"""Page planification (en construction)."""

import streamlit as st

st.title("planification")
st.info("Page en cours de construction.")
