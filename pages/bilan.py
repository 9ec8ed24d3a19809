"""Page bilan (en construction)."""

import streamlit as st

st.title("bilan")
st.info("Page en cours de construction.")
