"""Travel matrices for the tiny hand-drawn territories of the tests (``from tests.builders import …``).

Each test file keeps its own drawing (communes, needs, plan) in its docstring or comments; only
the ways of turning a drawing into a :class:`~planner.territory.travel.TravelMatrix` are shared here.
"""

from __future__ import annotations

from collections.abc import Sequence

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
