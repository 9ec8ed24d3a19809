"""Solve a season whose resources hold permanences and home visits as well as parcours.

:func:`solve_services` is the entry point when a resource's ``services`` go beyond the parcours
or a request asks for home visits (:func:`needs_services`); otherwise it is
:func:`planner.optimise.solve.solve` unchanged. Resources fall in three groups:

- **parcours only**: the parcours model as usual;
- **permanences only**: a rotation of permanences, morning and afternoon
  (:mod:`planner.optimise.permanence_model`);
- **mixed** (permanence and parcours): permanences in the morning, parcours in the afternoon.
  The afternoon is the resource's day from ``afternoon_start`` (:func:`afternoon_start`: the
  permanence, then an hour for the drives and lunch); a morning stop must let the resource be back
  at its base by then, so that the afternoon's drive from the base is never shorter than the
  drive from the morning's host (drive times obey the triangle inequality).

With permanences and parcours together, **one** CP-SAT model holds both (:class:`JointModel`,
the parcours model of :mod:`planner.optimise.cpsat` with the permanence terms added, sharing the
people of each commune and their diminishing returns): its bound is a proven bound of the whole
problem. Permanences only: :class:`PermanenceModel`.

**Home visits** are placed afterwards (:func:`place_home_visits`) in the free time of the working
days of the resources that make them (the earliest day whose free time holds all the visits of
the commune, else the earliest holding some; before, between or after its other stops),
communes by decreasing value of a visit. The permanence models count the visits asked
as people of their commune without their days (a relaxation: the bound stays valid, and is met
when every visit finds its place); beside the parcours alone, the bound adds their full value
(:func:`planner.optimise.permanences.home_visits_value`), valid because a commune's value is
concave (``value(a + b) ≤ value(a) + value(b)``).
"""

from __future__ import annotations

import math
import threading
import time as _time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from ortools.sat.python import cp_model

from planner.errors import InfeasibleError, InputError
from planner.model import (
    DOMICILE,
    PARCOURS,
    PERMANENCE,
    Plan,
    Resource,
    Series,
    Session,
    Unserved,
    session_uid,
)
from planner.optimise.candidates import (
    build_candidates,
    clock,
    drive_min,
    host_cap,
    minutes_of,
    require_windows,
    round_up,
)
from planner.optimise.cpsat import SeasonModel, _Monitor, level_one_bound, solve_stoppable
from planner.optimise.greedy import greedy_choice
from planner.optimise.objective import (
    group_size,
    lexicographic_scale,
    person_weights,
    tie_unit,
)
from planner.optimise.permanence_model import (
    MORNING,
    SCALE,
    PermanenceTerms,
    Stop,
    add_groups,
    build_stops,
    group_terms,
    locked_stops,
)
from planner.optimise.permanences import home_visits_value
from planner.problem import PlanningProblem, ProgressEvent, SolveParams
from planner.rules.calendar import open_days
from planner.rules.check import check_plan, split_accepted
from planner.territory.catchment import pool_caps, reach_minutes, unmet_people

#: Minutes between the end of a mixed resource's morning permanence and its afternoon (drives, lunch).
MIDDAY_MIN = 60
#: A stop helping more than this many groups over the season is "large" (see :func:`_search`).
BIG_STOP_GROUPS = 6


def needs_services(problem: PlanningProblem) -> bool:
    """True when a resource runs more than the parcours or a request asks for home visits."""
    return any(r.services != (PARCOURS,) for r in problem.resources) or any(
        q.home_visits > 0 for q in problem.requests
    )


def parcours_problem(problem: PlanningProblem) -> PlanningProblem:
    """``problem`` with every resource running parcours only, on its whole day: the ground of
    the saupoudrage baseline and of the greedy plan, the same resource days for every service."""
    return replace(problem, resources=tuple(replace(r, services=(PARCOURS,)) for r in problem.resources))


def home_asked(problem: PlanningProblem) -> dict[str, int]:
    """Home visits asked per commune, when a resource makes them (else none)."""
    if not any(DOMICILE in r.services for r in problem.resources):
        return {}
    asked: dict[str, int] = defaultdict(int)
    for q in problem.requests:
        if q.home_visits > 0 and q.code_insee in problem.needs:
            asked[q.code_insee] += q.home_visits
    return dict(asked)


