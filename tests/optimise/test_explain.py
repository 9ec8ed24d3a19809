"""Reasons for communes left out and refused requests (tiny drawing of ``tests/tiny_season.py``)."""

from __future__ import annotations

from datetime import date, time

from tiny_season import A, B, C, D, E, bus, problem

from planner.model import HostRequest, Rules
from planner.optimise.candidates import build_candidates
from planner.optimise.explain import explain
from planner.optimise.solve import solve
from planner.problem import SolveParams

PARAMS = SolveParams(time_limit_s=20, gap=0.0, workers=1, seed=1)


def _reasons(prob, chosen=()):
    return {u.code_insee: u for u in explain(prob, build_candidates(prob), list(chosen)) if not u.request_id}


def test_threshold_reason_says_how_many_and_what_a_wider_radius_adds():
    # E 18 min from D: a 20-min radius would bring ⌊0.6 · 2^(−18/8) · 12⌋ = 1 of D's 30 people
    prob = problem(overrides={(D, E): 18})
    e = _reasons(prob)[E]
    assert e.reason == (
        "seuil de 6 participants non atteint : 4 attendus (la commune et ce que ses voisines à moins "
        "de 15 min enverraient)"
    )
    assert e.what_would_help == "élargir le rayon à 20 min en ajouterait 1"


def test_threshold_reason_without_neighbours_suggests_the_threshold():
    e = _reasons(problem())[E]
    assert e.what_would_help.startswith("baisser le seuil à 4 participants")


def test_no_threshold_reason_when_the_catchment_is_large_enough():
    assert "seuil" not in _reasons(problem())[D].reason  # 30 people at D


def test_full_days_reason_names_the_weekday():
    plan = solve(problem(), PARAMS)
    c = {u.code_insee: u for u in plan.unserved}[C]
    assert c.reason == (
        "plus de créneau libre le mardi : chaque créneau qui pourrait accueillir un parcours à Commune C "
        "(couverte à 0 %) sert une commune au moins aussi peu couverte (Commune A et Commune D)"
    )
    assert c.what_would_help == "ajouter un jour de tournée ou un second moyen itinérant"


def test_free_slot_left_means_the_search_stopped_before_it():
    # an empty plan with a free Tuesday: a series at D would gain value, the search did not get there
    prob = problem(resources=(bus(weekdays=(1, 4)),))
    d = _reasons(prob)[D]
    assert d.reason.startswith("un parcours à Commune D (le mardi ")
    assert d.reason.endswith(
        "ferait mieux : le calcul s'est arrêté avant de le trouver (plan non prouvé optimal)"
    )
    assert d.what_would_help == "relancer le calcul avec plus de temps"


def test_no_power_reason_and_its_remedy():
    prob = problem(requests=(HostRequest(D, has_power=False),))
    d = _reasons(prob)[D]
    assert d.reason == "pas de branchement électrique pour le bus sur le lieu proposé"
    assert "équipe" in d.what_would_help
    team = bus(id="team", kind="team", needs_power=False)
    assert (
        "électrique"
        not in _reasons(problem(requests=(HostRequest(D, has_power=False),), resources=(team,)))[D].reason
    )


def test_weekday_reason_when_the_request_wants_another_day():
    d = _reasons(problem(requests=(HostRequest(D, weekdays=(2,)),)))[D]
    assert d.reason.startswith("jours demandés (mercredi) non travaillés")
    assert "mardi" in d.what_would_help


def test_blackout_reason_when_every_window_is_cut():
    d = _reasons(problem(requests=(HostRequest(D, blackout_dates=frozenset({date(2027, 1, 12)})),)))[D]
    assert d.reason.startswith("les dates indisponibles du lieu coupent toutes les séries")


def test_out_of_reach_reason():
    short = bus(day_end=time(13, 30))  # D: 10:00–13:00 then 60 min back → 14:00 > 13:30
    d = _reasons(problem(resources=(short,)))[D]
    assert d.reason.startswith("trop loin des bases : 60 min de route depuis Commune A")


def test_refused_request_gets_the_reason_with_its_id():
    prob = problem(requests=(HostRequest(D, id="r-d", has_power=False),))
    refused = [u for u in explain(prob, build_candidates(prob), []) if u.request_id == "r-d"]
    assert refused and refused[0].reason.startswith("demande refusée : pas de branchement")


def test_served_communes_are_not_listed():
    plan = solve(problem(rules=Rules(travel_weight=0.0)), PARAMS)
    listed = {u.code_insee for u in plan.unserved}
    assert A not in listed and D not in listed
    assert B in listed  # nobody from B in the two series (A and D)


def test_threshold_above_the_seats_is_not_blamed_on_a_request():
    """A 5-seat bus with a threshold of 6: no series can open anywhere.

    The reason used to say "la demande annonce 5 participants" for communes with no request
    at all (A has 40 people): an explanation contradicting the data.
    """
    a = _reasons(problem(resources=(bus(seats=5),)))[A]
    assert "demande" not in a.reason
    assert (
        a.reason
        == "seuil de 6 participants non atteint : les moyens qui desservent la commune n'ont que 5 places"
    )
    assert a.what_would_help == "baisser le seuil à 5 participants ou prévoir un moyen d'au moins 6 places"
    # a request announcing fewer people than the threshold keeps its own reason
    d = _reasons(problem(requests=(HostRequest(D, expected_participants=4),)))[D]
    assert d.reason == "seuil de 6 participants non atteint : la demande annonce 4 participants"


def test_request_for_a_commune_outside_the_territory_is_listed_as_refused():
    """It used to vanish from the plan without a word (with --requests-only: an empty plan)."""
    prob = problem(requests=(HostRequest("36044", id="r-x"),))
    (u,) = [u for u in explain(prob, build_candidates(prob), []) if u.request_id == "r-x"]
    assert u.code_insee == "36044" and u.unmet_need == 0.0
    assert u.reason == "demande refusée : la commune 36044 n'est pas dans le territoire planifié"
    assert "territoire" in u.what_would_help


def test_full_days_reason_names_only_the_weekdays_the_host_accepts_and_that_hold_a_series():
    """Bus on Tuesdays and Thursdays; the season holds 5 Tuesdays but only 4 Thursdays (no
    series of 5 on Thursdays); D asks for Thursdays only.

    Both reasons used to read "plus de créneau libre le mardi et le jeudi": no series was ever
    possible on Thursday, and D does not accept Tuesdays.
    """
    prob = problem(resources=(bus(weekdays=(1, 3)),), requests=(HostRequest(D, weekdays=(3,), id="r-d"),))
    plan = solve(prob, PARAMS)
    assert sorted(s.host for s in plan.series) == [A, B]
    reasons = {(u.code_insee, u.request_id): u for u in plan.unserved}
    assert reasons[(C, "")].reason.startswith("plus de créneau libre le mardi : ")
    d = reasons[(D, "")]
    assert (
        d.reason
        == "aucun parcours de 5 séances ne tient le jeudi dans la saison (trop peu de dates ouvertes)"
    )
    assert "allonger la saison" in d.what_would_help
    assert reasons[(D, "r-d")].reason == f"demande refusée : {d.reason}"
