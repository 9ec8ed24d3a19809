"""Page demandes (en construction)."""

import streamlit as st

st.title("demandes")
st.info("Page en cours de construction.")
