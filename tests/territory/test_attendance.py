"""The attendance curve: who comes to a session held in another commune, by public."""

from __future__ import annotations

import math

import pytest

from planner.errors import InputError
from planner.model import Resource, Rules
from planner.territory.attendance import (
    GENERAL,
    PUBLICS,
    AttendanceCurve,
    curve_of,
    neighbour_cap,
    parse_public,
    pool_cap,
    rules_curve,
)


def test_the_default_curve_is_the_formula():
    """w(t) = 0.6 · 2^(−t/8) up to 15 min: 39 % at 5 min, 25 % at 10, 16 % at 15, 0 beyond."""
    r = Rules()
    curve = rules_curve(r.attendance_share, r.attendance_half_minutes, r.catchment_minutes)
    for t in (0, 5, 10, 15):
        assert curve.at(t) == pytest.approx(0.6 * 2 ** (-t / 8))
    assert [round(100 * curve.at(t)) for t in (5, 10, 15)] == [39, 25, 16]
    assert curve.at(15.01) == 0.0


def test_publics_travel_differently():
    default = AttendanceCurve(0.6, 8, 15)
    oldest, young = curve_of("isolated", default), curve_of("young", default)
    assert curve_of(GENERAL, default) is default
    assert oldest.at(5) < default.at(5) < young.at(5)
    assert oldest.at(13) == 0.0 and young.at(24) == pytest.approx(0.85 * 2 ** (-24 / 15))
    assert [round(100 * young.at(t)) for t in (5, 10, 15)] == [67, 54, 42]
    assert set(PUBLICS) == {"general", "isolated", "young"}


def test_caps_apply_once_at_enrolment():
    """A series counts ⌊w · min(U, seats)⌋ of a neighbour; all series of a host ⌊w · U⌋."""
    curve = AttendanceCurve(0.6, 8, 15)
    w = curve.at(10)
    assert neighbour_cap(curve, 10, 100, 12) == math.floor(w * 12) == 3
    assert neighbour_cap(curve, 10, 8, 12) == math.floor(w * 8) == 2
    assert pool_cap(curve, 10, 100) == math.floor(w * 100) == 25
    assert neighbour_cap(curve, 20, 100, 12) == 0


def test_public_words_of_a_file():
    assert parse_public("") == GENERAL
    assert parse_public("Jeunes") == "young"
    assert parse_public("aînés isolés") == "isolated"
    assert parse_public("young") == "young"
    with pytest.raises(InputError, match="public inconnu « enfants »"):
        parse_public("enfants")


def test_bad_curves_and_publics_are_refused_in_french():
    with pytest.raises(InputError, match="part des voisins"):
        AttendanceCurve(0.0, 8, 15)
    with pytest.raises(InputError, match="demi-distance"):
        Rules(attendance_half_minutes=0)
    with pytest.raises(InputError, match="priorité aux moins couverts"):
        Rules(priority=-1)
    with pytest.raises(InputError, match="public inconnu"):
        Resource("bus", "bus", 12, "18279", public="children")
