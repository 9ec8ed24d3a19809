"""Page tournee (en construction)."""

import streamlit as st

st.title("tournee")
st.info("Page en cours de construction.")
