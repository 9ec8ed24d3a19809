"""Fixtures of the export tests: the tiny plan of :mod:`tiny_plan` with its context."""

from __future__ import annotations

import pytest
from tiny_plan import HOSTS, tiny_baseline, tiny_matrix, tiny_needs, tiny_plan, tiny_territory

from planner.publish import make_context


@pytest.fixture
def ctx():
    return make_context(
        tiny_plan(),
        territory=tiny_territory(),
        needs=tiny_needs(),
        matrix=tiny_matrix(),
        baseline=tiny_baseline(),
        hosts=HOSTS,
    )
