"""Funder figures: Gini and Lorenz written as formulas, white zones and nearness on tiny grids."""

from __future__ import annotations

import itertools
import math
from datetime import date, time

import pytest

from planner.french import french_decimal
from planner.model import (
    Commune,
    CommuneNeed,
    FixedSite,
    Plan,
    PlanMetrics,
    Resource,
    Route,
    Rules,
    Season,
    Series,
    Session,
    Territory,
)
from planner.publish.report import (
    DEFINITIONS,
    CostRates,
    ReportContext,
    epci_frame,
    figures_frame,
    gini,
    key_figures,
    lorenz_points,
    minutes_to_places,
    need_near_places,
    plan_figures,
    served_by_commune,
    white_zones,
)
from tests.builders import line_matrix

# ------------------------------------------------------------------ Gini and Lorenz


def test_gini_of_service_proportional_to_need_is_zero():
    need = [10, 20, 30, 40]
    assert gini([n * 0.3 for n in need], need) == pytest.approx(0.0, abs=1e-12)


def test_gini_of_equal_service_for_equal_need_is_zero():
    assert gini([5] * 7, [12] * 7) == pytest.approx(0.0, abs=1e-12)


def test_gini_all_to_one_is_one_minus_one_over_n():
    n = 100
    service = [0] * (n - 1) + [50]
    # Lorenz: x_k = k/n, y_k = 0 for k < n, y_n = 1 → G = 1 − (1/n)(0 + 1)
    assert gini(service, [1] * n) == pytest.approx(1 - 1 / n)
    assert gini(service, [1] * n) > 0.98


def test_gini_two_communes_by_formula():
    # Need 1 and 3, service 3 and 1: sorted by service/need → (1/3 in B, 3 in A).
    # x = 0, 3/4, 1 ; y = 0, 1/4, 1 → G = 1 − [3/4·1/4 + 1/4·(1/4 + 1)] = 1 − 1/2 = 1/2
    assert gini([3, 1], [1, 3]) == pytest.approx(0.5)


def test_gini_without_service_is_undefined():
    assert math.isnan(gini([0, 0, 0], [1, 2, 3]))


def test_lorenz_endpoints_and_monotone():
    pts = lorenz_points([0, 4, 1, 7], [3, 2, 5, 1])
    assert pts[0] == (0.0, 0.0)
    assert pts[-1] == pytest.approx((1.0, 1.0))
    xs, ys = zip(*pts, strict=True)
    assert all(b >= a for a, b in itertools.pairwise(xs))
    assert all(b >= a for a, b in itertools.pairwise(ys))
    # Convex: under the diagonal everywhere.
    assert all(y <= x + 1e-12 for x, y in pts)


def test_lorenz_ignores_communes_without_need():
    assert lorenz_points([5, 9], [10, 0]) == [(0.0, 0.0), (1.0, 1.0)]


# ------------------------------------------------------------------ a tiny grid
#
#   A(site) --10-- B --10-- C --10-- D --10-- E       (drive minutes between neighbours)
#
# Fixed site at A. Before any plan: A (0), B (10), C (20) within 20 min; D (30), E (40) are
# white zones. A host at D: D (0), C (10), E (10) → no white zone left.

CODES = ("18001", "18002", "18003", "18004", "18005")


def _grid(with_site: bool = True) -> ReportContext:
    communes = tuple(
        Commune(c, f"C{i}", 100 * (i + 1), 47.0, 2.0 + 0.1 * i, epci_name="Ouest" if i < 2 else "Est")
        for i, c in enumerate(CODES)
    )
    sites = (FixedSite("s", "EPN", "EPN", "18001", 47.0, 2.0),) if with_site else ()
    needs = {
        c: CommuneNeed(c, need=10.0 * (i + 1), coverage=0.0, unmet_need=10.0 * (i + 1))
        for i, c in enumerate(CODES)
    }
    return ReportContext(Territory("grid", "Grille", communes, sites), needs, line_matrix(CODES, 10.0))


def test_white_zones_before_any_plan():
    assert white_zones(_grid()) == ("18004", "18005")


def test_exactly_twenty_minutes_is_not_a_white_zone():
    assert "18003" not in white_zones(_grid(), max_minutes=20.0)
    assert "18003" in white_zones(_grid(), max_minutes=19.9)


def test_a_host_removes_white_zones_around_it():
    assert white_zones(_grid(), hosts=("18004",)) == ()


