"""The coordination's request lists a page at a time (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.hosting.request_form import RequestForm
from planner.store import repo
from planner.store.db import dispose_engine, open_store

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def engine():
    eng = open_store()
    yield eng
    dispose_engine()


def demandes() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    return at.switch_page("app_pages/demandes.py").run()


def pending_titles(at: AppTest) -> list[str]:
    return [e.label for e in at.expander if e.label.startswith("Demande n°")]


def test_pending_requests_come_ten_at_a_time(engine):
    ids = repo.submit_requests(
        engine, [RequestForm(code_insee="18103", venue=f"S{i}") for i in range(25)], "t"
    )
    at = demandes()
    assert not at.exception
    assert len(pending_titles(at)) == 10 and pending_titles(at)[0].startswith(f"Demande n° {ids[0]} ")
    assert any("Demandes en attente 1 à 10 sur 25 · 3 pages" in c.value for c in at.caption)
    at.number_input(key="pending_page").set_value(3).run()
    assert not at.exception
    assert [t.split(" —")[0] for t in pending_titles(at)] == [f"Demande n° {i}" for i in ids[20:]]
    assert at.metric[0].value == "25"


def test_the_whole_list_is_filtered_and_paged_in_the_database(engine):
    ids = repo.submit_requests(
        engine, [RequestForm(code_insee=("18103", "18279")[i % 2], venue=f"S{i}") for i in range(120)], "t"
    )
    at = demandes()
    table = at.dataframe[0].value
    assert list(table["n°"]) == ids[:50]
    at.number_input(key="all_page").set_value(3).run()
    assert list(at.dataframe[0].value["n°"]) == ids[100:]
    at.multiselect(key="filter_commune").select("18279").run()  # new filter: back to page 1
    shown = at.dataframe[0].value
    assert list(shown["n°"]) == ids[1::2][:50] and at.number_input(key="all_page").value == 1
    assert at.selectbox(key="open_request").options == [str(i) for i in ids[1::2][:50]]


def test_exports_are_built_only_when_asked(engine, monkeypatch):
    import planner.hosting.request_form as request_form

    repo.submit_request(engine, RequestForm(code_insee="18103", venue="Salle"), "t")
    built = []
    monkeypatch.setattr(request_form, "requests_xlsx", lambda *a, **k: built.append(1) or b"")
    at = demandes()
    assert not at.exception and built == []  # the page ran without building the Excel file
