"""Why a commune (or a host request) was left out, and what would change it — in plain French.

A commune is *left out* when it has unmet need (at least one whole person) and nobody from it
takes part in any series. A request is *refused* when its commune hosts no series. Each reason
is one small function tried in order; the first that applies is given:

1. ``_no_request`` — only requesting communes may host and none is within reach;
2. ``_out_of_reach`` — no resource can drive there, hold a session and drive back in its day;
3. ``_no_power`` — the bus needs a power hookup the request says is missing;
4. ``_weekdays`` — the request's weekdays are not worked by any resource that reaches it;
5. ``_blackout`` — the request's unavailable dates cut every window of K sessions;
6. ``_threshold`` — fewer people than the threshold would come (the commune and what its
   neighbours would send, :mod:`planner.territory.attendance`), or the neighbours are already
   counted in other series;
7. ``_no_window`` — no series of K sessions fits the weekdays it accepts;
8. ``_what_it_costs`` — otherwise the reason is what serving it would actually cost and displace.

*What it costs.* Every candidate series at the commune is tried in the plan (a :class:`Move`):
it takes its slot, displacing the series there and those of the same day it cannot be driven
beside; it counts the most valuable people who would come; the plan's objective
(:func:`planner.optimise.objective.series_value`, the optimiser's own) and kilometres are
computed before and after. The best move (most value, then fewest km) gives the reason:

- it would break the kilometre budget → « budget kilométrique » (how many km it adds, how many
  are left);
- it gains value → the plan is not proven optimal and the search stopped before finding it;
- it gains value before the km cost but not after → « poids des kilomètres »;
- it displaces series → if *every* move displaces a commune at least as poorly covered as this
  one (« au moins aussi prioritaire »), « plus de créneau libre » (add a day or a resource);
  otherwise the best move that displaces only better-covered communes is told as it is:
  « servir Souesmes remplacerait le parcours de Graçay, déjà couverte à 44 %, … et ajouterait
  38 km par séance », with the value it loses and, when raising « priorité aux moins couverts »
  would turn the comparison, from which value it would.

Each statement is about a plan one can build — the move — so it is true as stated; the tests
also force the commune in (``PlanningProblem.must_host``) and check it against the optimiser.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from planner.model import WEEKDAY_NAMES_FR, Resource, Series, Unserved
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
from planner.optimise.greedy import MarginalValues, Overlay
from planner.optimise.objective import effective_people, person_weights, series_value, value_change
from planner.problem import PlanningProblem
from planner.territory.attendance import neighbour_cap
from planner.territory.catchment import catchments, resource_curve

WIDER_MINUTES = 5
#: Values of « priorité aux moins couverts » tried to tell from which one a move would win.
PRIORITY_STEPS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0)
TOLERANCE = 1e-6

Chosen = list[tuple[Candidate, Mapping[str, int]]]


def _fmt(x: float) -> str:
    return f"{x:.0f}".replace(".", ",")


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _dec(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}".replace(".", ",").replace("-", "−")


def _on(wds: Iterable[int]) -> str:
    """``"le mardi et le vendredi"``."""
    names = [f"le {WEEKDAY_NAMES_FR[d]}" for d in sorted(set(wds))]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def _days(wds: Iterable[int]) -> str:
    names = [WEEKDAY_NAMES_FR[d] for d in sorted(set(wds))]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " et " + names[-1]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def _label(r: Resource) -> str:
    return r.label or r.id


def _slot_name(r: Resource, slot: int) -> str:
    if day_slots(r) == 2:
        return ("matin", "après-midi")[slot]
    return f"{slot + 1}ᵉ créneau"


class _Context:
    def __init__(self, problem: PlanningProblem, cands: Candidates, chosen: Chosen) -> None:
        self.problem = problem
        self.cands = cands
        self.chosen = list(chosen)
        self.rules = problem.rules
        self.res = {r.id: r for r in problem.resources}
        self.left = dict(cands.people)
        for _, take in chosen:
            for code, n in take.items():
                self.left[code] = self.left.get(code, 0) - n
        self.used_lanes = {(c.resource, c.weekday, c.block, c.slot) for c, _ in chosen}
        self.names = {c.code_insee: c.name for c in problem.territory.communes}
        self._wider: dict[str, tuple[str, ...]] | None = None
        self.reach: dict[str, list] = {}
        self.weights = person_weights(problem, cands.group)
        self.k = problem.rules.sessions_per_series
        self.value = series_value(problem, self.items(self.chosen), self.km(self.chosen), self.weights)
        self.effective = effective_people(self.items(self.chosen))
        self.by_day: dict[tuple, list[int]] = defaultdict(list)
        for j, (c, _) in enumerate(self.chosen):
            if not c.locked:
                self.by_day[(c.resource, c.weekday, c.block)].append(j)
        self._moves: dict[str, list[Move]] = {}
        self.free_at: dict[str, list[Candidate]] = defaultdict(list)
        for c in cands.free:
            self.free_at[c.host].append(c)
        # what every series of the plan counts, overall and per site: a move subtracts what it
        # displaces instead of adding up the rest
        self.values = MarginalValues(problem, cands, self.weights)
        self.at_site: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for c, take in self.chosen:
            for code, n in take.items():
                self.values.given[code] += n
                self.at_site[(c.host, c.resource)][code] += n
        self._priorities: dict[float, tuple[PlanningProblem, dict[str, float]]] = {}

    def at_priority(self, priority: float) -> tuple[PlanningProblem, dict[str, float]]:
        """The problem with « priorité aux moins couverts » set to ``priority``, and its person
        weights (built once: every refused commune asks)."""
        if priority not in self._priorities:
            other = replace(self.problem, rules=replace(self.rules, priority=priority))
            self._priorities[priority] = other, person_weights(other, self.cands.group)
        return self._priorities[priority]

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def coverage(self, code: str) -> float:
        return self.problem.needs[code].coverage

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

    def items(self, chosen: Chosen) -> list[tuple[str, str, float, Mapping[str, int]]]:
        """``(host, resource, share, take)`` of :func:`series_value` (a candidate holds K dates,
        a saupoudrage session one)."""
        return [(c.host, c.resource, min(len(c.dates), self.k) / self.k, take) for c, take in chosen]

    @staticmethod
    def km(chosen: Chosen) -> float:
        return sum(c.km for c, _ in chosen)

    def moves(self, h: str) -> list[Move]:
        if h not in self._moves:
            self._moves[h] = _moves(self, h)
        return self._moves[h]


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
        f"{ctx.name(r.base)}, la journée de « {_label(r)} » ne permet pas l'aller-retour et une séance",
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
        r = ctx.res[rid]
        usable = r in ctx.reaching(h) and host_allowed(ctx.problem, r, h, wd)
        if usable and any(window_allowed(ctx.problem, h, w) for w in windows):
            return None
    k = ctx.rules.sessions_per_series
    return (
        f"les dates indisponibles du lieu coupent toutes les séries de {k} séances possibles",
        "réduire les dates indisponibles ou accepter un autre jour de semaine",
    )


def _wider_reach(ctx: _Context, r: Resource, h: str) -> int:
    """People a series of ``r`` at ``h`` would count with a catchment ``WIDER_MINUTES`` larger."""
    curve = resource_curve(ctx.problem, r)
    curve = replace(curve, max_minutes=min(120.0, curve.max_minutes + WIDER_MINUTES))
    people = ctx.cands.people
    m = ctx.problem.matrix
    return sum(
        people.get(c, 0) if c == h else neighbour_cap(curve, m.minutes(c, h), people.get(c, 0), r.seats)
        for c in ctx.wider()[h]
    )


def _threshold(ctx: _Context, h: str) -> tuple[str, str] | None:
    need = ctx.rules.min_participants
    m = _fmt(ctx.rules.catchment_minutes)
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
    best = max(reach, key=lambda r: (ctx.cands.reachable(ctx.problem, r.id, h), r.id))
    start = ctx.cands.reachable(ctx.problem, best.id, h)
    if start < need:
        wider = _wider_reach(ctx, best, h)
        mw = _fmt(ctx.rules.catchment_minutes + WIDER_MINUTES)
        help_ = (
            f"élargir le rayon à {mw} min en ajouterait {wider - start}"
            if wider > start
            else f"baisser le seuil à {max(1, start)} participants ou regrouper avec une commune voisine"
        )
        return (
            f"seuil de {need} participants non atteint : {start} attendus (la commune et ce que ses voisines "
            f"à moins de {m} min enverraient)",
            help_,
        )
    left = max(ctx.cands.reachable(ctx.problem, r.id, h, ctx.left) for r in reach)
    if left < need:
        return (
            f"seuil de {need} participants non atteint : les voisins sont déjà comptés dans d'autres parcours, "
            f"il reste {left} personnes qui viendraient",
            f"baisser le seuil à {max(1, left)} participants ou regrouper avec une commune voisine",
        )
    return None


def _no_window(ctx: _Context, h: str) -> tuple[str, str] | None:
    accepted = [(r, wd) for r in ctx.reaching(h) for wd in r.weekdays if host_allowed(ctx.problem, r, h, wd)]
    if any(ctx.cands.windows.get((r.id, wd)) for r, wd in accepted):
        return None
    empty = {wd for _, wd in accepted}
    if not empty:
        return None
    k = ctx.rules.sessions_per_series
    return (
        f"aucun parcours de {k} séances ne tient {_on(empty)} dans la saison (trop peu de dates ouvertes)",
        "allonger la saison, réduire le nombre de séances par parcours ou accepter un autre jour de semaine",
    )


@dataclass(frozen=True)
class Move:
    """Serving a commune by a series at ``candidate``: what it displaces and what it changes.

    ``gain`` is the change of the objective (level 1, the optimiser's), ``gain_before_km`` the
    same without the kilometre weight, ``added_km`` the change of kilometres (return trips),
    ``within_budget`` whether the season's kilometre budget still holds.
    """

    candidate: Candidate
    take: Mapping[str, int]
    displaced: tuple[int, ...]
    gain: float
    gain_before_km: float
    added_km: float
    within_budget: bool


def _displaced(ctx: _Context, c: Candidate) -> tuple[int, ...]:
    """Indices of chosen series ``c`` pushes out (same slot, or a day-mate it cannot sit beside)."""
    r = ctx.res[c.resource]
    out = []
    for j in ctx.by_day.get((c.resource, c.weekday, c.block), ()):
        o = ctx.chosen[j][0]
        if o.slot == c.slot or not ctx.cands.compatible(ctx.problem, r, c.slot, c.host, o.slot, o.host):
            out.append(j)
    return tuple(out)


def _gain(
    ctx: _Context,
    displaced: tuple[int, ...],
    c: Candidate,
    take: Mapping[str, int],
    km_change: float,
    weights: Mapping[str, float],
    problem: PlanningProblem | None = None,
) -> float:
    """Change of the objective when ``c`` (with ``take``) replaces the ``displaced`` series."""
    removed = ctx.items([ctx.chosen[j] for j in displaced])
    added = ctx.items([(c, take)])
    return value_change(problem or ctx.problem, ctx.effective, removed, added, km_change, weights)


def _moves(ctx: _Context, h: str) -> list[Move]:
    """Every way to add one series at ``h`` to the plan (see the module docstring)."""
    problem, cands = ctx.problem, ctx.cands
    rules = problem.rules
    budget = rules.km_budget
    out = []
    for c in ctx.free_at.get(h, ()):
        displaced = _displaced(ctx, c)
        site = (c.host, c.resource)
        left, given = Overlay(ctx.left), Overlay(ctx.values.given)
        at_site = Overlay(ctx.at_site.get(site, {}))
        for j in displaced:  # the displaced series give their people back
            o, take = ctx.chosen[j]
            for code, n in take.items():
                left[code] += n
                given[code] -= n
                if (o.host, o.resource) == site:
                    at_site[code] -= n
        cap = host_cap(problem, h, cands.seats[c.resource])
        take, _ = ctx.values.best(problem, cands, site, left, cap, at_site, given=given)
        if sum(take.values()) < rules.min_participants:
            continue
        km_change = c.km - sum(ctx.chosen[j][0].km for j in displaced)
        gain = _gain(ctx, displaced, c, take, km_change, ctx.weights)
        out.append(
            Move(
                candidate=c,
                take=take,
                displaced=displaced,
                gain=gain,
                gain_before_km=gain + rules.travel_weight * km_change,
                added_km=km_change,
                within_budget=budget <= 0 or ctx.km(ctx.chosen) + km_change <= budget + TOLERANCE,
            )
        )
    out.sort(key=lambda mv: (-mv.gain, mv.added_km, mv.candidate.dates[0], mv.candidate.slot))
    return out


def _when(ctx: _Context, c: Candidate) -> str:
    r = ctx.res[c.resource]
    return (
        f"le {WEEKDAY_NAMES_FR[c.weekday]} {_slot_name(r, c.slot)} du {c.dates[0]:%d/%m} au "
        f"{c.dates[-1]:%d/%m} avec « {_label(r)} »"
    )


def _per_session(ctx: _Context, km: float) -> str:
    per = km / ctx.k
    if abs(per) < 0.5:
        return "sans kilomètre de plus"
    return (
        f"et ajouterait {_fmt(per)} km par séance"
        if per > 0
        else f"et économiserait {_fmt(-per)} km par séance"
    )


def _flip_priority(ctx: _Context, mv: Move) -> float | None:
    """The smallest value of « priorité aux moins couverts » (above the current one) at which
    ``mv`` would gain value, or ``None``."""
    problem = ctx.problem
    for p in PRIORITY_STEPS:
        if p <= problem.rules.priority:
            continue
        other, w = ctx.at_priority(p)
        if _gain(ctx, mv.displaced, mv.candidate, mv.take, mv.added_km, w, other) > TOLERANCE:
            return p
    return None


def _what_it_costs(ctx: _Context, h: str) -> tuple[str, str] | None:
    moves = ctx.moves(h)
    if not moves:
        return None
    name = ctx.name(h)
    rules = ctx.rules
    best = moves[0]
    if not best.within_budget:
        used = ctx.km(ctx.chosen)
        return (
            f"budget kilométrique de la saison atteint : un parcours à {name} ajouterait "
            f"{_fmt(best.added_km)} km (aller-retour depuis la base à chaque séance) quand il reste "
            f"{_fmt(max(0.0, rules.km_budget - used))} km sur {_fmt(rules.km_budget)}",
            "augmenter le budget kilométrique ou choisir le plan « le moins de km » en connaissance de cause",
        )
    if best.gain > TOLERANCE:
        return (
            f"un parcours à {name} ({_when(ctx, best.candidate)}) ferait mieux : le calcul s'est arrêté avant "
            "de le trouver (plan non prouvé optimal)",
            "relancer le calcul avec plus de temps",
        )
    if best.gain_before_km > TOLERANCE:
        return (
            f"le poids des kilomètres ({_dec(rules.travel_weight, 2)} personne par km) : un parcours à {name} "
            f"servirait assez de besoin, mais ses {_fmt(best.added_km)} km de plus coûtent davantage",
            "baisser le poids des kilomètres (0 par défaut : les kilomètres ne départagent que des plans de même valeur)",
        )
    if not best.displaced:
        n = sum(best.take.values())
        return (
            f"besoin plus faible que celui des communes retenues ({n} personnes y viendraient)",
            "ajouter un jour de tournée ou déposer une demande d'accueil",
        )
    mine = ctx.coverage(h)
    gentler = [
        mv
        for mv in moves
        if mv.within_budget and all(ctx.coverage(ctx.chosen[j][0].host) > mine for j in mv.displaced)
    ]
    if not gentler:
        days = {mv.candidate.weekday for mv in moves}
        held = sorted({ctx.name(ctx.chosen[j][0].host) for mv in moves for j in mv.displaced})
        return (
            f"plus de créneau libre {_on(days)} : chaque créneau qui pourrait accueillir un parcours à {name} "
            f"(couverte à {_pct(mine)}) sert une commune au moins aussi peu couverte ({_and(held[:4])}"
            + (" …)" if len(held) > 4 else ")"),
            "ajouter un jour de tournée ou un second moyen itinérant",
        )
    mv = gentler[0]
    hosts = [ctx.chosen[j][0].host for j in mv.displaced]
    what = _and([f"{ctx.name(x)}, déjà couverte à {_pct(ctx.coverage(x))}" for x in hosts])
    theirs = sum(n for j in mv.displaced for n in ctx.chosen[j][1].values())
    their_need = sum(ctx.cands.people.get(x, 0) for x in hosts)
    ours = sum(mv.take.values())
    loss = -mv.gain
    share = loss / ctx.value if ctx.value > 0 else 0.0
    flip = _flip_priority(ctx, mv)
    help_ = (
        f"avec une priorité aux moins couverts d'au moins {_dec(flip)} (au lieu de {_dec(rules.priority)}), "
        f"le parcours de {name} passerait devant ; ou ajouter un jour de tournée"
        if flip is not None
        else "ajouter un jour de tournée ou un second moyen itinérant"
    )
    plural = "les parcours" if len(hosts) > 1 else "le parcours"
    return (
        f"servir {name} remplacerait {plural} de {what} ({_when(ctx, mv.candidate)}), "
        f"{_per_session(ctx, mv.added_km)} : {ours} personnes y viendraient sur un besoin non couvert de "
        f"{ctx.cands.people.get(h, 0)}, contre {theirs} sur {their_need}, et le plan perdrait "
        f"{_dec(loss, 2)} de valeur ({_dec(100 * share, 1)} %)",
        help_,
    )


REASONS: tuple[Reason, ...] = (
    _no_request,
    _out_of_reach,
    _no_power,
    _weekdays,
    _blackout,
    _threshold,
    _no_window,
    _what_it_costs,
)


def reason_for(ctx: _Context, host: str) -> tuple[str, str]:
    """The first reason that applies to ``host``."""
    for rule in REASONS:
        found = rule(ctx, host)
        if found is not None:
            return found
    if not ctx.cands.free:  # the saupoudrage: its rotation gives each working day one visit
        return (
            "le saupoudrage n'est pas arrivé jusqu'à elle : chaque journée de la saison a déjà sa visite",
            "ajouter des journées de tournée",
        )
    # no candidate series at the commune although every rule above lets one open: the host list
    # of a large territory keeps only the communes reaching the most people
    return (
        "la commune n'est pas parmi les communes d'accueil examinées (celles qui réunissent le plus de personnes)",
        "déposer une demande d'accueil ou découper le territoire",
    )


def moves_for(problem: PlanningProblem, cands: Candidates, chosen: Chosen, host: str) -> list[Move]:
    """The moves that add a series at ``host`` to the plan, best first (for tests and pages)."""
    return _Context(problem, cands, chosen).moves(host)


def explain(
    problem: PlanningProblem,
    cands: Candidates,
    chosen: Chosen,
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
        out.append(Unserved(code, problem.needs[code].unmet_need, reason, help_, ctx.name(code)))
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
                ctx.name(q.code_insee),
                q.id or q.code_insee,
            )
        )
    return tuple(out)
