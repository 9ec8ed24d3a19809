"""Stable re-plans: start from the current plan and move a session only for a clear gain.

A re-plan is a :class:`~planner.problem.PlanningProblem` whose ``previous`` holds the sessions of
the plan in force and whose ``keep_value`` says what keeping one of them in place is worth, in
the objective's units (one person of a commune in high need is worth about 0.5 to 0.7). Locked
(announced) sessions never move, whatever the setting; ``keep_value`` is about the others.

*Candidates.* The series of the previous plan become candidates again even when the season
changed: their own dates when still valid, and their *repair* (the same first date, closed
dates skipped as the interval rule allows) otherwise. These extra candidates do not follow the
windows of :mod:`planner.optimise.candidates`, so :meth:`StabilityTerms.add_rules` forbids, date by
date, two series in one slot of a resource's day and two hosts the resource cannot drive
between; the window symmetry breaking is switched off where dates matter.

*Objective.* Every candidate earns ``keep_value`` for each of its sessions that falls exactly
where a previous session was (same resource, host, date and start): a move must gain more than
what it gives up. :func:`replan` solves twice — without the bonus (the best value, which gives
an honest bound and the price of stability) then with it — and reports the stable plan with the
bound of the first solve.

*Identities.* :func:`carry_identities` gives every session of the new plan the ``uid`` of the
session it continues (same place and time, or the same session moved: sequence + 1).

*Reasons.* :func:`explain_changes` says, for every session of the previous plan, whether it was
kept, and if not why: a rule it now breaks (closed date, resource's days or hours, request),
its series losing such a session, or a better plan overall (with the gain).
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise

from planner.french import french_decimal
from planner.model import Plan, PlanMetrics, Session, session_uid
from planner.optimise.candidates import (
    Candidate,
    Candidates,
    allowed_gaps,
    chain_from,
    clear_of_locks,
    day_slots,
    drive_min,
    host_allowed,
    host_cap,
    locked_days,
    minutes_of,
    slot_fits,
    slot_start,
    weekday_dates,
    window_allowed,
)
from planner.problem import PlanningProblem, ProgressEvent, SolveParams
from planner.territory.catchment import allocate, pool

#: First block number of the extra candidates (windows use 0, 1, 2… and locked series −1).
EXTRA_BLOCK = 1_000_000
#: Share of the time limit given to the first solve (without the stability bonus).
FREE_SHARE = 0.3


@dataclass(frozen=True)
class StabilityLevel:
    """One position of the « stabilité » setting."""

    key: str
    label: str
    keep_value: float
    help: str


#: The « stabilité » setting, from the most stable to « repartir de zéro ».
LEVELS: tuple[StabilityLevel, ...] = (
    StabilityLevel(
        "frozen",
        "Ne rien bouger de ce qui est prévu",
        10.0,
        "Une séance déjà prévue ne bouge que si elle ne peut plus avoir lieu (jour fermé, moyen indisponible…).",
    ),
    StabilityLevel(
        "stable",
        "Ne bouger que pour un gain net",
        1.0,
        "Chaque séance déplacée doit rapporter au moins l'équivalent d'une personne de plus servie.",
    ),
    StabilityLevel(
        "flexible",
        "Bouger dès que le plan s'améliore",
        0.1,
        "Une séance bouge pour un gain même petit ; les dates déjà prévues restent préférées à égalité.",
    ),
    StabilityLevel(
        "scratch",
        "Repartir de zéro",
        0.0,
        "Le plan est recalculé comme s'il n'existait pas (seules les séances verrouillées restent).",
    ),
)
DEFAULT_LEVEL = "stable"


def level(key: str) -> StabilityLevel:
    """The :class:`StabilityLevel` named ``key`` (:class:`~planner.errors.InputError` if unknown)."""
    from planner.errors import InputError

    for x in LEVELS:
        if x.key == key:
            return x
    raise InputError(f"niveau de stabilité inconnu « {key} » (attendu : {', '.join(x.key for x in LEVELS)})")


def _slot_key(resource: str, host: str, day: date, start_min: int) -> tuple:
    return (resource, host, day, start_min)


def previous_slots(problem: PlanningProblem) -> set[tuple]:
    """``(resource, host, date, start minutes)`` of every unlocked session of ``problem.previous``."""
    locked = {(s.resource, s.host, s.date, s.start) for s in problem.locked}
    return {
        _slot_key(s.resource, s.host, s.date, minutes_of(s.start))
        for s in problem.previous
        if (s.resource, s.host, s.date, s.start) not in locked
    }


def kept_sessions(c: Candidate, slots: set[tuple]) -> int:
    """How many sessions of candidate ``c`` fall exactly where a previous session was."""
    return sum(_slot_key(c.resource, c.host, d, c.times(k)[1]) in slots for k, d in enumerate(c.dates))


# --------------------------------------------------------------------------------------------
# Extra candidates
# --------------------------------------------------------------------------------------------


def _previous_series(problem: PlanningProblem) -> dict[str, list[Session]]:
    """Unlocked series of the previous plan (a series holding a locked session is kept by its lock)."""
    locked_series = {s.series for s in problem.locked}
    groups: dict[str, list[Session]] = defaultdict(list)
    for s in problem.previous:
        if s.series not in locked_series and not s.locked:
            groups[s.series].append(s)
    return {k: sorted(v, key=lambda s: s.index) for k, v in sorted(groups.items())}


def _exact_slot(problem: PlanningProblem, resource, host: str, start_min: int) -> int | None:
    for k in range(day_slots(resource)):
        if slot_start(resource, k, host, problem.matrix) == start_min:
            return k
    return None


def _dates_ok(problem: PlanningProblem, dates: tuple[date, ...], gaps: tuple[int, ...]) -> bool:
    k = problem.rules.sessions_per_series
    if len(dates) != k or len({d.weekday() for d in dates}) != 1:
        return False
    if not all(problem.season.is_open(d) for d in dates):
        return False
    return all((b - a).days in gaps for a, b in pairwise(dates))


def extra_candidates(problem: PlanningProblem, cands: Candidates) -> list[Candidate]:
    """The previous plan's series as candidates: their dates if still valid, else their repair.

    Only what a free candidate could be (same filters as
    :func:`planner.optimise.candidates.build_candidates`: host pool and cap, slot that fits,
    request weekdays, blackout dates, power, locked sessions of the day) and not already a
    window candidate.
    """
    res = {r.id: r for r in problem.resources}
    rules = problem.rules
    gaps = allowed_gaps(rules)
    have = {(c.resource, c.host, c.slot, c.dates) for c in cands.free}
    busy = locked_days(cands.fixed)
    out: list[Candidate] = []
    for sess in _previous_series(problem).values():
        first = sess[0]
        r = res.get(first.resource)
        if r is None or first.host not in cands.catchment:
            continue
        host = first.host
        if pool(cands.catchment[host], cands.people) < rules.min_participants:
            continue
        if host_cap(problem, host, r.seats) < rules.min_participants:
            continue
        start = minutes_of(first.start)
        slot = _exact_slot(problem, r, host, start)
        if slot is None or not slot_fits(r, slot, host, problem.matrix):
            continue
        weekday = first.date.weekday()
        if weekday not in r.weekdays or not host_allowed(problem, r, host, weekday):
            continue
        own = tuple(s.date for s in sess)
        options = [own]
        open_dates = {d for d in weekday_dates(problem.season, weekday) if window_allowed(problem, host, [d])}
        valid = [d for d in own if d in open_dates]
        if valid:
            repair = chain_from(valid[0], open_dates, rules.sessions_per_series, gaps)
            if repair is not None and repair != own:
                options.append(repair)
        for dates in options:
            if not _dates_ok(problem, dates, gaps) or not window_allowed(problem, host, dates):
                continue
            if (r.id, host, slot, dates) in have or not clear_of_locks(
                r, slot, host, start, dates, busy, problem.matrix
            ):
                continue
            km = rules.sessions_per_series * 2 * problem.matrix.km(r.base, host)
            block = EXTRA_BLOCK + len(out)
            out.append(
                Candidate(r.id, host, weekday, slot, block, dates, start, start + r.session_minutes, km)
            )
            have.add((r.id, host, slot, dates))
    return out


# --------------------------------------------------------------------------------------------
# Terms of the CP-SAT model
# --------------------------------------------------------------------------------------------


@dataclass
class StabilityTerms:
    """What a re-plan adds to :class:`planner.optimise.cpsat.SeasonModel`.

    Attributes
    ----------
    bonus
        ``candidate index -> value`` of keeping its previous sessions (objective units).
    extra
        Indices of the extra candidates (dates outside the windows).
    no_symmetry
        ``(resource, weekday, block)`` whose windows are not interchangeable any more.
    """

    bonus: dict[int, float] = field(default_factory=dict)
    extra: set[int] = field(default_factory=set)
    no_symmetry: set[tuple[str, int, int]] = field(default_factory=set)

    def add_rules(self, model) -> None:
        """Date by date, for the windows and the extra candidates together: one series per slot
        of a resource's day, and only hosts the resource can drive between on one day."""
        if not self.extra:
            return
        free = model.cands.free
        by_day: dict[tuple[str, date], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for i, c in enumerate(free):
            for k, d in enumerate(c.dates):
                by_day[(c.resource, d)][c.times(k)[0]].append(i)
        for (rid, _d), by_slot in by_day.items():
            involved = [i for idx in by_slot.values() for i in idx if i in self.extra]
            if not involved:
                continue
            r = model.res[rid]
            for idx in by_slot.values():
                if len(idx) > 1 and any(i in self.extra for i in idx):
                    model.m.add_at_most_one(model.x[i] for i in idx)
            slots = sorted(by_slot)
            for a, s in enumerate(slots):
                for t in slots[a + 1 :]:
                    for i in by_slot[s]:
                        for j in by_slot[t]:
                            if i not in self.extra and j not in self.extra:
                                continue  # same window: cpsat.rule_day_drive_time has it
                            if not model.cands.compatible(model.problem, r, s, free[i].host, t, free[j].host):
                                model.m.add(model.x[i] + model.x[j] <= 1)

    def objective_terms(self, model, scale: int) -> list:
        """``Σ keep value × x`` in the model's integer units (rounded down: never overstated)."""
        return [math.floor(scale * v + 1e-9) * model.x[i] for i, v in self.bonus.items() if v > 0]


def extend(problem: PlanningProblem, cands: Candidates) -> StabilityTerms | None:
    """Add the previous plan's series to ``cands.free`` and return the model's extra terms.

    ``None`` for a first plan (no ``previous``).
    """
    if not problem.previous:
        return None
    terms = StabilityTerms()
    start = len(cands.free)
    cands.free.extend(extra_candidates(problem, cands))
    terms.extra = set(range(start, len(cands.free)))
    slots = previous_slots(problem)
    for i, c in enumerate(cands.free):
        kept = kept_sessions(c, slots)
        if kept and problem.keep_value > 0:
            terms.bonus[i] = problem.keep_value * kept
        if kept or i in terms.extra:
            terms.no_symmetry.add((c.resource, c.weekday, c.block))
    return terms


def hint(
    problem: PlanningProblem, cands: Candidates, terms: StabilityTerms
) -> list[tuple[Candidate, dict[str, int]]]:
    """A feasible start that keeps the previous plan: locked series, then the candidates keeping
    the most previous sessions, each if its slot, its day and its people allow it."""
    from planner.optimise.greedy import fixed_allocation

    people = dict(cands.people)
    chosen = fixed_allocation(problem, cands, people)
    res = {r.id: r for r in problem.resources}
    taken: dict[tuple[str, date], list[tuple[int, str]]] = defaultdict(list)
    order = sorted(terms.bonus, key=lambda i: (-terms.bonus[i], i))
    if problem.keep_value <= 0:  # from scratch: keep what coincides, still a good start
        slots = previous_slots(problem)
        order = [i for i, c in enumerate(cands.free) if kept_sessions(c, slots)]
    for i in order:
        c = cands.free[i]
        r = res[c.resource]
        days = [(c.resource, d) for d in c.dates]
        if any(c.slot == s for day in days for s, _ in taken[day]):
            continue
        if not all(cands.compatible(problem, r, c.slot, c.host, s, h) for day in days for s, h in taken[day]):
            continue
        cap = host_cap(problem, c.host, r.seats)
        if pool(cands.catchment[c.host], people) < problem.rules.min_participants:
            continue
        take = allocate(cands.catchment[c.host], people, cap)
        chosen.append((c, take))
        for day in days:
            taken[day].append((c.slot, c.host))
    return chosen


# --------------------------------------------------------------------------------------------
# Identities
# --------------------------------------------------------------------------------------------


def carry_identities(plan: Plan, previous: Iterable[Session]) -> Plan:
    """``plan`` whose sessions continue those of ``previous`` under their identities.

    A session at the same place and time as a previous one (resource, host, date, start) is that
    session: same ``uid`` and ``sequence``. Then the previous sessions left are paired with the new
    ones left at the same host (same session number first, then in date order): the same session
    moved, ``sequence + 1``. Other new sessions keep the identity :func:`build_plan` gave them,
    made unique if it happens to be a previous one's.
    """
    from planner.rules.diff import _pair  # the diff's first-come, first-served pairing

    prev = [s for s in previous if s.uid]
    if not prev:
        return plan
    new = list(plan.sessions)
    slot = lambda s: (s.resource, s.host, s.date, s.start)  # noqa: E731
    same, prev_left, new_left = _pair(prev, new, slot)
    by_number, prev_left, new_left = _pair(prev_left, new_left, lambda s: (s.host, s.index))
    by_host, prev_left, new_left = _pair(prev_left, new_left, lambda s: (s.host,))
    ident: dict[int, tuple[str, int]] = {}
    for a, b in same:
        ident[id(b)] = (a.uid, a.sequence)
    for a, b in by_number + by_host:
        ident[id(b)] = (a.uid, a.sequence + 1)
    used = {uid for uid, _ in ident.values()}
    out: list[Session] = []
    for s in new:
        if id(s) in ident:
            uid, seq = ident[id(s)]
            out.append(replace(s, uid=uid, sequence=seq))
            continue
        uid = s.uid or session_uid(plan.territory_spec, s)
        while uid in used:
            uid = session_uid(plan.territory_spec + "+" + uid, s)
        used.add(uid)
        out.append(replace(s, uid=uid))
    return replace(plan, sessions=tuple(out))


# --------------------------------------------------------------------------------------------
# Solve
# --------------------------------------------------------------------------------------------


def replan(
    problem: PlanningProblem,
    params: SolveParams,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    stop: threading.Event | None = None,
) -> Plan:
    """A stable re-plan of ``problem`` (see the module docstring).

    Without ``previous`` or with ``keep_value`` 0 this is :func:`planner.optimise.solve.solve`.
    Otherwise a first solve without the bonus (``FREE_SHARE`` of the time, progress reported)
    gives the best value and its proven bound; the second, with the bonus (the rest of the time,
    progress not reported: its values include the bonus), gives the stable plan. The stable plan
    reports its own value, the first solve's bound (a bound of every plan of the same
    candidates) and, in ``metrics.best_objective``, the value of the first solve's plan: what
    stability costs is the difference.
    """
    from planner.optimise.solve import gap_of, solve

    if not problem.previous or problem.keep_value <= 0:
        return solve(problem, params, on_progress, stop)
    free_params = replace(params, time_limit_s=max(0.5, params.time_limit_s * FREE_SHARE))
    free = solve(replace(problem, keep_value=0.0), free_params, on_progress, stop)
    rest = replace(params, time_limit_s=max(0.5, params.time_limit_s - free.metrics.solve_seconds))
    stable = solve(problem, rest, None, stop)
    m = stable.metrics
    bound = max(m.objective, min(m.bound, free.metrics.bound))
    gap = gap_of(m.objective, bound)
    status = m.status
    if status in ("OPTIMAL", "FEASIBLE"):
        status = "OPTIMAL" if free.metrics.status == "OPTIMAL" and gap <= 1e-3 else "FEASIBLE"
    metrics = replace(
        m,
        status=status,
        bound=bound,
        gap=gap,
        solve_seconds=free.metrics.solve_seconds + m.solve_seconds,
        best_objective=free.metrics.objective,
    )
    return replace(stable, metrics=metrics)


# --------------------------------------------------------------------------------------------
# What moved and why
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A session of the previous plan that did not stay where it was, and why.

    ``kind`` is ``"forced"`` (it breaks a rule now), ``"series"`` (its series lost a session
    that breaks a rule), ``"displaced"`` (its place went to a locked parcours, kept or completed
    as announced) or ``"gain"`` (the new plan is worth more); ``after`` is the session it became
    (``None``: removed).
    """

    before: Session
    after: Session | None
    kind: str
    reason: str


@dataclass(frozen=True)
class ReplanReport:
    """What a re-plan kept, changed and added, with the reasons and the values compared."""

    kept: int
    changes: tuple[Change, ...]
    added: tuple[Session, ...]
    locked_moved: int
    value: float
    value_if_kept: float

    @property
    def unlocked_before(self) -> int:
        """Sessions of the previous plan that were not locked."""
        return self.kept + len(self.changes)

    def moved_share(self, kinds: Iterable[str] = ("gain", "series", "forced")) -> float:
        """Share of the previously unlocked sessions that changed for one of ``kinds``."""
        wanted = set(kinds)
        n = sum(c.kind in wanted for c in self.changes)
        return n / self.unlocked_before if self.unlocked_before else 0.0


def _forced_reason(problem: PlanningProblem, s: Session) -> str | None:
    """Why ``s`` cannot stay as it is in ``problem`` (the checker's words), else ``None``."""
    from planner.rules.check import _what, closed_dates, power, resource_calendar

    if s.host not in problem.territory.codes:
        return "sa commune n'est plus dans le territoire"
    if problem.requests_only and problem.request_for(s.host) is None:
        return "seules les communes qui ont fait une demande accueillent désormais"
    res = {r.id: r for r in problem.resources}
    if s.resource not in res:
        return "son moyen itinérant ne fait plus partie des moyens"
    alone = Plan(
        territory_spec=problem.territory.spec,
        season=problem.season,
        rules=problem.rules,
        resources=problem.resources,
        series=(),
        sessions=(s,),
        routes=(),
        unserved=(),
        metrics=PlanMetrics("", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0, 0.0, 0.0),
    )
    prefix = _what(problem, s)
    for rule in (closed_dates, resource_calendar, power):
        found = rule(alone, replace(problem, locked=()))
        if found:  # « La séance 2 … le mardi 02/03/2027 tombe un jour fermé » → « tombe un jour fermé »
            text = found[0].message
            if text.lower().startswith(prefix.lower()):
                text = text[len(prefix) :].lstrip(" :")
            return text
    r = res[s.resource]
    if minutes_of(s.start) < minutes_of(r.day_start) + drive_min(problem.matrix, r.base, s.host):
        return f"{r.name} ne peut plus y arriver à l'heure"
    return None


def explain_changes(previous: Plan, new: Plan, problem: PlanningProblem) -> ReplanReport:
    """Every session of ``previous`` kept or not, and why (see the module docstring).

    A session that did not stay breaks a rule now (``forced``), or lost its place to a locked
    parcours kept or completed as announced (``displaced``), or belongs to a parcours that lost a
    session for one of these reasons (``series``: a parcours cannot run short of a session), or
    else moved for a better plan (``gain``). ``value`` is the new plan's objective;
    ``value_if_kept`` the objective of the previous plan without the parcours touched by the new
    settings (keeping everything that still can be kept, and adding nothing).
    """
    from planner.optimise.objective import objective_value
    from planner.rules.diff import diff_plans

    diff = diff_plans(previous, new)
    after_of: dict[int, Session] = {id(m.before): m.after for m in diff.moved}
    slot = lambda s: (s.resource, s.host, s.date, s.start)  # noqa: E731
    now = {slot(s) for s in new.sessions}
    names = {c.code_insee: c.name for c in problem.territory.communes}
    locked_series = {x.series for x in new.sessions if x.locked}
    day_of: dict[tuple, list[Session]] = defaultdict(list)
    for x in new.sessions:
        day_of[(x.resource, x.date)].append(x)

    def direct(s: Session) -> tuple[str, str] | None:
        """``(kind, reason)`` when ``s`` cannot stay on its own account, else ``None``."""
        reason = _forced_reason(problem, s)
        if reason:
            return "forced", reason
        holder = next(
            (
                x
                for x in day_of.get((s.resource, s.date), ())
                if x.series in locked_series and x.start < s.end and s.start < x.end
            ),
            None,
        )
        if holder is not None:
            return (
                "displaced",
                f"sa place revient au parcours verrouillé de {names.get(holder.host, holder.host)}",
            )
        return None

    gone = [s for s in previous.sessions if not s.locked and slot(s) not in now]
    causes = {id(s): direct(s) for s in gone}
    broken_series: dict[str, Session] = {}
    for s in sorted(gone, key=lambda s: (s.date, s.start)):
        if causes[id(s)]:
            broken_series.setdefault(s.series, s)
    kept, locked_moved = 0, 0
    changes: list[Change] = []
    gain = None
    for s in sorted(previous.sessions, key=lambda s: (s.date, s.start, s.resource)):
        if s.locked:
            locked_moved += slot(s) not in now
            continue
        if slot(s) in now:
            kept += 1
            continue
        after = after_of.get(id(s))
        if causes[id(s)]:
            kind, reason = causes[id(s)]
            changes.append(Change(s, after, kind, reason))
        elif s.series in broken_series:
            cause = broken_series[s.series]
            kind, reason = causes[id(cause)]
            why = f"qui {reason}" if kind == "forced" else f"dont la {reason.removeprefix('sa ')}"
            changes.append(
                Change(s, after, "series", f"son parcours perdait sa séance du {cause.date:%d/%m/%Y}, {why}")
            )
        else:
            if gain is None:
                gain = _values(previous, new, problem, broken_series, objective_value)
            value, if_kept = gain
            if value > if_kept + 1e-9:
                text = (
                    f"le nouveau plan vaut plus : {french_decimal(value, 1)} au lieu de "
                    f"{french_decimal(if_kept, 1)} en gardant tout ce qui pouvait l'être"
                )
            else:
                text = "déplacée par le calcul, sans gain démontré (plan non prouvé optimal)"
            changes.append(Change(s, after, "gain", text))
    added = tuple(m for m in diff.added)
    value, if_kept = gain or _values(previous, new, problem, broken_series, objective_value)
    return ReplanReport(kept, tuple(changes), added, locked_moved, value, if_kept)


def _values(
    previous: Plan, new: Plan, problem: PlanningProblem, broken: dict, objective_value
) -> tuple[float, float]:
    keep = replace(
        previous,
        series=tuple(x for x in previous.series if x.id not in broken),
        sessions=tuple(s for s in previous.sessions if s.series not in broken),
    )
    return objective_value(new, problem), objective_value(keep, problem)