def afternoon_start(r: Resource) -> int:
    """Minutes since midnight when a mixed resource's afternoon (parcours) starts."""
    return round_up(minutes_of(r.day_start) + r.permanence_minutes + MIDDAY_MIN)


def afternoon_resource(r: Resource) -> Resource:
    """The parcours part of a mixed resource: its day from :func:`afternoon_start`."""
    start = afternoon_start(r)
    if r.max_sessions_per_day < 2:
        raise InputError(
            f"{r.name} : une permanence le matin et un parcours l'après-midi font deux séances par jour ; "
            "autorisez-en au moins 2 (colonne « séances par jour »)"
        )
    if start + r.session_minutes > minutes_of(r.day_end):
        raise InputError(
            f"{r.name} : après une permanence de {r.permanence_minutes} min le matin, la séance de parcours "
            f"({r.session_minutes} min) ne tient plus dans l'après-midi (de {clock(start):%H:%M} à "
            f"{r.day_end:%H:%M}) : raccourcissez la permanence ou la séance, ou allongez la journée"
        )
    return replace(
        r,
        day_start=clock(start),
        services=(PARCOURS,),
        max_sessions_per_day=max(1, r.max_sessions_per_day - 1),
    )


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


class PermanenceModel:
    """Permanences alone: stops, people, groups and the parcours objective."""

    def __init__(self, problem: PlanningProblem, stops: list[Stop]) -> None:
        self.m = cp_model.CpModel()
        people = unmet_people(problem)
        g = group_size(problem)
        weights = person_weights(problem, g)
        self.perm = PermanenceTerms(self.m, problem, stops, people, home_asked(problem))
        self.y = add_groups(self.m, self.perm.takers(), people, g)
        for h in problem.must_host:
            self.m.add(self.perm.held_at(h) >= 1)
        if problem.rules.km_budget > 0:
            self.m.add(self.perm.km_tenths() <= math.floor(10 * problem.rules.km_budget + 1e-9))
        lanes = self.perm.lane_km()
        unit = tie_unit(lanes)
        self.lex = lexicographic_scale(lanes, unit)
        level1 = sum(group_terms(self.y, weights, problem.rules.repeat_value, SCALE)) - sum(
            self.perm.costs(weights, SCALE)
        )
        self.m.maximize(self.lex * level1 - self.perm.tie(unit))


class JointModel(SeasonModel):
    """The parcours model with the permanence terms: one commune's people shared by both."""

    def __init__(
        self, problem: PlanningProblem, cands, stops: list[Stop], perm_problem: PlanningProblem
    ) -> None:
        self._stops, self._perm_problem = stops, perm_problem
        self.perm: PermanenceTerms | None = None
        self.no_symmetry: set = set()
        super().__init__(problem, cands, stability=self)

    # the stability interface of SeasonModel, used to add the permanences' rules and costs
    def add_rules(self, model: SeasonModel) -> None:
        """Nothing more: the permanence rules are added with the people (see below)."""

    def objective_terms(self, model: SeasonModel, scale: int) -> list:
        """The permanences' costs (attendance penalties, travel weight), negated."""
        return [-c for c in self.terms().costs(self.weights, scale)]

    def terms(self) -> PermanenceTerms:
        """The permanence terms, made by the first rule that needs them (whatever the rules' order)."""
        if getattr(self, "perm", None) is None:
            self.perm = PermanenceTerms(
                self.m, self._perm_problem, self._stops, self.cands.people, home_asked(self._perm_problem)
            )
        return self.perm

    # the hooks of SeasonModel's rules: the permanences counted beside the parcours
    def extra_takers(self) -> dict[str, list]:
        """The permanences' and home visits' people of each commune (sharing its groups)."""
        return self.terms().takers()

    def extra_km_tenths(self):
        """The permanences' kilometres (return trips) in the budget, in tenths."""
        return self.terms().km_tenths()

    def extra_held_at(self, host: str):
        """Permanences held at ``host``: an imposed commune holds a parcours or a permanence."""
        return self.terms().held_at(host)

    def rule_need_cap_and_groups(self) -> None:
        """The parcours' and the permanences' people of a commune share its groups; at one host,
        the permanences and the parcours of one resource share the attendance pool."""
        self.terms()
        for (h, rid, i), v in self.perm.t.items():
            p = self.p.get((h, rid, i))
            if p is not None:
                self.m.add(p + v <= self.perm.pools[(h, rid)][i])
        super().rule_need_cap_and_groups()