def test_without_any_place_every_commune_is_white():
    ctx = _grid(with_site=False)
    assert white_zones(ctx) == CODES
    assert all(math.isinf(v) for v in minutes_to_places(ctx).values())


def test_need_near_counts_need_within_fifteen_minutes():
    ctx = _grid()
    # Before: A (10) and B (20) are within 15 min of the site.
    assert need_near_places(ctx) == pytest.approx(10 + 20)
    # A host at D adds C (30), D (40), E (50).
    assert need_near_places(ctx, ("18004",)) == pytest.approx(10 + 20 + 30 + 40 + 50)


# ------------------------------------------------------------------ plan figures

SEASON = Season(date(2026, 3, 1), date(2026, 6, 30))
BUS = Resource("bus", "bus", 12, "18001")


def _metrics() -> PlanMetrics:
    return PlanMetrics("OPTIMAL", 0, 0, 0, 0, 150, 150, 0, 0, 0, 0, 0)


def _plan(series_hosts: dict[str, int], k_sessions: dict[str, int], km: float = 50.0) -> Plan:
    series, sessions, routes = [], [], []
    for i, (host, people) in enumerate(series_hosts.items()):
        sid = f"S{i}"
        series.append(Series(sid, host, "bus", people, {host: people}))
        for j in range(k_sessions[host]):
            d = date(2026, 3, 3 + 7 * j)
            sessions.append(Session(sid, j + 1, "bus", host, d, time(9), time(12)))
            routes.append(Route("bus", d, ("18001", host, "18001"), km, km))
    return Plan(
        "grid", SEASON, Rules(), (BUS,), tuple(series), tuple(sessions), tuple(routes), (), _metrics()
    )


def test_served_by_commune_uses_origins_and_falls_back_to_host():
    plan = _plan({"18004": 8}, {"18004": 5})
    plan = Plan(
        plan.territory_spec,
        plan.season,
        plan.rules,
        plan.resources,
        (Series("S0", "18004", "bus", 8, {"18004": 5, "18003": 3}), Series("X", "18002", "bus", 7)),
        plan.sessions,
        plan.routes,
        (),
        plan.metrics,
    )
    assert served_by_commune(plan) == {"18004": 5, "18003": 3, "18002": 7}


def test_full_series_counts_only_series_with_all_sessions():
    f = plan_figures(_plan({"18004": 8, "18005": 6}, {"18004": 5, "18005": 2}), _grid())
    assert f.participants == 14
    assert f.participants_full_series == 8
    assert f.communes_full_series == 1
    assert f.communes_visited == 2
    assert f.sessions == 7


def test_unmet_share_caps_service_at_each_communes_need():
    # D has unmet need 40: 60 people count as 40; E has 50: 6 count as 6.
    f = plan_figures(_plan({"18004": 60, "18005": 6}, {"18004": 5, "18005": 5}), _grid())
    assert f.unmet_share == pytest.approx((40 + 6) / 150)


def test_cost_and_co2_follow_the_rates():
    rates = CostRates(eur_per_km=0.5, eur_per_hour=40.0, fuel_l_per_100km=10.0, co2_kg_per_litre=3.17)
    f = plan_figures(_plan({"18004": 10}, {"18004": 5}, km=30.0), _grid(), rates)
    km = 5 * 30.0
    hours = 5 * 30.0 / 60 + 5 * 3.0
    assert f.km == pytest.approx(km)
    assert f.staff_hours == pytest.approx(hours)
    assert f.cost_eur == pytest.approx(km * 0.5 + hours * 40.0)
    assert f.co2_kg == pytest.approx(km * 0.10 * 3.17)
    assert f.per_participant(f.cost_eur) == pytest.approx(f.cost_eur / 10)


def test_key_figures_have_definitions_and_compare_to_baseline():
    ctx = _grid()
    plan = _plan({"18004": 10}, {"18004": 5})
    baseline = _plan({"18002": 12, "18003": 12}, {"18002": 1, "18003": 1})
    figs = {f.key: f for f in key_figures(plan, ctx, baseline)}
    assert set(figs) == set(DEFINITIONS)
    assert all(f.definition and len(f.definition.splitlines()) == 1 for f in figs.values())
    assert figs["participants_full_series"].plan == 10
    assert figs["participants_full_series"].baseline == 0  # judged with the plan's 5 sessions
    assert figs["white_zones"].before == 2
    assert figs["white_zones"].plan == 0
    # One visit at B and C is no mediation place: the baseline leaves both white zones.
    assert figs["white_zones"].baseline == 2
    table = figures_frame(list(figs.values()))
    assert list(table.columns) == [
        "Indicateur",
        "Plan",
        "Saupoudrage",
        "Avant le plan",
        "Unité",
        "Définition",
    ]


