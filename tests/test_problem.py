"""The reference problem of the benchmarks and tests (:func:`planner.problem.default_problem`)."""

from __future__ import annotations

from datetime import date

import pytest

from planner.errors import UnknownTerritoryError
from planner.inputs.tables import default_resources
from planner.problem import default_problem


def test_default_problem_is_the_default_territory_with_its_default_resources_and_season() -> None:
    p = default_problem(end=date(2027, 3, 26))
    assert p.territory.spec == "vierzon"
    assert p.resources == default_resources(p.territory)
    assert (p.season.start, p.season.end) == (date(2027, 1, 4), date(2027, 3, 26))
    assert set(p.needs) == set(p.territory.codes) and not p.requests


def test_default_problem_of_an_unknown_territory_is_refused() -> None:
    with pytest.raises(UnknownTerritoryError):
        default_problem("nulle-part")