def _search(
    m: cp_model.CpModel,
    lex: int,
    params: SolveParams,
    on_progress: Callable[[ProgressEvent], None] | None,
    stop: threading.Event | None,
    stops: list[Stop] = (),
    group: int = 12,
) -> tuple[cp_model.CpSolver, int, _Monitor]:
    solver = cp_model.CpSolver()
    if stops and max(s.capacity for s in stops) > BIG_STOP_GROUPS * group:
        # large stops (weekly, fortnightly): the stronger linear relaxation reaches the gap target
        # in ~3 deterministic s where the default is still 20 % (fortnightly) and 65 % (weekly)
        # from its bound after 30 (Vierzon, 1 worker; bench/reach_cuts.py)
        solver.parameters.linearization_level = 2
    solver.parameters.max_time_in_seconds = params.time_limit_s
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    solver.parameters.relative_gap_limit = params.gap
    monitor = _Monitor(solver, params.gap, on_progress, stop, (0.0, 0.0), lex)
    solver.best_bound_callback = monitor.on_bound
    code = solve_stoppable(solver, m, stop, monitor)
    if code in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        raise InfeasibleError(
            "aucun plan de permanences ne respecte ces règles : vérifiez les jours, le rythme, les communes "
            "imposées (une permanence doit pouvoir s'y tenir), le budget kilométrique et les séances verrouillées"
        )
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise InfeasibleError(
            "aucun plan trouvé dans le temps donné : donnez plus de temps au calcul (--time-limit)"
        )
    return solver, code, monitor


def _status(code: int, stop: threading.Event | None) -> str:
    if code == cp_model.OPTIMAL:
        return "OPTIMAL"
    return "STOPPED" if stop is not None and stop.is_set() else "FEASIBLE"


# --------------------------------------------------------------------------------------------
# Plan assembly
# --------------------------------------------------------------------------------------------


def permanence_series(
    problem: PlanningProblem, chosen: list[tuple[Stop, dict[str, int]]], first: int = 1
) -> tuple[list[Series], list[Session]]:
    """Series ``P01-18279`` and their sessions (one per date, ``service="permanence"``)."""
    res = {r.id: r for r in problem.resources}
    series, sessions = [], []
    order = sorted(chosen, key=lambda t: (t[0].dates[0], t[0].position, t[0].resource, t[0].host))
    announced = {(s.series, s.date): s for s in problem.locked if s.service == PERMANENCE}
    taken = {stop.series_id for stop, _ in chosen if stop.fixed}
    n = first - 1
    for stop, take in order:
        sid = stop.series_id
        while not sid:
            n += 1
            sid = f"P{n:02d}-{stop.host}" if f"P{n:02d}-{stop.host}" not in taken else ""
        minutes = {c: 0.0 if c == stop.host else round(problem.matrix.minutes(c, stop.host), 1) for c in take}
        series.append(
            Series(
                sid,
                stop.host,
                stop.resource,
                sum(take.values()),
                dict(take),
                minutes,
                PERMANENCE,
                stop.rhythm.code,
                res[stop.resource].permanence_capacity,
            )
        )
        for k, d in enumerate(stop.dates, start=1):
            s = Session(
                sid,
                k,
                stop.resource,
                stop.host,
                d,
                clock(stop.start_min),
                clock(stop.end_min),
                service=PERMANENCE,
            )
            was = announced.get((sid, d))
            if was is not None:  # announced: kept as it is, with its identity
                sessions.append(
                    replace(
                        s,
                        locked=True,
                        uid=was.uid or session_uid(problem.territory.spec, s),
                        sequence=was.sequence,
                    )
                )
            else:
                sessions.append(replace(s, uid=session_uid(problem.territory.spec, s)))
    return series, sessions


