"""A session's outcome: each rule broken once and kept once."""

import pytest

from planner.errors import InputError
from planner.realised.outcome import CANCEL_REASONS, SessionOutcome, cancelled, parse_cancel_reason


def test_held_session_with_counts_is_kept():
    o = SessionOutcome(
        "u1", held=True, participants=9, age_bands={"70+": 4, "60-69": 3}, residence={"18279": 6}
    )
    assert o.age_unknown == 2 and o.residence_unknown == 3 and o.reason_label == ""


def test_held_session_needs_a_participant():
    with pytest.raises(InputError, match="personne n'est venu"):
        SessionOutcome("u1", held=True, participants=0)


def test_held_session_has_no_reason():
    with pytest.raises(InputError, match="pas de motif"):
        SessionOutcome("u1", held=True, participants=3, cancel_reason="weather")


def test_cancelled_session_needs_a_reason_from_the_list():
    with pytest.raises(InputError, match="besoin d'un motif"):
        SessionOutcome("u1", held=False)
    with pytest.raises(InputError, match="besoin d'un motif"):
        SessionOutcome("u1", held=False, cancel_reason="grève")
    assert SessionOutcome("u1", held=False, cancel_reason="breakdown").reason_label == "panne du bus"


def test_cancelled_session_has_no_participants():
    with pytest.raises(InputError, match="n'a pas de participants"):
        SessionOutcome("u1", held=False, participants=4, cancel_reason="weather")


@pytest.mark.parametrize("participants", [-1, 501])
def test_participants_stay_in_range(participants):
    with pytest.raises(InputError, match="nombre de participants invalide"):
        SessionOutcome("u1", held=True, participants=participants)
    assert SessionOutcome("u1", held=True, participants=500).participants == 500


def test_counts_may_not_exceed_participants():
    with pytest.raises(InputError, match="tranche d'âge"):
        SessionOutcome("u1", held=True, participants=3, age_bands={"70+": 4})
    with pytest.raises(InputError, match="commune de résidence"):
        SessionOutcome("u1", held=True, participants=3, residence={"18279": 2, "18140": 2})
    assert (
        SessionOutcome("u1", held=True, participants=4, residence={"18279": 2, "18140": 2}).residence_unknown
        == 0
    )


def test_counts_are_checked_and_zeros_dropped():
    with pytest.raises(InputError, match="commune de résidence invalide"):
        SessionOutcome("u1", held=True, participants=3, residence={"Vierzon": 1})
    with pytest.raises(InputError, match="tranche d'âge invalide"):
        SessionOutcome("u1", held=True, participants=3, age_bands={"vieux": 1})
    with pytest.raises(InputError, match="nombre de personnes invalide"):
        SessionOutcome("u1", held=True, participants=3, age_bands={"70+": -1})
    assert dict(SessionOutcome("u1", held=True, participants=3, age_bands={"70+": 0}).age_bands) == {}


def test_outcome_needs_a_session_and_a_known_source():
    with pytest.raises(InputError, match="identifiant"):
        SessionOutcome("", held=True, participants=1)
    with pytest.raises(InputError, match="origine"):
        SessionOutcome("u1", held=True, participants=1, source="fax")


def test_reasons_read_from_code_or_french_label():
    assert parse_cancel_reason("Personne n’est venu") == "no_show"  # typographic apostrophe
    assert parse_cancel_reason("  METEO ") == "weather"
    assert parse_cancel_reason("lieu indisponible") == "venue_unavailable"
    assert [parse_cancel_reason(label) for label in CANCEL_REASONS.values()] == list(CANCEL_REASONS)
    with pytest.raises(InputError, match=r"motif d'annulation inconnu : « grève » .*panne du bus"):
        parse_cancel_reason("grève")
    assert cancelled("u2", "panne du bus").cancel_reason == "breakdown"


def test_outcome_is_frozen():
    o = SessionOutcome("u1", held=True, participants=2, age_bands={"70+": 1})
    with pytest.raises(AttributeError):
        o.participants = 3
    with pytest.raises(TypeError):
        o.age_bands["70+"] = 2
