"""Home visits asked through the request form: stored (a number only), read back, given to the
optimiser, exported and re-imported — both backends (migration ``0005_home_visits``)."""

import pytest

from planner.errors import InputError
from planner.hosting.request_form import RequestForm, export_rows, parse_request_form
from planner.store import repo
from planner.store.access import Actor

COORD = Actor("coordinator", "claire")


def test_home_visits_go_from_the_form_to_the_optimiser(engine):
    form = parse_request_form({"code_insee": "18100", "venue": "Mairie", "home_visits": "2"})
    assert form.home_visits == 2
    rid = repo.submit_request(engine, form, COORD)
    assert repo.get_request(engine, rid, COORD).form.home_visits == 2
    repo.review_request(engine, rid, "accepted", "", COORD)
    (q,) = [q for q in repo.accepted_host_requests(engine) if q.code_insee == "18100"]
    assert q.home_visits == 2
    row = export_rows([repo.get_request(engine, rid, COORD)], include_contact=False)[0]
    assert row["home_visits"] == 2


def test_a_bad_number_of_home_visits_names_the_field():
    with pytest.raises(InputError, match="nombre entier attendu") as err:
        parse_request_form({"code_insee": "18100", "venue": "Mairie", "home_visits": "deux"})
    assert err.value.column == "visites à domicile demandées"
    with pytest.raises(InputError, match="visites à domicile"):
        RequestForm(code_insee="18100", venue="Mairie", home_visits=-1)