def _gaps(r: Resource, day: list[Session], problem: PlanningProblem) -> list[tuple[int, str, int, str]]:
    """Free time of ``r``'s day: ``(from, where, until, next place)`` (base at both ends)."""
    points = [(minutes_of(r.day_start), r.base)]
    out = []
    for s in sorted(day, key=lambda s: s.start):
        out.append((points[-1][0], points[-1][1], minutes_of(s.start), s.host))
        points.append((minutes_of(s.end), s.host))
    out.append((points[-1][0], points[-1][1], minutes_of(r.day_end), r.base))
    return out


def place_home_visits(
    problem: PlanningProblem, sessions: list[Session], used: dict[str, int]
) -> tuple[list[Series], list[Session]]:
    """Home visits asked (``HostRequest.home_visits``) put into the free time of the days of the
    resources that make them (see the module docstring); ``used`` people per commune already
    counted (a visit is one person of the commune's unmet need)."""
    makers = [r for r in problem.resources if DOMICILE in r.services]
    asked = home_asked(problem)
    # announced (locked) visits stay as they are and count among the visits asked
    kept: dict[str, list[Session]] = defaultdict(list)
    for v in problem.locked:
        if v.service == DOMICILE:
            kept[v.series].append(v)
    series: list[Series] = []
    visits: list[Session] = []
    for sid, held in sorted(kept.items()):
        c, n = held[0].host, len(held)
        series.append(Series(sid, c, held[0].resource, n, {c: n}, {c: 0.0}, DOMICILE))
        visits += held
        used = {**used, c: used.get(c, 0) + n}
        asked[c] = max(0, asked.get(c, 0) - n)
    for v in visits:
        for s in sessions:
            if (s.resource, s.date) == (v.resource, v.date) and s.start < v.end and v.start < s.end:
                raise InfeasibleError(
                    f"une visite à domicile verrouillée du {v.date:%d/%m/%Y} ({v.start:%H:%M}) tombe pendant "
                    "une autre séance du même moyen : déverrouillez l'une des deux"
                )
    sessions = [*sessions, *visits]
    if not makers or not any(asked.values()):
        return series, visits
    weights = person_weights(problem)
    people = unmet_people(problem)
    budget = problem.rules.km_budget
    base = {r.id: r.base for r in problem.resources}
    km = sum(2 * problem.matrix.km(base[s.resource], s.host) for s in sessions)
    days: dict[tuple[str, date], list[Session]] = defaultdict(list)
    for s in sessions:
        days[(s.resource, s.date)].append(s)
    for r in makers:  # its working days, whether or not they hold a permanence or a parcours
        for d in open_days(problem.season, r.weekdays):
            days.setdefault((r.id, d), [])
    res = {r.id: r for r in makers}
    taken = {x.id for x in series}
    for c in sorted(asked, key=lambda c: (-weights.get(c, 0.0), c)):
        if c not in problem.needs:
            continue
        left = min(asked[c], people.get(c, 0) - used.get(c, 0))
        n = len(series) + 1
        while f"D{n:02d}-{c}" in taken:
            n += 1
        sid, placed = f"D{n:02d}-{c}", []
        taken.add(sid)
        q = problem.request_for(c)
        while left > 0:
            # the earliest gap holding every visit left, else the earliest holding some
            options = []
            for (rid, d), day in sorted(days.items(), key=lambda kv: (kv[0][1], kv[0][0])):
                if rid not in res or (
                    q is not None
                    and (d in q.blackout_dates or (q.weekdays and d.weekday() not in q.weekdays))
                ):
                    continue
                r = res[rid]
                for t0, at, t1, nxt in _gaps(r, day, problem):
                    start = round_up(t0 + drive_min(problem.matrix, at, c))
                    room = (t1 - drive_min(problem.matrix, c, nxt) - start) // r.home_visit_minutes
                    k = min(left, room)
                    extra = 2 * problem.matrix.km(r.base, c) * k
                    if k > 0 and not (budget > 0 and km + extra > budget + 1e-6):
                        options.append((k < left, d, rid, start, k, extra))
            if not options:
                break
            _, d, rid, start, k, extra = min(options, key=lambda o: (o[0], o[1], o[2], o[3]))
            r = res[rid]
            for j in range(k):
                a = start + j * r.home_visit_minutes
                v = Session(
                    sid,
                    len(placed) + 1,
                    rid,
                    c,
                    d,
                    clock(a),
                    clock(a + r.home_visit_minutes),
                    service=DOMICILE,
                )
                v = replace(v, uid=session_uid(problem.territory.spec, v))
                placed.append(v)
                days[(rid, d)].append(v)
            km += extra
            left -= k
        if placed:
            n = len(placed)
            series.append(Series(sid, c, placed[0].resource, n, {c: n}, {c: 0.0}, DOMICILE))
            visits += placed
    return series, visits


