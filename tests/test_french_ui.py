"""The French dictionary of Streamlit's own widget texts (:mod:`ui.french_ui`).

The browser test ``tests/e2e/test_french_e2e.py`` checks the pages; this one checks that the
English texts the installed Streamlit really writes are still those the dictionary knows, so
that a Streamlit upgrade that rewords them fails here rather than in front of a coordinator.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import streamlit

from ui.french_ui import EXACT, PATTERNS, french_script

BUNDLE = Path(streamlit.__file__).parent / "static" / "static" / "js"


def _french(text: str) -> str | None:
    """What the page script does to a whole text (same dictionary, Python's regular expressions)."""
    if text in EXACT:
        return EXACT[text]
    for pattern, to in PATTERNS:
        m = re.match(pattern, text)
        if m:
            return re.sub(r"\$(\d)", lambda g, m=m: m.group(int(g.group(1))), to)
    return None


@pytest.fixture(scope="module")
def bundle() -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in BUNDLE.glob("*.js"))


@pytest.mark.parametrize(
    "english",
    [
        "Upload",
        "Drag and drop a file here",
        "Drag and drop files here",
        "Choose an option",
        "Choose options",
        "No results",
        "Fullscreen",
        "Exit fullscreen",
        "Download as CSV",
        "Search",
        "Zoom In",
        "Use arrow keys to navigate dates. Enter to select. Escape to close.",
        "Choose date",
    ],
)
def test_the_english_texts_of_streamlit_are_still_the_ones_translated(bundle, english):
    assert f"`{english}`" in bundle or f'"{english}"' in bundle, f"Streamlit no longer writes « {english} »"
    assert _french(english) and _french(english) != english


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("20MB per file", "20 Mo par fichier"),
        ("Limit 200MB per file • CSV", "Limite de 200 Mo par fichier • CSV"),
        ("Help for Temps de calcul", "Aide : Temps de calcul"),
        ("Choose date, janvier 2027", "Choisir la date, janvier 2027"),
        ("option Vierzon, selected.", "Vierzon : choisi."),
        ("dd", "jj"),
        ("yyyy", "aaaa"),
    ],
)
def test_texts_with_numbers_or_names_are_translated_whole(english, french):
    assert _french(english) == french


def test_page_content_is_never_touched():
    for text in ("Vierzon", "Planifier", "Bus numérique", "mardi 12 janvier 2027", "Graçay"):
        assert _french(text) is None


def test_the_script_carries_the_whole_dictionary():
    script = french_script()
    assert "<script>" in script and "MutationObserver" in script
    assert json.dumps(EXACT, ensure_ascii=False) in script
