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
