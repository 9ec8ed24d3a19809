"""French spelling of numbers and dates, shared by the pages, the exports and the CLI."""

from datetime import date, time

import pytest

from planner.french import french_date, french_decimal, french_number, french_time


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (12345.6, 1, "12\u202f345,6"),
        (1234567, 0, "1\u202f234\u202f567"),
        (0.5, 2, "0,50"),
        (-0.2, 0, "0"),  # never "-0"
        (-1500, 0, "-1\u202f500"),
        (None, 0, "—"),
        (float("nan"), 1, "—"),
        (float("inf"), 1, "—"),
    ],
)
def test_french_decimal(value, decimals, expected):
    assert french_decimal(value, decimals) == expected


def test_french_decimal_separator_can_be_a_plain_space():
    assert french_decimal(1746.2, 0, sep=" ") == "1 746"


def test_shortest_number_dates_and_times():
    assert french_number(-1.5) == "−1,5" and french_number(2.0) == "2"
    assert french_date(date(2027, 3, 1)) == "lundi 1er mars 2027"
    assert french_date(date(2027, 1, 12), weekday=False) == "12 janvier 2027"
    assert french_time(time(9, 5)) == "9 h 05"


def test_status_words_say_optimal_only_when_proven_else_how_far_at_most():
    from planner.french import plan_status_fr
    from planner.model import PlanMetrics

    def metrics(status, gap, parts=0):
        return PlanMetrics(status, 99.0, 100.0, gap, 1.0, 0, 0, 0, 0, 0, 0, 0, greedy_parts=parts)

    assert plan_status_fr(metrics("OPTIMAL", 0.0)) == "optimal prouvé"
    assert plan_status_fr(metrics("FEASIBLE", 0.0036)) == "à 0,4 % au plus de l'optimum"
    assert plan_status_fr(metrics("FEASIBLE", 0.16)) == "à 16 % au plus de l'optimum"
    assert "optimal prouvé" not in plan_status_fr(metrics("FEASIBLE", 0.0005))
    assert plan_status_fr(metrics("STOPPED", 0.02)) == "arrêté avant la fin, à 2,0 % au plus de l'optimum"
    assert plan_status_fr(metrics("FEASIBLE", 0.2, parts=2)).endswith(
        "2 zone(s) sans solution trouvée à temps : plan simple gardé"
    )
    assert plan_status_fr(metrics("HEURISTIC", 0.3)) == "méthode simple, sans preuve"
