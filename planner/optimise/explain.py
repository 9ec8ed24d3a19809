"""Why a commune (or a host request) was left out, and what would change it — in plain French.

A commune is *left out* when it has unmet need (at least one whole person) and nobody from it
takes part in any series. A request is *refused* when its commune hosts no series. Each reason
is one small function tried in order; the first that applies is given:

1. ``_no_request`` — only requesting communes may host and none is within reach;
2. ``_out_of_reach`` — no resource can drive there, hold a session and drive back in its day;
3. ``_no_power`` — the bus needs a power hookup the request says is missing;
4. ``_weekdays`` — the request's weekdays are not worked by any resource that reaches it;
5. ``_blackout`` — the request's unavailable dates cut every window of K sessions;
6. ``_threshold`` — fewer people than the threshold within the catchment (with what a wider
   radius would add), or the neighbours are already counted in other series;
7. ``_no_slot`` — every slot of the resources that reach it is taken (add a day / a resource),
   on the weekdays it accepts; or no series of K sessions fits those weekdays at all;
8. ``_priority`` — slots remained, but other hosts served more need for the same days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from planner.model import WEEKDAY_NAMES_FR, Series, Unserved
from planner.optimise.candidates import (
    Candidate,
    Candidates,
    day_slots,
    drive_min,
    host_allowed,
    host_cap,
    slot_fits,
    window_allowed,
)
from planner.problem import PlanningProblem
from planner.territory.catchment import catchments, pool

WIDER_MINUTES = 5


def _fmt(x: float) -> str:
    return f"{x:.0f}".replace(".", ",")


def _on(wds: Iterable[int]) -> str:
    """``"le mardi et le vendredi"``."""
    names = [f"le {WEEKDAY_NAMES_FR[d]}" for d in sorted(set(wds))]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def _days(wds: Iterable[int]) -> str:
    names = [WEEKDAY_NAMES_FR[d] for d in sorted(set(wds))]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " et " + names[-1]


class _Context:
    def __init__(
        self, problem: PlanningProblem, cands: Candidates, chosen: list[tuple[Candidate, Mapping[str, int]]]
    ) -> None:
        self.problem = problem
        self.cands = cands
        self.rules = problem.rules
        self.left = dict(cands.people)
        for _, take in chosen:
            for code, n in take.items():
                self.left[code] = self.left.get(code, 0) - n
        self.used_lanes = {(c.resource, c.weekday, c.block, c.slot) for c, _ in chosen}
        self.names = {c.code_insee: c.name for c in problem.territory.communes}
        self._wider: dict[str, tuple[str, ...]] | None = None
        self.reach: dict[str, list] = {}

    def wider(self) -> dict[str, tuple[str, ...]]:
        if self._wider is None:
            self._wider = catchments(self.problem, self.rules.catchment_minutes + WIDER_MINUTES)
        return self._wider

    def reaching(self, h: str) -> list:
        """Resources that can hold at least one slot at ``h`` in their day."""
        if h not in self.reach:
            self.reach[h] = [
                r
                for r in self.problem.resources
                if any(slot_fits(r, s, h, self.problem.matrix) for s in range(day_slots(r)))
            ]
        return self.reach[h]


Reason = Callable[[_Context, str], tuple[str, str] | None]


def _no_request(ctx: _Context, h: str) -> tuple[str, str] | None:
    if not ctx.problem.requests_only:
        return None
    requested = {q.code_insee for q in ctx.problem.requests}
    near = [c for c in ctx.cands.catchment[h] if c in requested]
    if h in requested or any(h in ctx.cands.catchment.get(c, ()) for c in near):
        return None
    m = _fmt(ctx.rules.catchment_minutes)
    return (
        f"aucune demande d'accueil dans la commune ni à moins de {m} min",
        "susciter une demande d'accueil de la mairie, du CCAS ou d'une association de la commune ou d'une voisine",
    )


def _out_of_reach(ctx: _Context, h: str) -> tuple[str, str] | None:
    if ctx.reaching(h):
        return None
    r = min(ctx.problem.resources, key=lambda r: drive_min(ctx.problem.matrix, r.base, h))
    return (
        f"trop loin des bases : {drive_min(ctx.problem.matrix, r.base, h)} min de route depuis "
        f"{ctx.names.get(r.base, r.base)}, la journée de « {r.id} » ne permet pas l'aller-retour et une séance",
        "allonger la journée de travail, raccourcir les séances ou baser un moyen plus près",
    )


def _no_power(ctx: _Context, h: str) -> tuple[str, str] | None:
    reach = ctx.reaching(h)
    q = ctx.problem.request_for(h)
    if q is None or q.has_power or not all(r.needs_power for r in reach):
        return None
    return (
        "pas de branchement électrique pour le bus sur le lieu proposé",
        "prévoir un stationnement avec branchement électrique, ou confier les séances à une équipe (sans bus)",
    )


def _weekdays(ctx: _Context, h: str) -> tuple[str, str] | None:
    q = ctx.problem.request_for(h)
    if q is None or not q.weekdays:
        return None
    if any(host_allowed(ctx.problem, r, h, wd) for r in ctx.reaching(h) for wd in r.weekdays):
        return None
    worked = {wd for r in ctx.reaching(h) for wd in r.weekdays}
    return (
        f"jours demandés ({_days(q.weekdays)}) non travaillés par les moyens qui desservent la commune "
        f"({_days(worked)})",
        f"accepter {_on(worked)} ou ajouter {_on(q.weekdays)} aux jours d'un moyen",
    )


def _blackout(ctx: _Context, h: str) -> tuple[str, str] | None:
    q = ctx.problem.request_for(h)
    if q is None or not q.blackout_dates:
        return None
    for (rid, wd), windows in ctx.cands.windows.items():
        r = next(x for x in ctx.problem.resources if x.id == rid)
        usable = r in ctx.reaching(h) and host_allowed(ctx.problem, r, h, wd)
        if usable and any(window_allowed(ctx.problem, h, w) for w in windows):
            return None
    k = ctx.rules.sessions_per_series
    return (
        f"les dates indisponibles du lieu coupent toutes les séries de {k} séances possibles",
        "réduire les dates indisponibles ou accepter un autre jour de semaine",
    )


def _threshold(ctx: _Context, h: str) -> tuple[str, str] | None:
    need = ctx.rules.min_participants
    m = _fmt(ctx.rules.catchment_minutes)
    start = pool(ctx.cands.catchment[h], ctx.cands.people)
    reach = ctx.reaching(h)
    cap = max(host_cap(ctx.problem, h, r.seats) for r in reach)
    seats = max(r.seats for r in reach)
    if seats < need:
        return (
            f"seuil de {need} participants non atteint : les moyens qui desservent la commune n'ont que {seats} places",
            f"baisser le seuil à {seats} participants ou prévoir un moyen d'au moins {need} places",
        )
    if cap < need:
        return (
            f"seuil de {need} participants non atteint : la demande annonce {cap} participants",
            f"mobiliser au moins {need} participants (communication, voisins) ou baisser le seuil",
        )
    if start < need:
        wider = pool(ctx.wider()[h], ctx.cands.people)
        mw = _fmt(ctx.rules.catchment_minutes + WIDER_MINUTES)
        help_ = (
            f"élargir le rayon à {mw} min en ajouterait {wider - start}"
            if wider > start
            else f"baisser le seuil à {max(1, start)} participants ou regrouper avec une commune voisine"
        )
        return (
            f"seuil de {need} participants non atteint : {start} attendus dans un rayon de {m} min",
            help_,
        )
    left = pool(ctx.cands.catchment[h], {k: max(0, v) for k, v in ctx.left.items()})
    if left < need:
        return (
            f"seuil de {need} participants non atteint : les voisins sont déjà comptés dans d'autres parcours, "
            f"il reste {left} personnes dans un rayon de {m} min",
            f"élargir le rayon à {_fmt(ctx.rules.catchment_minutes + WIDER_MINUTES)} min ou baisser le seuil à {max(1, left)}",
        )
    return None


def _no_slot(ctx: _Context, h: str) -> tuple[str, str] | None:
    full = defaultdict(list)
    empty = set()  # weekdays the host accepts but where no series of K sessions fits the season
    for r in ctx.reaching(h):
        for wd in r.weekdays:
            if not host_allowed(ctx.problem, r, h, wd):
                continue
            windows = ctx.cands.windows.get((r.id, wd), [])
            if not windows:
                empty.add(wd)
                continue
            total = len(windows) * day_slots(r)
            used = sum(1 for lane in ctx.used_lanes if lane[0] == r.id and lane[1] == wd)
            if used < total:
                return None
            full[r.id].append(wd)
    if not full:
        if not empty:
            return None
        k = ctx.rules.sessions_per_series
        return (
            f"aucun parcours de {k} séances ne tient {_on(empty)} dans la saison (trop peu de dates ouvertes)",
            "allonger la saison, réduire le nombre de séances par parcours ou accepter un autre jour de semaine",
        )
    wds = {wd for v in full.values() for wd in v}
    return (
        f"plus de créneau libre {_on(wds)} ({', '.join(sorted(full))})",
        "ajouter un jour de tournée ou un second moyen itinérant",
    )


def _priority(ctx: _Context, h: str) -> tuple[str, str] | None:
    m = _fmt(ctx.rules.catchment_minutes)
    n = pool(ctx.cands.catchment[h], ctx.cands.people)
    return (
        f"besoin plus faible que celui des communes retenues ({n} personnes à moins de {m} min) "
        "pour les créneaux restants, compte tenu des trajets",
        "ajouter un jour de tournée, déposer une demande d'accueil ou baisser le poids des kilomètres",
    )


REASONS: tuple[Reason, ...] = (
    _no_request,
    _out_of_reach,
    _no_power,
    _weekdays,
    _blackout,
    _threshold,
    _no_slot,
    _priority,
)


def reason_for(ctx: _Context, host: str) -> tuple[str, str]:
    """The first reason that applies to ``host`` (the last one always does)."""
    for rule in REASONS:
        found = rule(ctx, host)
        if found is not None:
            return found
    raise AssertionError("unreachable")  # pragma: no cover


def explain(
    problem: PlanningProblem,
    cands: Candidates,
    chosen: list[tuple[Candidate, Mapping[str, int]]],
    series: Iterable[Series] = (),
) -> tuple[Unserved, ...]:
    """Reasons for every commune left out and every refused request.

    Parameters
    ----------
    problem
        The planning problem.
    cands
        Its candidates (windows, catchments, people).
    chosen
        The plan's series as (candidate, {commune: people}).
    series
        Unused, kept for callers that hold :class:`~planner.model.Series`.

    Returns
    -------
    tuple[Unserved, ...]
        Communes by decreasing unmet need, then refused requests.
    """
    ctx = _Context(problem, cands, chosen)
    served = {code for _, take in chosen for code, n in take.items() if n > 0}
    hosts = {c.host for c, _ in chosen}
    out = []
    for code in sorted(problem.territory.codes, key=lambda c: (-problem.needs[c].unmet_need, c)):
        if cands.people.get(code, 0) < 1 or code in served:
            continue
        reason, help_ = reason_for(ctx, code)
        out.append(Unserved(code, problem.needs[code].unmet_need, reason, help_, ctx.names.get(code, "")))
    for q in problem.requests:
        if q.code_insee in hosts:
            continue
        if q.code_insee not in ctx.names:
            out.append(
                Unserved(
                    q.code_insee,
                    0.0,
                    f"demande refusée : la commune {q.code_insee} n'est pas dans le territoire planifié",
                    "vérifier le code INSEE de la demande ou choisir un territoire qui contient la commune",
                    "",
                    q.id or q.code_insee,
                )
            )
            continue
        reason, help_ = reason_for(ctx, q.code_insee)
        out.append(
            Unserved(
                q.code_insee,
                problem.needs[q.code_insee].unmet_need,
                f"demande refusée : {reason}",
                help_,
                ctx.names.get(q.code_insee, ""),
                q.id or q.code_insee,
            )
        )
    return tuple(out)
