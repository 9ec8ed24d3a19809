"""The optimiser end to end on the tiny drawing of ``tests/tiny_season.py`` (hand-checked optima).

Need weights ``w = U/(U+24)``: A 40/64 = 0.625, B 12/36, C 12/36, D 30/54 ≈ 0.556, E 4/28.
Two series at most (one window, morning + afternoon), 12 seats each.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, time

import pytest
from tiny_season import TUESDAYS, A, B, C, D, E, assert_plan_rules, bus, problem

from planner.errors import InfeasibleError
from planner.model import HostRequest, Rules, Session
from planner.optimise.objective import objective_value
from planner.optimise.solve import gap_of, solve, solve_greedy
from planner.problem import ProgressEvent, SolveParams
from planner.rules.check import check_plan

PARAMS = SolveParams(time_limit_s=20, gap=0.0, workers=1, seed=1)


def _hosts(plan) -> list[str]:
    return sorted(s.host for s in plan.series)


def test_optimum_without_travel_cost_serves_a_and_d():
    """A (12 × 0.625 = 7.5) and D (12 × 0.556 = 6.67) beat a 2nd group of A (3.75) or B (4)."""
    prob = problem()
    plan = solve(prob, PARAMS)
    assert plan.metrics.status == "OPTIMAL"
    assert _hosts(plan) == [A, D]
    assert {s.host: dict(s.from_communes) for s in plan.series} == {A: {A: 12}, D: {D: 12}}
    assert plan.metrics.objective == pytest.approx(12 * 40 / 64 + 12 * 30 / 54)
    assert plan.metrics.gap < 1e-3  # integer rounding of the coefficients only
    assert_plan_rules(plan, prob)
    assert check_plan(plan, prob) == []


def test_travel_cost_moves_the_second_series_home():
    """With 0.02 per km, D costs 5 × 120 km × 0.02 = 12 > 6.67; the 2nd group of A (3.75)
    then beats B at 10 min (4 − 5 × 20 km × 0.02 = 2)."""
    prob = problem(rules=Rules(travel_weight=0.02))
    plan = solve(prob, PARAMS)
    assert _hosts(plan) == [A, A]
    assert plan.metrics.objective == pytest.approx(12 * 0.625 + 12 * 0.625 * 0.5)
    assert_plan_rules(plan, prob)
    assert check_plan(plan, prob) == []


def test_sessions_are_the_five_tuesdays_in_two_slots():
    plan = solve(problem(), PARAMS)
    assert sorted({s.date for s in plan.sessions}) == list(TUESDAYS)
    starts = {(s.host, s.start) for s in plan.sessions}
    # D (60 min away) in the morning 10:00, A in the afternoon 14:30 — or A 09:00 and D 13:30
    assert starts in ({(D, time(10, 0)), (A, time(14, 30))}, {(A, time(9, 0)), (D, time(13, 30))})
    (route,) = {(r.stops, round(r.km)) for r in plan.routes if r.date == TUESDAYS[0]}
    assert route[1] == 120 and route[0][0] == A and route[0][-1] == A


def test_threshold_and_catchment_keep_e_out_and_explain_it():
    plan = solve(problem(), PARAMS)
    assert E not in {c for s in plan.series for c in s.from_communes}
    (e,) = [u for u in plan.unserved if u.code_insee == E]
    assert e.reason.startswith("seuil de 6 participants non atteint : 4 attendus")


def test_people_never_counted_twice_nor_above_unmet_need():
    prob = problem(unmet={A: 14.0}, resources=(bus(weekdays=(1,)),))
    plan = solve(prob, PARAMS)
    taken = {}
    for s in plan.series:
        for code, n in s.from_communes.items():
            taken[code] = taken.get(code, 0) + n
    assert taken.get(A, 0) <= 14
    assert_plan_rules(plan, prob)


def test_bus_never_at_a_host_without_power():
    prob = problem(requests=(HostRequest(D, has_power=False),))
    plan = solve(prob, PARAMS)
    assert D not in _hosts(plan)
    assert_plan_rules(plan, prob)
    assert check_plan(plan, prob) == []


def test_locked_session_is_kept_unchanged():
    lk = Session("L-B", 1, "bus", B, TUESDAYS[0], time(9, 10), time(12, 10), locked=True)
    prob = problem(locked=(lk,))
    plan = solve(prob, PARAMS)
    assert lk in plan.sessions
    locked_series = [s for s in plan.sessions if s.series == "L-B"]
    assert len(locked_series) == 5 and all(s.host == B for s in locked_series)
    assert_plan_rules(plan, prob)
    assert check_plan(plan, prob) == []


def test_every_session_has_its_own_identity_and_a_locked_one_keeps_its_own():
    lk = Session(
        "L-B", 1, "bus", B, TUESDAYS[0], time(9, 10), time(12, 10), locked=True, uid="announced-1", sequence=3
    )
    plan = solve(problem(locked=(lk,)), PARAMS)
    uids = [s.uid for s in plan.sessions]
    assert all(uids) and len(set(uids)) == len(uids)
    kept = next(s for s in plan.sessions if s == lk)
    assert (kept.uid, kept.sequence) == ("announced-1", 3)


def test_locked_sessions_at_different_times_keep_their_own_times():
    """Session 1 locked in the morning, session 3 moved to the afternoon and locked.

    It used to break: every session took session 1's times, so session 3 moved back to the
    morning (check_plan's locked_unchanged failed and the post-check raised)."""
    morning = Session("L-B", 1, "bus", B, TUESDAYS[0], time(9, 15), time(12, 15), locked=True)
    afternoon = Session("L-B", 3, "bus", B, TUESDAYS[2], time(14, 15), time(17, 15), locked=True)
    prob = problem(locked=(morning, afternoon))
    plan = solve(prob, PARAMS)
    assert morning in plan.sessions and afternoon in plan.sessions
    series = sorted((s for s in plan.sessions if s.series == "L-B"), key=lambda s: s.index)
    assert [s.date for s in series] == list(TUESDAYS)
    # the completed sessions take the first locked session's times
    assert [s.start for s in series] == [time(9, 15), time(9, 15), time(14, 15), time(9, 15), time(9, 15)]
    # session 3 does not start like session 1, but it was announced so: no rule is broken
    assert check_plan(plan, prob) == []
    assert_plan_rules(plan, prob)
    # morning taken on the 1st Tuesday, afternoon on the 3rd: no other series fits the window
    assert {s.series for s in plan.sessions} == {"L-B"}


def test_only_announced_sessions_may_keep_another_start_time():
    morning = Session("L-B", 1, "bus", B, TUESDAYS[0], time(9, 15), time(12, 15), locked=True)
    afternoon = Session("L-B", 3, "bus", B, TUESDAYS[2], time(14, 15), time(17, 15), locked=True)
    prob = problem(locked=(morning, afternoon))
    plan = solve(prob, PARAMS)
    # moving an unlocked session of that series to the afternoon is still a violation
    moved = tuple(
        replace(s, start=time(14, 15), end=time(17, 15)) if (s.series, s.index) == ("L-B", 4) else s
        for s in plan.sessions
    )
    (v,) = check_plan(replace(plan, sessions=moved), prob)
    assert (v.rule, v.series, v.session_index) == ("series_shape", "L-B", 4)
    # ...and a series without such locks keeps the whole rule
    one = problem(locked=(morning,))
    plain = solve(one, PARAMS)
    bad = tuple(
        replace(s, start=time(9, 30), end=time(12, 30)) if (s.series, s.index) == ("L-B", 2) else s
        for s in plain.sessions
    )
    assert any(v.rule == "series_shape" for v in check_plan(replace(plain, sessions=bad), one))


def test_locked_sessions_that_cannot_hold_raise_a_french_error():
    wednesday = Session("L-X", 1, "bus", B, date(2027, 1, 6), time(9, 10), time(12, 10), locked=True)
    with pytest.raises(InfeasibleError, match="jour non travaillé par bus"):
        solve(problem(locked=(wednesday,)), PARAMS)
    outside = Session("L-Y", 1, "bus", B, date(2026, 12, 29), time(9, 10), time(12, 10), locked=True)
    with pytest.raises(InfeasibleError, match="hors saison"):
        solve(problem(locked=(outside,)), PARAMS)
    unknown = Session("L-Z", 1, "van", B, TUESDAYS[0], time(9, 10), time(12, 10), locked=True)
    with pytest.raises(InfeasibleError, match="moyen inconnu « van »"):
        solve(problem(locked=(unknown,)), PARAMS)
    # session 1 on the last Tuesday: no room for sessions 2…5 in the season
    late = Session("L-W", 1, "bus", B, TUESDAYS[-1], time(9, 10), time(12, 10), locked=True)
    with pytest.raises(InfeasibleError, match="ne peut pas être complété à 5 séances"):
        solve(problem(locked=(late,)), PARAMS)


def test_locked_last_session_is_completed_backwards_at_its_index():
    last = Session("L-W", 5, "bus", B, TUESDAYS[-1], time(9, 10), time(12, 10), locked=True)
    prob = problem(locked=(last,))
    plan = solve(prob, PARAMS)
    series = sorted((s for s in plan.sessions if s.series == "L-W"), key=lambda s: s.index)
    assert [s.date for s in series] == list(TUESDAYS)
    assert [s.locked for s in series] == [False, False, False, False, True]
    assert check_plan(plan, prob) == []


def test_stop_before_solving_returns_promptly_with_stopped_status():
    stop = threading.Event()
    stop.set()
    plan = solve(problem(), PARAMS, stop=stop)
    assert plan.metrics.status == "STOPPED"
    assert plan.series == ()
    assert plan.metrics.gap == gap_of(plan.metrics.objective, plan.metrics.bound)


def test_progress_reports_monotone_objective_and_bound():
    events: list[ProgressEvent] = []
    solve(problem(rules=Rules(travel_weight=0.02)), PARAMS, on_progress=events.append)
    assert events
    objs = [e.objective for e in events]
    bounds = [e.bound for e in events]
    assert objs == sorted(objs)
    assert bounds == sorted(bounds, reverse=True)
    assert all(e.bound >= e.objective for e in events)


def test_gap_formula():
    assert gap_of(90.0, 100.0) == pytest.approx(0.1)
    assert gap_of(5.0, 0.0) == 0.0
    plan = solve(problem(), PARAMS)
    m = plan.metrics
    assert m.gap == pytest.approx((m.bound - m.objective) / m.bound)


def test_reported_objective_is_the_shared_objective_function():
    prob = problem(rules=Rules(travel_weight=0.01))
    plan = solve(prob, PARAMS)
    assert plan.metrics.objective == pytest.approx(objective_value(plan, prob))


def test_optimised_is_at_least_as_good_as_greedy():
    prob = problem(rules=Rules(travel_weight=0.01))
    assert solve(prob, PARAMS).metrics.objective >= solve_greedy(prob).metrics.objective - 1e-6


def test_two_resources_share_the_work():
    team = bus(id="team", kind="team", seats=8, needs_power=False)
    prob = problem(resources=(bus(), team))
    plan = solve(prob, PARAMS)
    assert {s.resource for s in plan.series} == {"bus", "team"}
    assert len(plan.series) == 4
    assert_plan_rules(plan, prob)
    assert check_plan(plan, prob) == []


def test_unserved_commune_gets_a_slot_reason_when_days_are_full():
    plan = solve(problem(), PARAMS)
    reasons = {u.code_insee: u for u in plan.unserved}
    assert C in reasons
    assert "plus de créneau libre le mardi" in reasons[C].reason
    assert "ajouter un jour" in reasons[C].what_would_help


def test_refused_request_is_listed_with_its_id():
    prob = problem(requests=(HostRequest(E, id="req-e"),))
    plan = solve(prob, PARAMS)
    (refused,) = [u for u in plan.unserved if u.request_id == "req-e"]
    assert refused.reason.startswith("demande refusée : seuil")


def test_solve_is_repeatable():
    prob = problem(rules=Rules(travel_weight=0.01))
    a, b = solve(prob, PARAMS), solve(prob, PARAMS)
    assert [replace(s) for s in a.sessions] == [replace(s) for s in b.sessions]


def test_decompose_groups_resources_and_gives_each_commune_to_its_nearest_base():
    from planner.optimise.solve import decompose

    prob = problem(resources=(bus(), bus(id="bus-d", base=D)))
    (whole,) = decompose(prob)  # 5 communes: small territories are never split
    assert whole is prob
    parts = decompose(prob, above=3)
    assert [sorted(p.territory.codes) for p in parts] == [sorted([A, B, C, E]), [D]]
    assert [[r.id for r in p.resources] for p in parts] == [["bus"], ["bus-d"]]


def test_decomposed_solve_keeps_every_rule_and_sums_the_bounds(monkeypatch):
    """Split in two, each group proven optimal: the groups' bounds add up to ``restricted_bound``,
    but the split loses value (people cannot cross it), so the plan is not « optimal » for the
    problem asked and ``bound`` (LP of the whole problem) stays above the whole optimum."""
    import planner.optimise.solve as solve_mod

    whole = solve(problem(resources=(bus(), bus(id="bus-d", base=D))), PARAMS)
    monkeypatch.setattr(solve_mod, "DECOMPOSE_ABOVE", 3)
    prob = problem(resources=(bus(), bus(id="bus-d", base=D)))
    events: list[ProgressEvent] = []
    plan = solve(prob, PARAMS, on_progress=events.append)
    assert [e.objective for e in events] == sorted(e.objective for e in events)
    assert [e.bound for e in events] == sorted((e.bound for e in events), reverse=True)
    assert all(e.bound >= whole.metrics.objective - 1e-9 for e in events)  # bounds of the problem asked
    assert events[-1].objective == pytest.approx(plan.metrics.objective, abs=0.01)  # model rounding
    assert {s.resource for s in plan.series} == {"bus", "bus-d"}
    assert all(s.host == D for s in plan.series if s.resource == "bus-d")
    m = plan.metrics
    assert m.restricted_bound == pytest.approx(m.objective, abs=0.01)  # both groups proven (rounding)
    assert m.objective < whole.metrics.objective <= m.bound
    assert m.status == "FEASIBLE"
    assert_plan_rules(plan, prob)
    assert check_plan(plan, prob) == []


def test_season_too_short_for_a_series_is_explained_in_french():
    from planner.model import Season

    short = Season(date(2027, 1, 5), date(2027, 1, 26))  # four Tuesdays, five sessions needed
    with pytest.raises(InfeasibleError, match="aucun parcours de 5 séances ne tient dans la saison"):
        solve(problem(season=short), PARAMS)
    plan = solve(problem(season=short, rules=Rules(sessions_per_series=4, travel_weight=0.0)), PARAMS)
    assert len(plan.series) == 2


def test_nobody_reaching_the_threshold_is_infeasible_not_an_empty_optimal_plan():
    """It used to return an empty plan labelled « optimal prouvé ». D alone (3 people) is the
    largest crowd: the threshold lowered to 3 plans there."""
    unmet = {A: 2.0, B: 1.0, C: 1.0, D: 3.0, E: 2.0}
    for run in (lambda p: solve(p, PARAMS), solve_greedy):
        with pytest.raises(
            InfeasibleError, match=r"au plus 3 personnes .* \(à Commune D\).* seuil .* à 3 au plus"
        ):
            run(problem(unmet=unmet))
    plan = solve(problem(unmet=unmet, rules=Rules(min_participants=3)), PARAMS)
    assert D in {s.host for s in plan.series}


def test_stop_during_search_returns_the_best_plan_so_far():
    """Vierzon (real data): the first solution is the greedy hint; stopping there keeps it, valid."""
    from planner.inputs.tables import default_resources
    from planner.problem import PlanningProblem
    from planner.rules.calendar import build_season
    from planner.territory.need import NeedWeights, compute_need
    from planner.territory.specs import load_territory
    from planner.territory.travel import territory_matrix

    t = load_territory("vierzon")
    m = territory_matrix(t)
    prob = PlanningProblem(
        t,
        compute_need(t, NeedWeights(), m),
        m,
        default_resources(t),
        build_season(date(2027, 1, 4), date(2027, 3, 26)),
    )
    stop = threading.Event()
    events: list[ProgressEvent] = []

    def on_progress(ev: ProgressEvent) -> None:
        events.append(ev)
        stop.set()

    plan = solve(prob, PARAMS, on_progress=on_progress, stop=stop)
    assert plan.metrics.status == "STOPPED"
    assert plan.series and len(events) == 1
    assert plan.metrics.objective == pytest.approx(solve_greedy(prob).metrics.objective)
    assert check_plan(plan, prob) == []


@pytest.mark.parametrize("options", [{"stop_after_presolve": True}, {"max_deterministic_time": 0.0}])
def test_no_cp_sat_solution_in_time_keeps_the_greedy_plan_with_an_honest_bound(options, caplog):
    """CP-SAT stopped before any solution (deterministically: no search at all) → greedy plan.

    CP-SAT then answers 0 as its "best bound"; taking it would report a gap of 0 on a plan
    nobody proved optimal. The bound must stay a true upper bound: at least the real optimum.
    """
    prob = problem()
    optimum = solve(prob, PARAMS)
    assert optimum.metrics.status == "OPTIMAL"
    with caplog.at_level("WARNING", logger="planner.optimise.solve"):
        plan = solve(prob, PARAMS, solver_options=options)
    assert "greedy plan kept" in caplog.text
    greedy = solve_greedy(prob)
    assert plan.kind == "optimised" and plan.metrics.status == "FEASIBLE"
    assert [(s.host, s.date, s.start) for s in plan.sessions] == [
        (s.host, s.date, s.start) for s in greedy.sessions
    ]
    assert plan.metrics.objective == pytest.approx(greedy.metrics.objective)
    assert check_plan(plan, prob) == []
    assert_plan_rules(plan, prob)
    m = plan.metrics
    assert m.bound >= optimum.metrics.objective - 1e-9  # a real upper bound, not CP-SAT's 0
    assert m.bound == pytest.approx(greedy.metrics.bound)  # the trivial bound: nothing was proven
    assert m.gap == pytest.approx(gap_of(m.objective, m.bound)) and m.gap > 0


# --------------------------------------------------------------------------------------------
# Review (second wave): locked sessions in re-plans
# --------------------------------------------------------------------------------------------


def test_locking_the_first_week_of_both_series_then_replanning_keeps_both():
    """Two locked series share the bus's Tuesdays (morning and afternoon).

    It used to raise "ne peut pas être complété": completing the first locked series took
    whole resource days, so the second one found no Tuesday left for its sessions 2…5.
    """
    prob = problem()
    plan = solve(prob, PARAMS)
    firsts = tuple(replace(s, locked=True) for s in plan.sessions if s.index == 1)
    assert len(firsts) == 2 and firsts[0].date == firsts[1].date
    again = replace(prob, locked=firsts)
    plan2 = solve(again, PARAMS)
    assert {s.series for s in plan2.sessions} == {s.series for s in firsts}
    for lk in firsts:
        assert lk in plan2.sessions
    assert check_plan(plan2, again) == []
    assert_plan_rules(plan2, again)


def test_locked_series_where_too_few_people_remain_is_kept_below_the_threshold():
    """E has 4 people (threshold 6), A none at all: their announced series go on.

    It used to end in the post-check's AssertionError (an English traceback on the CLI).
    """
    at_e = Session("L-E", 1, "bus", E, TUESDAYS[0], time(10, 0), time(13, 0), locked=True)
    prob = problem(locked=(at_e,))
    for plan in (solve(prob, PARAMS), solve_greedy(prob)):
        (series,) = [se for se in plan.series if se.id == "L-E"]
        assert series.participants == 4 and dict(series.from_communes) == {E: 4}
        assert check_plan(plan, prob) == []
    at_a = Session("L-A", 1, "bus", A, TUESDAYS[0], time(9, 0), time(12, 0), locked=True)
    prob = problem(unmet={A: 0.0, B: 0.0}, locked=(at_a,))
    plan = solve(prob, PARAMS)
    assert [se.participants for se in plan.series if se.id == "L-A"] == [0]
    assert check_plan(plan, prob) == []


_LOCK = Session("L-A", 1, "bus", A, TUESDAYS[0], time(9, 15), time(12, 15), locked=True)


@pytest.mark.parametrize(
    ("changes", "locked", "words"),
    [
        ({"requests": (HostRequest(A, has_power=False),)}, (_LOCK,), "prise électrique"),
        ({"requests": (HostRequest(A, weekdays=(3,)),)}, (_LOCK,), "n'accueille pas le mardi"),
        (
            {"requests": (HostRequest(A, blackout_dates=frozenset({TUESDAYS[0]})),)},
            (_LOCK,),
            "n'est pas disponible",
        ),
        ({"requests": (HostRequest(D),), "requests_only": True}, (_LOCK,), "sans demande d'accueil"),
        ({}, (replace(_LOCK, start=time(8, 0), end=time(11, 0)),), "dépasse la journée de bus"),
        ({}, (replace(_LOCK, end=time(11, 0)),), "dure 105 min au lieu de 180 min"),
        ({}, (replace(_LOCK, host=D),), "n'arrive pas avant 10 h 00"),
        ({}, (replace(_LOCK, host="36044"),), "36044, hors du territoire"),
        ({}, (_LOCK, replace(_LOCK, series="L-B", host=B)), "chevauche"),
    ],
)
def test_locked_sessions_breaking_a_rule_on_their_own_raise_a_french_error(changes, locked, words):
    """Locked sessions the plan cannot keep as they are (power, request days, blackout, hours,
    length, drive from the base, territory, overlap) are refused in French before solving.

    They used to reach the post-check (AssertionError, English traceback on the CLI), or a
    KeyError for a host outside the territory.
    """
    prob = problem(locked=locked, **changes)
    for run in (lambda p: solve(p, PARAMS), solve_greedy):
        with pytest.raises(InfeasibleError, match=words):
            run(prob)
