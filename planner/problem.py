"""What the optimiser is asked: a territory with its need, resources, season, rules, requests, locks.

Kept apart from the solver so that checks, reports and pages can speak of a problem without
importing OR-Tools.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from planner.errors import InputError
from planner.model import (
    AcceptedException,
    CommuneNeed,
    HostRequest,
    Resource,
    Rules,
    Season,
    Session,
    Territory,
)
from planner.territory.travel import TravelMatrix


@dataclass(frozen=True, eq=False)
class PlanningProblem:
    """Everything one season's plan depends on.

    Parameters
    ----------
    territory
        The communes (and fixed sites) to plan for.
    needs
        ``code_insee -> CommuneNeed`` for every commune of the territory.
    matrix
        Drive times/distances covering every commune of the territory (and every resource base).
    resources
        The buses and teams available.
    season
        Dates and closed dates.
    rules
        Rules of a good plan.
    requests
        Host requests; with ``requests_only`` the hosts are restricted to them.
    locked
        Sessions already announced: they must appear unchanged in the plan.
    requests_only
        Only communes with a host request may host a series.
    must_host
        Communes the coordinator requires to hold at least one series (« imposer une commune »;
        also how a stated reason for leaving a commune out is checked, by forcing it in).
        Only communes with a request may host.
    accepted
        Rules the coordinator chose to break for locked sessions (hand edits accepted "quand
        même"): the checks and the solver's post-check do not count them.
    previous
        The sessions of the plan being re-planned (empty for a first plan): a re-plan keeps
        them where they are unless moving buys a clear gain (:mod:`planner.optimise.stability`).
    keep_value
        What keeping one session of ``previous`` in place is worth, in the objective's units
        (0: re-plan from scratch; identities are still carried).
    """

    territory: Territory
    needs: Mapping[str, CommuneNeed]
    matrix: TravelMatrix
    resources: tuple[Resource, ...]
    season: Season
    rules: Rules = field(default_factory=Rules)
    requests: tuple[HostRequest, ...] = ()
    locked: tuple[Session, ...] = ()
    requests_only: bool = False
    must_host: tuple[str, ...] = ()
    accepted: tuple[AcceptedException, ...] = ()
    previous: tuple[Session, ...] = ()
    keep_value: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", MappingProxyType(dict(self.needs)))
        object.__setattr__(self, "must_host", tuple(self.must_host))
        if not self.resources:
            raise InputError("aucun moyen itinérant : ajoutez au moins un bus ou une équipe")
        ids = [r.id for r in self.resources]
        if len(set(ids)) != len(ids):
            raise InputError("deux moyens itinérants portent le même identifiant")
        known = set(self.matrix.codes)
        for code in self.territory.codes:
            if code not in self.needs:
                raise InputError(f"besoin manquant pour la commune {code}")
            if code not in known:
                raise InputError(f"temps de trajet manquant pour la commune {code}")
        for code in self.must_host:
            if code not in self.needs:
                raise InputError(f"commune imposée hors du territoire : {code}")
        if self.keep_value < 0:
            raise InputError("la valeur de stabilité ne peut pas être négative")
        for r in self.resources:
            if r.base not in known:
                raise InputError(
                    f"la commune de base {r.base} du moyen « {r.id} » n'est pas dans le territoire"
                )

    def request_for(self, code_insee: str) -> HostRequest | None:
        """The host request of a commune, if any (the first one when several)."""
        return next((q for q in self.requests if q.code_insee == code_insee), None)


def default_problem(
    spec: str | None = None, start: date = date(2027, 1, 4), end: date = date(2027, 6, 25)
) -> PlanningProblem:
    """The reference problem of the benchmarks and tests: a territory with its need under the
    default weights, its default resources (:func:`planner.inputs.tables.default_resources`), a
    season, the default rules and no requests.

    Parameters
    ----------
    spec
        The territory (default :data:`~planner.territory.specs.DEFAULT_SPEC`, Vierzon).
    start, end
        The season's first and last days (default: the first half of 2027).

    Raises
    ------
    UnknownTerritoryError
        ``spec`` names no territory.
    """
    # imported here: the problem's vocabulary stays light (no tables, need or calendar to load)
    from planner.inputs.tables import default_resources
    from planner.rules.calendar import build_season
    from planner.territory.need import NeedWeights, compute_need
    from planner.territory.specs import DEFAULT_SPEC, load_territory
    from planner.territory.travel import territory_matrix

    territory = load_territory(DEFAULT_SPEC if spec is None else spec)
    matrix = territory_matrix(territory)
    return PlanningProblem(
        territory,
        compute_need(territory, NeedWeights(), matrix),
        matrix,
        default_resources(territory),
        build_season(start, end),
    )


@dataclass(frozen=True)
class SolveParams:
    """How long and how hard to search.

    The search stops at the first of: proven optimality, relative gap ≤ ``gap``,
    ``time_limit_s``, or a stop request.
    """

    time_limit_s: float = 30.0
    gap: float = 0.005
    workers: int = 2
    seed: int = 0

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise InputError("la limite de temps doit être positive")
        if not 0 <= self.gap < 1:
            raise InputError("l'écart cible doit être compris entre 0 et 1")
        if self.workers < 1:
            raise InputError("il faut au moins un fil de calcul")


@dataclass(frozen=True)
class ProgressEvent:
    """One progress report of the search: elapsed seconds, best objective so far, proven bound."""

    elapsed_s: float
    objective: float
    bound: float

    @property
    def gap(self) -> float:
        """Relative gap ``(bound − objective) / bound`` (0 when the bound is 0)."""
        return 0.0 if self.bound <= 0 else max(0.0, (self.bound - self.objective) / self.bound)
