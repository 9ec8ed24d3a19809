"""Aller-vers: planning itinerant digital mediation (the library; never imports streamlit)."""

__version__ = "0.1.0"
