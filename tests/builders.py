"""Travel matrices for the tiny hand-drawn territories of the tests (``from tests.builders import …``),
and the default Vierzon season's problem.

Each test file keeps its own drawing (communes, needs, plan) in its docstring or comments; only
the ways of turning a drawing into a :class:`~planner.territory.travel.TravelMatrix` are shared here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from planner.model import Commune
from planner.territory.travel import TravelMatrix, travel_matrix


def line_matrix(codes: Sequence[str], minutes_apart: float = 10.0) -> TravelMatrix:
    """Communes on a straight line in the order of ``codes``, neighbours ``minutes_apart`` apart.

    Kilometres equal minutes: ``codes[i]`` to ``codes[j]`` is ``|i - j| * minutes_apart`` of both.
    """
    pos = np.arange(len(codes), dtype=float)
    minutes = np.abs(pos[:, None] - pos[None, :]) * minutes_apart
    return TravelMatrix(tuple(codes), minutes.copy(), minutes)


def matrix_of(communes: Sequence[Commune]) -> TravelMatrix:
    """The road estimate of :func:`planner.territory.travel.travel_matrix` between the communes' centres."""
    return travel_matrix(
        [c.code_insee for c in communes], [c.lat for c in communes], [c.lon for c in communes]
    )


def vierzon_problem(start: date = date(2027, 1, 4), end: date = date(2027, 6, 25)):
    """The default Vierzon territory, its need, the default bus and the season ``start`` → ``end``
    (:func:`planner.problem.default_problem`)."""
    from planner.problem import default_problem

    return default_problem(start=start, end=end)


def cher_problem(communes: int, weeks: int = 6, start: date = date(2027, 1, 4)):
    """``communes`` communes of the Cher (region data ``cvl``, 286), Bourges and Saint-Amand-Montrond
    first, then every other one by drive time from Bourges so that they spread over the department
    (then the others, nearest first); a
    bus based at Bourges (Tue + Fri) and a team at Saint-Amand-Montrond (Mon + Thu, 3 × 120 min,
    8 seats), ``weeks`` weeks from ``start``."""
    from datetime import time, timedelta

    from planner.model import Resource, Territory
    from planner.problem import PlanningProblem
    from planner.rules.calendar import build_season
    from planner.territory.need import NeedWeights, compute_need
    from planner.territory.specs import load_territory
    from planner.territory.travel import territory_matrix

    region = load_territory("cvl")
    cher = [c for c in region.communes if c.code_insee.startswith("18")]
    whole = territory_matrix(Territory("cvl:18", region.name, tuple(cher)))
    cher.sort(key=lambda c: whole.minutes("18033", c.code_insee))
    bases = ("18033", "18197")
    keep = [c for c in cher if c.code_insee in bases]
    spread = [c for c in cher[1::2] + cher[0::2] if c.code_insee not in bases]
    keep += spread[: communes - len(keep)]
    codes = {c.code_insee for c in keep}
    territory = Territory(
        f"cvl:cher{communes}",
        region.name,
        tuple(keep),
        tuple(s for s in region.fixed_sites if s.code_insee in codes),
    )
    matrix = territory_matrix(territory)
    resources = (
        Resource("bus", "bus", 12, "18033", (1, 4), time(9), time(17, 30), 2, 180, True, "Bus numérique"),
        Resource("equipe", "team", 8, "18197", (0, 3), time(9), time(17, 30), 3, 120, False, "Équipe"),
    )
    end = start + timedelta(days=7 * weeks - 1)
    return PlanningProblem(
        territory, compute_need(territory, NeedWeights(), matrix), matrix, resources, build_season(start, end)
    )
