"""The requests list filtered, counted and paged by the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from planner.errors import InputError
from planner.hosting.request_form import RequestForm
from planner.store import repo

COORD = "test"
CODES = ("18103", "18279", "18033")


@pytest.fixture
def filed(engine):
    """23 requests over three communes; every third accepted."""
    ids = repo.submit_requests(
        engine, [RequestForm(code_insee=CODES[i % 3], venue=f"Salle {i}") for i in range(23)], COORD
    )
    for rid in ids[::3]:
        repo.review_request(engine, rid, "accepted", "", COORD)
    return ids


def test_pages_cover_every_request_once_in_filing_order(engine, filed):
    first = repo.find_requests(engine, per_page=10)
    assert (first.total, first.pages, first.page) == (23, 3, 1)
    seen = [r.id for p in (1, 2, 3) for r in repo.find_requests(engine, page=p, per_page=10).records]
    assert seen == filed


def test_filters_are_applied_before_counting_and_paging(engine, filed):
    pending = repo.find_requests(engine, statuses=["submitted"], per_page=5, page=2)
    assert pending.total == 15 and [r.status for r in pending.records] == ["submitted"] * 5
    both = repo.find_requests(engine, statuses=["accepted"], communes=["18103"])
    assert both.total == 8 and {(r.form.code_insee, r.status) for r in both.records} == {
        ("18103", "accepted")
    }
    assert repo.find_requests(engine, communes=["18279", "18033"]).total == 15


def test_a_page_past_the_end_gives_the_last_one(engine, filed):
    page = repo.find_requests(engine, page=99, per_page=10)
    assert page.page == 3 and [r.id for r in page.records] == filed[20:]
    assert repo.find_requests(engine, statuses=["declined"], page=4).page == 1


def test_contacts_can_be_left_out(engine):
    repo.submit_request(engine, RequestForm(code_insee="18103", venue="Salle", contact_email="a@b.fr"), COORD)
    assert repo.find_requests(engine).records[0].form.contact_email == "a@b.fr"
    assert repo.find_requests(engine, include_contact=False).records[0].form.contact_email == ""


def test_bad_filters_are_refused(engine):
    with pytest.raises(InputError, match="statut inconnu"):
        repo.find_requests(engine, statuses=["perdu"])
    with pytest.raises(InputError):
        repo.find_requests(engine, per_page=0)


def test_communes_with_requests(engine, filed):
    assert repo.request_communes(engine) == sorted(CODES)