def test_epci_frame_sums_people_by_epci():
    ctx = _grid()
    df = epci_frame(_plan({"18004": 10, "18002": 4}, {"18004": 5, "18002": 5}), ctx).set_index("EPCI")
    assert df.loc["Est", "Personnes accompagnées (plan)"] == 10
    assert df.loc["Ouest", "Personnes accompagnées (plan)"] == 4
    assert df.loc["Est", "Zones blanches (avant)"] == 2
    assert df.loc["Est", "Zones blanches (plan)"] == 0
    # Est: unmet need 30 + 40 + 50; D's 10 people are within its 40 → 10 / 120.
    assert df.loc["Est", "Part du besoin servie (plan, %)"] == pytest.approx(round(10 / 120 * 100, 1))


def test_french_numbers():
    assert french_decimal(12345.67, 1) == "12\u202f345,7"
    assert french_decimal(float("nan")) == "—"
    assert french_decimal(None) == "—"


def test_format_figure_units_and_singular():
    from planner.publish.report import Figure, format_figure

    communes = Figure("white_zones", "Zones blanches", "d", "communes", 0, 1.0)
    assert format_figure(communes, 1.0) == "1 commune"
    assert format_figure(communes, 3.0) == "3 communes"
    share = Figure("unmet_share", "Part", "d", "%", 1, 12.34)
    assert format_figure(share, 12.34) == "12,3 %"
    assert format_figure(share, float("nan")) == "—"


def test_cost_per_full_series_is_undefined_without_full_series():
    ctx = _grid()
    plan = _plan({"18004": 10}, {"18004": 5})
    baseline = _plan({"18002": 12}, {"18002": 1})
    figs = {f.key: f for f in key_figures(plan, ctx, baseline)}
    assert figs["cost_per_full_participant"].plan == pytest.approx(figs["cost_eur"].plan / 10)
    assert math.isnan(figs["cost_per_full_participant"].baseline)


def test_negative_rate_is_a_french_error():
    from planner.errors import InputError

    with pytest.raises(InputError, match="coût au km"):
        CostRates(eur_per_km=-1)
    assert CostRates(eur_per_km=0).co2_kg_per_km == pytest.approx(0.10 * 3.17)


def test_unmet_full_share_counts_only_full_series():
    # D holds a full series (5 sessions, 10 people); E one session with 6 people: touched, not trained.
    f = plan_figures(_plan({"18004": 10, "18005": 6}, {"18004": 5, "18005": 1}), _grid())
    assert f.unmet_share == pytest.approx((10 + 6) / 150)
    assert f.unmet_full_share == pytest.approx(10 / 150)


def test_unmet_full_share_of_one_off_visits_is_zero():
    f = plan_figures(_plan({"18002": 12, "18003": 12}, {"18002": 1, "18003": 1}), _grid())
    assert f.unmet_share > 0
    assert f.unmet_full_share == 0


def test_key_figures_lead_with_full_series_then_reach():
    from planner.publish.report import HEADLINE_KEYS, SAUPOUDRAGE_NOTE

    ctx = _grid()
    plan = _plan({"18004": 10}, {"18004": 5})
    baseline = _plan({"18002": 12, "18003": 12}, {"18002": 1, "18003": 1})
    keys = [f.key for f in key_figures(plan, ctx, baseline)]
    assert (
        tuple(keys[: len(HEADLINE_KEYS)]) == HEADLINE_KEYS == ("participants_full_series", "unmet_full_share")
    )
    assert keys.index("participants") > keys.index("unmet_full_share")
    figs = {f.key: f for f in key_figures(plan, ctx, baseline)}
    # The baseline reaches more people but trains nobody: the headline shows it.
    assert figs["participants"].baseline > figs["participants"].plan
    assert figs["unmet_full_share"].plan > 0 and figs["unmet_full_share"].baseline == 0
    assert "saupoudrage" in SAUPOUDRAGE_NOTE.lower() and len(SAUPOUDRAGE_NOTE.splitlines()) == 1
