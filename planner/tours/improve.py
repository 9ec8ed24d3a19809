"""« Améliorer ma tournée » : the best single changes of a current tour, each with its true gain.

A *stop* is what a coordinator calls one: the series of one vehicle at one commune on one weekday
and time (« Genouilly, 1er mardi du mois, 9 h–12 h »). A change moves every session of a stop to
another commune, same days and hours (:func:`move_stop`): its series count again who would come
there (:func:`planner.territory.catchment.recount`, the others keep their people) and the whole
changed tour is scored again (:func:`planner.tours.score.rescore`: the optimiser's objective,
figures and rules). So each stated gain is the difference between two scored plans: adopting the
change gives exactly the tour whose figures were announced.

:func:`propose` tries every commune for every stop the coordinator did not lock (announced stops
stay), ranks the changes by the objective alone (cheap), and scores in full the best ones, keeping
those that break no rule more than the tour already does (per rule, never more violations): one
change per stop and per commune, best first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from planner.french import WEEKDAY_NAMES_FR, french_decimal
from planner.model import Series, Session
from planner.optimise.objective import objective_value
from planner.tours.build import count_people
from planner.tours.score import ScoredTour, rescore

#: Gains smaller than this (objective units) are noise, not proposals.
MIN_GAIN = 1e-6


@dataclass(frozen=True)
class Stop:
    """One stop of the tour: its series, where, who, when."""

    key: tuple[str, str, int, str, str]
    series: tuple[str, ...]
    host: str
    resource: str
    sessions: int
    locked: bool
    label: str


@dataclass(frozen=True)
class Change:
    """Moving one stop to another commune, with what it changes (measured on the scored tours).

    ``gain`` is the change of the optimiser's objective; ``people`` of the participants;
    ``km`` of the season's kilometres (routes); ``km_per_visit`` = ``km`` / passages;
    ``fixed`` and ``broken`` the violations the change removes and adds. ``result`` is the
    changed tour, scored.
    """

    stop: Stop
    new_host: str
    gain: float
    people: int
    km: float
    km_per_visit: float
    fixed: int
    broken: int
    text: str
    result: ScoredTour


def _name(scored: ScoredTour, code: str) -> str:
    try:
        return scored.problem.territory.commune(code).name
    except KeyError:
        return code


def _rule_label(scored: ScoredTour, start, dates: set) -> str:
    """The rhythm the tour file gave these dates, if one line holds them all."""
    for line in scored.tour.lines:
        if line.rule and line.start == start and dates <= set(line.dates):
            return line.rule
    return ""


def stops(scored: ScoredTour) -> list[Stop]:
    """The stops of a scored tour, in the order of their first session."""
    by_series: dict[str, list[Session]] = {}
    for s in scored.plan.sessions:
        by_series.setdefault(s.series, []).append(s)
    groups: dict[tuple, list[str]] = {}
    first: dict[tuple, Session] = {}
    for x in scored.plan.series:
        own = sorted(by_series.get(x.id, []), key=lambda s: s.date)
        if not own:
            continue
        s0 = own[0]
        key = (x.resource, x.host, s0.date.weekday(), f"{s0.start:%H:%M}", f"{s0.end:%H:%M}")
        groups.setdefault(key, []).append(x.id)
        if key not in first or s0.date < first[key].date:
            first[key] = s0
    out = []
    for key, ids in sorted(groups.items(), key=lambda kv: (first[kv[0]].date, first[kv[0]].start)):
        own = [s for sid in ids for s in by_series[sid]]
        s0 = first[key]
        rule = _rule_label(scored, s0.start, {s.date for s in own})
        when = rule or f"le {WEEKDAY_NAMES_FR[key[2]]}"
        hours = f"{s0.start.hour} h{s0.start.minute or ''}–{s0.end.hour} h{s0.end.minute or ''}".replace(
            "h0", "h"
        )
        label = f"{_name(scored, key[1])}, {when}, {hours}"
        out.append(Stop(key, tuple(ids), key[1], key[0], len(own), any(s.locked for s in own), label))
    return out


def _moved(scored: ScoredTour, stop: Stop, host: str) -> tuple[tuple[Series, ...], tuple[Session, ...]]:
    """Series and sessions of the tour with ``stop`` held at ``host`` (its series counted again,
    :func:`planner.tours.build.count_people`; the others keep their people)."""
    problem = scored.problem
    resource = next(r for r in problem.resources if r.id == stop.resource)
    moving = set(stop.series)
    sessions = tuple(replace(s, host=host) if s.series in moving else s for s in scored.plan.sessions)
    series = list(scored.plan.series)
    for i, x in enumerate(series):
        if x.id not in moving:
            continue
        chain = sorted((s for s in sessions if s.series == x.id), key=lambda s: s.date)
        take, minutes = count_people(problem, chain, resource, [y for j, y in enumerate(series) if j != i])
        series[i] = replace(
            x, host=host, participants=sum(take.values()), from_communes=take, from_minutes=minutes
        )
    return tuple(series), sessions


def move_stop(scored: ScoredTour, stop: Stop, host: str) -> ScoredTour:
    """The tour with every session of ``stop`` held at ``host``, scored and checked again."""
    series, sessions = _moved(scored, stop, host)
    return rescore(scored, series, sessions)


def _quick_value(scored: ScoredTour, stop: Stop, host: str) -> float:
    """The objective of the changed tour, without routes, figures nor checks (to rank tries)."""
    series, sessions = _moved(scored, stop, host)
    return objective_value(replace(scored.plan, series=series, sessions=sessions), scored.problem)


def _signed(x: float, decimals: int = 0) -> str:
    text = french_decimal(abs(x), decimals)
    if text.strip("0,") == "":
        return text
    return ("+" if x > 0 else "−") + text


def _coverage_words(scored: ScoredTour, code: str) -> str:
    c = scored.problem.needs[code].coverage
    if c <= 0.005:
        return "une commune sans lieu fixe"
    return f"une commune couverte à {french_decimal(100 * c, 0)} % par les lieux fixes"


def describe(scored: ScoredTour, stop: Stop, host: str, result: ScoredTour) -> tuple[str, dict]:
    """The change in plain French and its figures (all measured on the two scored tours)."""
    before, after = scored.plan.metrics, result.plan.metrics
    people = after.participants - before.participants
    km = after.km - before.km
    per_visit = km / stop.sessions if stop.sessions else 0.0
    fixed, broken = _violation_change(scored, result)
    served = f"{_signed(people)} personnes servies" if people else "autant de personnes servies"
    parts = [f"{served}, dans {_coverage_words(result, host)}"]
    old_cover = scored.problem.needs[stop.host].coverage
    if old_cover > 0.005:
        parts[0] += f" (au lieu de {french_decimal(100 * old_cover, 0)} %)"
    else:
        parts[0] += f" ({_name(scored, stop.host)} n'en a pas non plus)"
    parts.append(f"{_signed(per_visit)} km par passage")
    if fixed:
        parts.append(f"{fixed} règle(s) enfreinte(s) en moins")
    gain = after.objective - before.objective
    text = (
        f"remplacer {_name(scored, stop.host)} par {_name(scored, host)} ({stop.label.split(', ', 1)[1]}) : "
        + ", ".join(parts)
        + f" — valeur de la tournée {_signed(gain, 2)}"
    )
    figures = {
        "gain": gain,
        "people": people,
        "km": km,
        "km_per_visit": per_visit,
        "fixed": fixed,
        "broken": broken,
    }
    return text, figures


def _violation_change(before: ScoredTour, after: ScoredTour) -> tuple[int, int]:
    """Violations removed and added, counted per rule."""
    a = Counter(v.rule for v in before.violations)
    b = Counter(v.rule for v in after.violations)
    return sum((a - b).values()), sum((b - a).values())


def _no_worse(before: ScoredTour, after: ScoredTour) -> bool:
    a = Counter(v.rule for v in before.violations)
    b = Counter(v.rule for v in after.violations)
    return all(b[r] <= a[r] for r in b)


def _change(scored: ScoredTour, stop: Stop, host: str) -> Change | None:
    """The change scored in full, or ``None`` when it gains nothing or breaks a rule more."""
    result = move_stop(scored, stop, host)
    if result.objective - scored.objective <= MIN_GAIN or not _no_worse(scored, result):
        return None
    text, f = describe(scored, stop, host, result)
    return Change(
        stop, host, f["gain"], f["people"], f["km"], f["km_per_visit"], f["fixed"], f["broken"], text, result
    )


def propose(scored: ScoredTour, *, locked: Iterable[tuple] = (), limit: int = 10) -> list[Change]:
    """The best single changes of the stops neither locked in the tour nor in ``locked`` (stop
    keys), best gain first, at most ``limit``.

    One change per stop and each commune proposed once (to the stop it helps most), so that the
    list offers different ways forward; each gain is measured against the current tour, on its
    own. Every move is ranked by its objective (cheap: no routes nor checks, and the same value
    the full scoring gives), then the best are scored in full and checked.
    """
    keep = set(map(tuple, locked))
    base = scored.objective
    ranked = []
    for stop in stops(scored):
        if stop.locked or stop.key in keep:
            continue
        for code in scored.problem.territory.codes:
            if code != stop.host:
                gain = _quick_value(scored, stop, code) - base
                if gain > MIN_GAIN:
                    ranked.append((-gain, stop.key, code, stop))
    ranked.sort(key=lambda t: t[:3])
    found: list[Change] = []
    stops_used: set[tuple] = set()
    hosts_used: set[str] = set()
    for _, key, code, stop in ranked:
        if len(found) >= limit:
            break
        if key in stops_used or code in hosts_used:
            continue
        change = _change(scored, stop, code)
        if change is not None:
            found.append(change)
            stops_used.add(key)
            hosts_used.add(code)
    return found


def adopt(scored: ScoredTour, change: Change) -> ScoredTour:
    """The tour once ``change`` is adopted (the changed tour it was measured on)."""
    return change.result


def improved(
    scored: ScoredTour, steps: int, *, locked: Iterable[tuple] = ()
) -> tuple[ScoredTour, list[Change]]:
    """Adopt the best change ``steps`` times, proposing again after each; returns the tour and
    the changes adopted, in order (fewer when no change gains any more)."""
    done = []
    for _ in range(steps):
        changes = propose(scored, locked=locked, limit=1)
        if not changes:
            break
        done.append(changes[0])
        scored = adopt(scored, changes[0])
    return scored, done
