"""Why a resource can hold no parcours at all — checked before solving and after an empty solve.

An empty plan is not an « optimal » plan: when the settings leave no series to choose, the
coordinator must be told which setting to change. :func:`diagnose` follows, for each resource,
the filters that make a candidate series (:func:`planner.optimise.candidates.build_candidates`)
one after the other and stops at the first that leaves nothing:

1. ``threshold_above_seats`` — the threshold is above the resource's seats;
2. ``no_window`` — no window of K sessions on the days it works (season, interval);
3. ``no_request`` — only requesting communes may host and none is in the territory;
4. ``out_of_reach`` — no host can be reached, a session held and the base reached again in its day;
5. ``no_power`` — the bus needs power and no reachable host has it;
6. ``weekday_not_worked`` — the reachable hosts only accept days the resource does not work;
7. ``blackout`` — their unavailable dates cut every window;
8. ``request_participants`` — their requests announce fewer participants than the threshold;
9. ``km_budget`` — the hosts enough people would come to all break the season's kilometre budget;
10. ``too_few_people`` — fewer people than the threshold would come to any of them.

Each filter works on what the previous ones left, so a cause is named only when it is the one
that empties the set. A resource carrying locked sessions is never blocked (it holds them).
:func:`require_feasible` raises :class:`~planner.errors.InfeasibleError` when every resource is
blocked (the CLI exits 3); :func:`checked` does it for a solve that came back empty, and lists
in ``metrics.warnings`` the resources that are blocked while others plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from planner.errors import InfeasibleError
from planner.french import WEEKDAY_NAMES_FR, french_decimal
from planner.model import Plan, Resource
from planner.optimise.candidates import (
    Candidates,
    day_slots,
    drive_min,
    host_cap,
    host_power,
    series_windows,
    slot_fits,
    window_allowed,
)
from planner.problem import PlanningProblem
from planner.territory.catchment import catchments, unmet_people

#: Causes, in the order they are tried.
CAUSES = (
    "threshold_above_seats",
    "no_window",
    "no_request",
    "out_of_reach",
    "no_power",
    "weekday_not_worked",
    "blackout",
    "request_participants",
    "km_budget",
    "too_few_people",
)
#: Hosts named in a message, at most.
NAMED = 3


@dataclass(frozen=True)
class Infeasibility:
    """Why one resource can hold no parcours.

    ``cause`` is one of :data:`CAUSES`; ``message`` a French sentence naming the resource and the
    communes by their names, the cause and the setting to change; ``resource`` the resource's
    identifier (for code, never shown).
    """

    cause: str
    message: str
    resource: str


def _num(x: float) -> str:
    return french_decimal(x, 0, sep=" ")


def _days(wds: Iterable[int], last: str = " et ") -> str:
    names = [WEEKDAY_NAMES_FR[d] for d in sorted(set(wds))]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + last + names[-1]


class _Diagnosis:
    """Shared, lazily computed inputs of the per-resource checks."""

    def __init__(self, problem: PlanningProblem) -> None:
        self.problem = problem
        self.names = {c.code_insee: c.name for c in problem.territory.communes}
        self._cands: Candidates | None = None

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def some(self, codes: Iterable[str]) -> str:
        codes = sorted(codes, key=self.name)
        shown = ", ".join(self.name(c) for c in codes[:NAMED])
        return shown + (f" et {len(codes) - NAMED} autre(s)" if len(codes) > NAMED else "")

    def cands(self) -> Candidates:
        if self._cands is None:
            p = self.problem
            self._cands = Candidates([], [], {}, {}, unmet_people(p), catchments(p))
        return self._cands

    def resource(self, r: Resource) -> Infeasibility | None:
        p, rules = self.problem, self.problem.rules
        need, k = rules.min_participants, rules.sessions_per_series

        def fail(cause: str, text: str) -> Infeasibility:
            return Infeasibility(cause, f"« {r.name} » : {text}", r.id)

        if r.seats < need:
            return fail(
                "threshold_above_seats",
                f"le seuil d'ouverture de {_num(need)} participants dépasse ses {r.seats} places — baissez le "
                f"seuil d'ouverture à {r.seats} au plus ou donnez au moyen au moins {_num(need)} places",
            )
        windows = {wd: series_windows(p.season, wd, rules) for wd in r.weekdays}
        if not any(windows.values()):
            return fail(
                "no_window",
                f"aucun parcours de {k} séances ne tient dans la saison du {p.season.start:%d/%m/%Y} au "
                f"{p.season.end:%d/%m/%Y} les jours qu'il travaille ({_days(r.weekdays)}) — allongez la saison, "
                "ajoutez des jours de travail, réduisez le nombre de séances par parcours ou élargissez la "
                "tolérance sur l'intervalle",
            )
        hosts = list(p.territory.codes)
        if p.requests_only:
            hosts = [h for h in hosts if p.request_for(h) is not None]
            if not hosts:
                return fail(
                    "no_request",
                    "aucune commune du territoire n'a demandé à accueillir alors que seules les communes "
                    "demandeuses accueillent — ajoutez des demandes ou laissez toute commune accueillir",
                )
        reach = [h for h in hosts if any(slot_fits(r, s, h, p.matrix) for s in range(day_slots(r)))]
        if not reach:
            near = min(hosts, key=lambda h: (drive_min(p.matrix, r.base, h), h))
            return fail(
                "out_of_reach",
                f"aucune commune d'accueil n'est à sa portée : la plus proche, {self.name(near)}, est à "
                f"{drive_min(p.matrix, r.base, near)} min de route de sa base ({self.name(r.base)}), trop pour "
                f"l'aller-retour et une séance de {r.session_minutes} min entre {r.day_start:%H:%M} et "
                f"{r.day_end:%H:%M} — allongez sa journée de travail (début, fin), raccourcissez ses séances "
                "ou basez-le plus près",
            )
        powered = [h for h in reach if not r.needs_power or host_power(p, h)]
        if not powered:
            return fail(
                "no_power",
                "il a besoin d'un branchement électrique et aucun lieu d'accueil à sa portée n'en a "
                f"({self.some(reach)}) — indiquez un lieu avec branchement dans la demande d'accueil ou "
                "confiez les séances à un moyen sans électricité (une équipe)",
            )
        days = {h: [wd for wd in r.weekdays if windows[wd] and _day_ok(p, h, wd)] for h in powered}
        open_days = [h for h in powered if days[h]]
        if not open_days:
            asked = {wd for h in powered for wd in p.request_for(h).weekdays}  # type: ignore[union-attr]
            return fail(
                "weekday_not_worked",
                f"les communes à sa portée ({self.some(powered)}) ne l'accueillent que le {_days(asked)}, jour(s) "
                f"où il ne travaille pas ({_days(r.weekdays)}) — ajoutez {_days(asked)} à ses jours de travail "
                f"ou demandez aux communes d'accepter le {_days(r.weekdays, ' ou le ')}",
            )
        dated = [h for h in open_days if any(window_allowed(p, h, w) for wd in days[h] for w in windows[wd])]
        if not dated:
            return fail(
                "blackout",
                f"les dates indisponibles des communes à sa portée ({self.some(open_days)}) coupent toutes "
                f"les séries de {k} séances — réduisez leurs dates indisponibles ou allongez la saison",
            )
        announced = [h for h in dated if host_cap(p, h, r.seats) >= need]
        if not announced:
            most = max(host_cap(p, h, r.seats) for h in dated)
            return fail(
                "request_participants",
                f"les demandes des communes à sa portée ({self.some(dated)}) annoncent au plus {most} "
                f"participants, moins que le seuil d'ouverture de {_num(need)} — baissez le seuil d'ouverture "
                f"à {most} ou mobilisez plus de participants",
            )
        cands = self.cands()

        def crowd(h: str) -> bool:
            return cands.reachable(p, r.id, h) >= need

        km = {h: k * 2 * p.matrix.km(r.base, h) for h in announced}
        within = [h for h in announced if rules.km_budget <= 0 or km[h] <= rules.km_budget]
        if any(crowd(h) for h in within):  # stops at the first host that works
            return None
        inside = set(within)
        beyond = [h for h in announced if h not in inside and crowd(h)]
        if beyond:
            near = min(beyond, key=lambda h: (km[h], h))
            return fail(
                "km_budget",
                f"son parcours le plus proche ({self.name(near)}) fait {_num(km[near])} km, plus que le "
                f"budget kilométrique de {_num(rules.km_budget)} km — relevez le budget kilométrique",
            )
        best = max(announced, key=lambda h: (cands.reachable(p, r.id, h), h))
        most = cands.reachable(p, r.id, best)
        return fail(
            "too_few_people",
            f"au plus {_num(most)} personnes viendraient à un de ses parcours (à {self.name(best)}), moins "
            f"que le seuil d'ouverture de {_num(need)} participants — baissez le seuil d'ouverture à "
            f"{_num(max(1, most))} au plus ou élargissez le rayon d'attraction",
        )


def _day_ok(problem: PlanningProblem, host: str, weekday: int) -> bool:
    q = problem.request_for(host)
    return q is None or not q.weekdays or weekday in q.weekdays


def diagnose(problem: PlanningProblem, resources: Iterable[Resource] | None = None) -> list[Infeasibility]:
    """Resources that can hold no parcours, each with its cause (see the module docstring).

    Parameters
    ----------
    problem
        The planning problem.
    resources
        The resources to look at (default: all of ``problem``'s). One carrying locked sessions
        is never listed.

    Returns
    -------
    list[Infeasibility]
        One per blocked resource, in the order of ``resources``.
    """
    d = _Diagnosis(problem)
    locked = {s.resource for s in problem.locked}
    out = []
    for r in problem.resources if resources is None else resources:
        if r.id in locked:
            continue
        found = d.resource(r)
        if found is not None:
            out.append(found)
    return out


def _message(found: list[Infeasibility]) -> str:
    return "aucun parcours ne peut être tenu. " + " ; ".join(f.message for f in found)


def require_feasible(problem: PlanningProblem) -> None:
    """Raise :class:`InfeasibleError` (French, cause and setting named) when no resource can hold
    any parcours and nothing is locked; return at the first resource that can."""
    if problem.locked:
        return
    d = _Diagnosis(problem)
    found = []
    for r in problem.resources:
        f = d.resource(r)
        if f is None:
            return
        found.append(f)
    raise InfeasibleError(_message(found))


def checked(plan: Plan, problem: PlanningProblem) -> Plan:
    """``plan``, or :class:`InfeasibleError` when it holds nothing and nothing can be held.

    An empty plan proven so (status ``OPTIMAL``) or built by a heuristic is refused with the
    causes :func:`diagnose` finds, or a general French message when each resource passes every
    filter alone (the combination of rules leaves nothing). A plan that holds series lists in
    ``metrics.warnings`` the resources that can hold none, with their cause.
    """
    used = {s.resource for s in plan.sessions}
    idle = [r for r in problem.resources if r.id not in used]
    if not idle:
        return plan
    found = diagnose(problem, idle)
    if not plan.sessions:
        if len(found) == len(problem.resources):
            raise InfeasibleError(_message(found))
        if plan.metrics.status in ("OPTIMAL", "HEURISTIC"):
            raise InfeasibleError(
                "aucun parcours ne peut être tenu avec ces réglages : aucune commune ne réunit à la fois un "
                "moyen qui l'atteint, ses jours et ses dates, le seuil d'ouverture et le budget — baissez le "
                "seuil d'ouverture, élargissez le rayon d'attraction ou assouplissez les demandes d'accueil"
            )
        return plan
    if not found:
        return plan
    warnings = tuple(f"aucun parcours possible pour {f.message}" for f in found)
    return replace(plan, metrics=replace(plan.metrics, warnings=plan.metrics.warnings + warnings))
