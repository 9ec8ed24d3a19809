"""Streamlit helpers shared by the pages (caching, maps, formatting). Pages stay thin."""