def _left_out(
    problem: PlanningProblem, series: list[Series], sessions: list[Session]
) -> tuple[Unserved, ...]:
    """Communes with people of unmet need that no permanence, parcours or visit counts, each with
    what is true of it: no stop within reach, or the stops within reach are full, or one has room
    left (a plan not proven optimal); and refused requests (nothing held in the commune)."""
    from planner.optimise.permanences import capacity_people

    served = {c for s in series for c, n in s.from_communes.items() if n > 0}
    people = unmet_people(problem)
    names = {c.code_insee: c.name for c in problem.territory.communes}
    res = {r.id: r for r in problem.resources}
    minutes: dict[str, int] = defaultdict(int)
    for v in sessions:
        minutes[v.series] += minutes_of(v.end) - minutes_of(v.start)
    stops = [x for x in series if x.service in (PERMANENCE, PARCOURS)]
    help_text = "un créneau de plus dans la tournée (un autre jour ou une autre semaine du mois)"
    hosting = {v.host for v in sessions}
    out = []
    for c in sorted(problem.territory.codes, key=lambda c: (-problem.needs[c].unmet_need, c)):
        q = problem.request_for(c)
        if c in served or (people[c] < 1 and not (q is not None and c not in hosting)):
            continue
        near = []
        for x in stops:
            r = res.get(x.resource)
            if r is not None and pool_caps(problem, r, x.host, [c], people)[c] > 0:
                cap = (
                    capacity_people(x.capacity, minutes[x.id])
                    if x.service == PERMANENCE
                    else host_cap(problem, x.host, r.seats)
                )
                near.append((x, cap))
        if not near:
            reason = (
                "aucune permanence ni aucun parcours de ce plan n'est à portée de ses habitants "
                f"(à moins de {reach_minutes(problem):g} min de route)"
            )
        elif all(x.participants >= cap for x, cap in near):
            listed = ", ".join(
                f"{'la permanence' if x.service == PERMANENCE else 'le parcours'} de {names.get(x.host, x.host)} "
                f"({cap} {'personnes sur la saison' if x.service == PERMANENCE else 'places'})"
                for x, cap in near
            )
            reason = f"ce qui est à portée de ses habitants est complet : {listed}"
        else:
            x = next(x for x, cap in near if x.participants < cap)
            what = "la permanence" if x.service == PERMANENCE else "le parcours"
            reason = (
                f"{what} de {names.get(x.host, x.host)}, à portée, a encore de la place, mais ce plan "
                "n'y compte pas ses habitants"
            )
        out.append(
            Unserved(
                c,
                problem.needs[c].unmet_need,
                reason,
                help_text,
                name=names.get(c, c),
                request_id=q.id if q is not None and c not in hosting else "",
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def solve_services(
    problem: PlanningProblem,
    params: SolveParams | None = None,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    stop: threading.Event | None = None,
) -> Plan:
    """The optimised plan of parcours, permanences and home visits (see the module docstring).

    Raises
    ------
    InfeasibleError
        No plan keeps the rules (French explanation).
    InputError
        A mixed resource whose afternoon cannot hold a parcours session, or locked permanences that
        follow no rhythm of their resource.
    """
    from planner.optimise.solve import OPTIMAL_GAP, build_plan, finish_plan, solve

    params = params or SolveParams()
    fixed = locked_stops(problem)
    t0 = _time.monotonic()
    perm = [r for r in problem.resources if PERMANENCE in r.services]
    parc = [r for r in problem.resources if PARCOURS in r.services]
    if not perm and not any(q.home_visits for q in problem.requests) and parc == list(problem.resources):
        return solve(problem, params, on_progress, stop)
    pm = {r.id: afternoon_resource(r) if PERMANENCE in r.services else r for r in parc}
    parcours_locks = tuple(s for s in problem.locked if s.service == PARCOURS)
    stops: list[Stop] = []
    for r in perm:
        two = r.max_sessions_per_day >= 2 and PARCOURS not in r.services
        positions = (MORNING, 1) if two else (MORNING,)
        latest = afternoon_start(r) if PARCOURS in r.services else None
        stops += build_stops(problem, r, positions, latest)
    stops += fixed
    series: list[Series] = []
    sessions: list[Session] = []
    unserved: tuple[Unserved, ...] = ()
    bound = 0.0
    status = "OPTIMAL"
    if parc and not perm:
        part = solve(
            replace(problem, resources=tuple(parc), locked=parcours_locks), params, on_progress, stop
        )
        series, sessions, unserved = list(part.series), list(part.sessions), part.unserved
        bound, status = part.metrics.bound, part.metrics.status
    elif perm and not parc:
        if not stops:
            raise InfeasibleError(_no_stop_message(problem, perm))
        model = PermanenceModel(problem, stops)
        solver, code, _ = _search(model.m, model.lex, params, on_progress, stop, stops, group_size(problem))
        series, sessions = permanence_series(problem, model.perm.chosen(solver))
        bound = level_one_bound(solver.best_objective_bound, model.lex)
        status = _status(code, stop)
        unserved = _left_out(problem, series, sessions)
    elif perm:
        sub = replace(problem, resources=tuple(pm.values()), locked=parcours_locks)
        cands = build_candidates(sub, None, group=group_size(problem))
        require_windows(sub, cands)
        model = JointModel(sub, cands, stops, problem)
        hint = greedy_choice(sub, cands)
        if hint:
            model.hint(hint)
        solver, code, _ = _search(model.m, model.lex, params, on_progress, stop, stops, group_size(problem))
        status = _status(code, stop)
        bound = level_one_bound(solver.best_objective_bound, model.lex)
        chosen = model.extract(solver)
        part = build_plan(sub, cands, chosen, kind="optimised", status=status, bound=bound, solve_seconds=0.0)
        series, sessions = list(part.series), list(part.sessions)
        extra_series, extra_sessions = permanence_series(problem, model.perm.chosen(solver))
        series += extra_series
        sessions += extra_sessions
        unserved = _left_out(problem, series, sessions)  # the parcours' reasons assume no permanence
    used: dict[str, int] = defaultdict(int)
    for s in series:
        for c, n in s.from_communes.items():
            used[c] += n
    home_series, home_sessions = place_home_visits(problem, sessions, used)
    series += home_series
    sessions += home_sessions
    makers = [r for r in problem.resources if DOMICILE in r.services]
    if makers and not perm:  # the permanence models count the visits asked in their bound
        people = unmet_people(problem)
        bound += sum(
            home_visits_value(problem, c, makers[0], min(n, people.get(c, 0)))
            for c, n in home_asked(problem).items()
        )
    # reasons found before the home visits were placed: not for the communes they serve (refused
    # requests stay listed)
    served = {c for s in series for c, n in s.from_communes.items() if n > 0}
    unserved = tuple(u for u in unserved if u.code_insee not in served or u.request_id)
    plan = finish_plan(
        problem,
        series,
        sessions,
        unserved,
        status=status,
        bound=bound,
        solve_seconds=_time.monotonic() - t0,
    )
    if status == "OPTIMAL" and plan.metrics.gap > OPTIMAL_GAP:  # « optimal » only when proven
        plan = replace(plan, metrics=replace(plan.metrics, status="FEASIBLE"))
    open_, _ = split_accepted(check_plan(plan, problem), problem.accepted)
    if open_:
        listed = "; ".join(str(v) for v in open_[:5])
        raise AssertionError(f"solver produced a plan breaking its rules ({len(open_)}): {listed}")
    return plan


def _no_stop_message(problem: PlanningProblem, perm: list[Resource]) -> str:
    names = ", ".join(r.name for r in perm)
    return (
        f"aucune permanence possible pour {names} : aucun jour du rythme n'est ouvert dans la saison, "
        "ou aucune commune n'est accessible dans la journée"
    )
