"""Need model and enhanced 2SFCA coverage, checked on hand-made cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.errors import InputError
from planner.model import Commune, FixedSite, Territory
from planner.territory.need import (
    REF_SHARE_65P,
    WEIGHT_INFO,
    NeedWeights,
    compute_need,
    decay,
    e2sfca,
    need_rates,
    need_table,
    parse_weight,
    weight_names,
)
from planner.territory.specs import load_territory
from planner.territory.travel import TravelMatrix

#  A 3-commune grid on a line (drive minutes, drawn):
#
#     A ---10--- B ---20--- C        A–C = 30 min (beyond the 20-minute catchment)
#     ^ one fixed place in A
#
MINUTES = np.array([[0.0, 10.0, 30.0], [10.0, 0.0, 20.0], [30.0, 20.0, 0.0]])


def _commune(code: str, pop: int, lat: float = 47.0, lon: float = 2.0, **indicators: float) -> Commune:
    return Commune(code_insee=code, name=f"C{code}", population=pop, lat=lat, lon=lon, indicators=indicators)


def _grid(sites: tuple[FixedSite, ...] = ()) -> tuple[Territory, TravelMatrix]:
    communes = (_commune("18001", 1000), _commune("18002", 2000), _commune("18003", 500))
    territory = Territory(spec="grid", name="grille", communes=communes, fixed_sites=sites)
    matrix = TravelMatrix(territory.codes, MINUTES.copy(), MINUTES.copy())
    return territory, matrix


def _site(code: str, capacity: float = 1.0, lat: float = 47.0, lon: float = 2.0) -> FixedSite:
    return FixedSite(
        id=f"s{code}", name="lieu", kind="epn", code_insee=code, lat=lat, lon=lon, capacity=capacity
    )


def _gauss(t: float, t0: float) -> float:
    return (math.exp(-0.5 * (t / t0) ** 2) - math.exp(-0.5)) / (1 - math.exp(-0.5))


# ----------------------------------------------------------------------------- decay and 2SFCA


def test_decay_is_one_at_zero_and_zero_at_catchment():
    assert decay(0.0, 20.0) == pytest.approx(1.0)
    assert decay(20.0, 20.0) == pytest.approx(0.0)
    assert decay(25.0, 20.0) == 0.0
    assert decay(10.0, 20.0) == pytest.approx(_gauss(10, 20))
    w = decay(np.linspace(0, 20, 21), 20.0)
    assert np.all(np.diff(w) < 0)


def test_e2sfca_on_3_commune_grid_matches_the_formula():
    need = np.array([100.0, 200.0, 50.0])
    supply = np.array([120.0])
    access = e2sfca(need, supply, MINUTES[:1], 20.0)
    # step 1: R = S / sum_k need_k W(t_k)  (C is beyond the catchment)
    ratio = 120.0 / (100.0 * 1.0 + 200.0 * _gauss(10, 20) + 50.0 * 0.0)
    # step 2: A_i = R W(t_i)
    assert access == pytest.approx([ratio, ratio * _gauss(10, 20), 0.0])


def test_e2sfca_two_sites_add_up():
    need = np.array([100.0, 200.0, 50.0])
    supply = np.array([120.0, 60.0])
    minutes = MINUTES[[0, 2]]  # a site in A and a site in C
    w = np.vectorize(lambda t: _gauss(t, 20) if t <= 20 else 0.0)(minutes)
    r_a = 120.0 / (100 * w[0, 0] + 200 * w[0, 1] + 50 * w[0, 2])
    r_c = 60.0 / (100 * w[1, 0] + 200 * w[1, 1] + 50 * w[1, 2])
    expected = [r_a * w[0, j] + r_c * w[1, j] for j in range(3)]
    assert e2sfca(need, supply, minutes, 20.0) == pytest.approx(expected)


def test_site_with_nobody_in_reach_gives_nothing():
    access = e2sfca(np.array([0.0, 0.0, 10.0]), np.array([100.0]), MINUTES[:1], 20.0)
    assert access == pytest.approx([0.0, 0.0, 0.0])


def test_compute_need_coverage_on_grid():
    weights = NeedWeights(people_per_site=100.0)
    territory, matrix = _grid((_site("18001"),))
    result = compute_need(territory, weights, matrix)
    need = np.array([result[c].need for c in territory.codes])
    ratio = 100.0 / (need[0] + need[1] * _gauss(10, 20))
    assert result["18001"].coverage == pytest.approx(min(1.0, ratio))
    assert result["18002"].coverage == pytest.approx(min(1.0, ratio * _gauss(10, 20)))
    assert result["18003"].coverage == 0.0
    for n in result.values():
        assert n.unmet_need == pytest.approx(n.need * (1 - n.coverage))


def test_coverage_is_capped_at_one():
    territory, matrix = _grid((_site("18001", capacity=100.0),))
    result = compute_need(territory, NeedWeights(), matrix)
    assert result["18001"].coverage == 1.0
    assert result["18001"].unmet_need == 0.0


def test_no_site_means_no_coverage():
    territory, matrix = _grid()
    result = compute_need(territory, NeedWeights(), matrix)
    assert all(n.coverage == 0.0 and n.unmet_need == n.need for n in result.values())


def test_longer_catchment_covers_farther_commune():
    territory, matrix = _grid((_site("18001"),))
    assert compute_need(territory, NeedWeights(catchment_minutes=20), matrix)["18003"].coverage == 0.0
    assert compute_need(territory, NeedWeights(catchment_minutes=40), matrix)["18003"].coverage > 0.0


def test_site_outside_the_matrix_uses_its_coordinates():
    # communes about 11 km apart; a site in a commune not in the territory, right on commune A
    communes = (_commune("18001", 1000, 47.0, 2.0), _commune("18002", 1000, 47.1, 2.0))
    site = _site("36001", lat=47.0, lon=2.0)
    territory = Territory(spec="t", name="t", communes=communes, fixed_sites=(site,))
    result = compute_need(territory, NeedWeights())
    assert result["18001"].coverage > result["18002"].coverage > 0.0


# ----------------------------------------------------------------------------- need rates


def test_rate_uses_group_rates():
    weights = NeedWeights(income=0, poverty=0, fibre=0, rurality=0)
    c = _commune(
        "18001",
        1000,
        pop_65p=300,
        pop_totale_rp2021=1000,
        pop_15p_non_scol_sans_diplome_rp2016=200,
        pop_totale_rp2016=1000,
    )
    territory = Territory(spec="x", name="x", communes=(c,))
    s65, snd = 0.3, 0.2
    expected = 0.45 * s65 + 0.30 * snd * (1 - s65) + 0.07 * (1 - s65 - snd * (1 - s65))
    assert need_rates(territory, weights)[0] == pytest.approx(expected)


def test_missing_indicators_fall_back_to_regional_shares():
    weights = NeedWeights(income=0, poverty=0, fibre=0, rurality=0)
    bare = Territory(spec="x", name="x", communes=(_commune("18001", 1000),))
    rate = need_rates(bare, weights)[0]
    assert 0.15 < rate < 0.25
    assert rate == pytest.approx(need_rates(bare, weights)[0])
    assert pytest.approx(0.23, abs=0.01) == REF_SHARE_65P


def _pair(name: str, low: float, high: float) -> Territory:
    return Territory(
        spec="p",
        name="p",
        communes=(_commune("18001", 1000, **{name: low}), _commune("18002", 1000, **{name: high})),
    )


def test_more_seniors_more_need():
    t = Territory(
        spec="p",
        name="p",
        communes=(
            _commune("18001", 1000, pop_65p=150, pop_totale_rp2021=1000),
            _commune("18002", 1000, pop_65p=400, pop_totale_rp2021=1000),
        ),
    )
    low, high = need_rates(t)
    assert high > low


def test_lower_income_more_need_and_weight_zero_cancels_it():
    t = _pair("revenu_median_uc_2021", 18000, 26000)
    poor, rich = need_rates(t)
    assert poor > rich
    poor0, rich0 = need_rates(t, NeedWeights(income=0))
    assert poor0 == pytest.approx(rich0)


def test_poverty_raises_need_where_published():
    poor, rich = need_rates(_pair("taux_pauvrete_2021", 25, 8))
    assert poor > rich


def test_no_fibre_more_need():
    nofibre, fibre = need_rates(_pair("fibre_ftth_pct", 50, 100))
    assert nofibre > fibre
    assert need_rates(_pair("fibre_ftth_pct", 50, 100), NeedWeights(fibre=0))[0] == pytest.approx(fibre)


def test_rural_more_need():
    urban, rural = need_rates(_pair("ruralite_niveau", 0.0, 1.0))
    assert rural == pytest.approx(urban * 1.15)


def test_user_indicator_weight():
    t = _pair("score_fragilite", 50, 150)
    base = need_rates(t)
    low, high = need_rates(t, NeedWeights(user_indicator="score_fragilite", user_weight=1.0))
    # mean 100: f = 1 + 1 × (x/100 − 1) → 0.5 and 1.5
    assert low == pytest.approx(base[0] * 0.5)
    assert high == pytest.approx(base[1] * 1.5)


def test_unknown_user_indicator_is_an_error():
    with pytest.raises(InputError, match="absent"):
        need_rates(_pair("score", 1, 2), NeedWeights(user_indicator="autre", user_weight=1.0))


def test_rate_never_exceeds_one():
    t = Territory(spec="p", name="p", communes=(_commune("18001", 10, pop_65p=10, pop_totale_rp2021=10),))
    assert need_rates(t, NeedWeights(rate_65p=1.0, rurality=5.0))[0] == 1.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rate_65p": 1.5},
        {"rate_other": -0.1},
        {"income": -1},
        {"catchment_minutes": 0},
        {"people_per_site": -1},
    ],
)
def test_invalid_weights_are_refused(kwargs):
    with pytest.raises(InputError):
        NeedWeights(**kwargs)


@pytest.mark.parametrize("info", WEIGHT_INFO, ids=lambda i: i.name)
def test_each_weight_is_refused_just_outside_its_bounds_and_kept_at_them(info):
    low, high = info.bounds
    assert getattr(NeedWeights(**{info.name: low}), info.name) == low
    if math.isfinite(high):
        assert getattr(NeedWeights(**{info.name: high}), info.name) == high
    with pytest.raises(InputError) as err:
        NeedWeights(**{info.name: low - 0.5})
    assert info.label in str(err.value) and info.name in str(err.value)


# ----------------------------------------------------------------------------- documentation of the weights


def _attribute_docs() -> dict[str, str]:
    """``field -> text`` of the numpydoc Attributes section of NeedWeights."""
    doc = NeedWeights.__doc__
    section = doc.split("Attributes\n    ----------\n", 1)[1].split("\n\n", 1)[0]
    out: dict[str, str] = {}
    for line in section.splitlines():
        if line.startswith("    ") and not line.startswith("        "):
            name = line.strip().split(" : ")[0]
            out[name] = ""
        else:
            out[name] += " " + line.strip()
    return out


def test_every_numeric_weight_has_its_explanation_in_field_order():
    numeric = [n for n in weight_names() if n != "user_indicator"]
    assert [info.name for info in WEIGHT_INFO] == numeric


def test_docstring_documents_every_weight_with_its_default_and_source():
    docs = _attribute_docs()
    assert set(docs) == set(weight_names())
    defaults = NeedWeights()
    header = NeedWeights.__doc__
    for info in WEIGHT_INFO:
        assert f"{info.name} : float, default {getattr(defaults, info.name)!r}" in header
        assert f"Source: {info.source}" in docs[info.name], info.name


def test_explanations_are_one_french_line_within_the_control_range():
    defaults = NeedWeights()
    for info in WEIGHT_INFO:
        assert "\n" not in info.explanation and 40 < len(info.explanation) < 240, info.name
        low, high = info.bounds
        ui_low, ui_high, step = info.ui
        assert low <= ui_low < ui_high <= high and step > 0, info.name
        assert ui_low <= getattr(defaults, info.name) <= ui_high, info.name


def test_parse_weight():
    w = parse_weight(NeedWeights(), "rate_65p=0,5")
    assert w.rate_65p == 0.5
    assert parse_weight(w, "user_indicator=score").user_indicator == "score"
    with pytest.raises(InputError, match="inconnu"):
        parse_weight(w, "nope=1")
    with pytest.raises(InputError, match="NOM=VALEUR"):
        parse_weight(w, "rate_65p")
    with pytest.raises(InputError, match="numérique"):
        parse_weight(w, "rate_65p=beaucoup")


# ----------------------------------------------------------------------------- real territory


def test_vierzon_need_is_plausible():
    territory = load_territory("vierzon")
    result = compute_need(territory)
    total_need = sum(n.need for n in result.values())
    assert 0.15 * territory.population < total_need < 0.35 * territory.population
    assert all(0.0 <= n.coverage <= 1.0 for n in result.values())
    # Vierzon has eleven fixed places; Coeur de Berry communes far from any place have none
    assert result["18279"].coverage > 0.1
    assert result["18182"].coverage == 0.0  # Poisieux
    assert sum(n.unmet_need for n in result.values()) < total_need


def test_need_table_columns_and_order():
    territory = load_territory("vierzon")
    table = need_table(territory, compute_need(territory))
    for col in ("code_insee", "name", "population", "need", "coverage", "unmet_need", "epci"):
        assert col in table.columns
    assert len(table) == 34
    assert table["unmet_need"].is_monotonic_decreasing
    assert table.loc[table["code_insee"] == "18279", "fixed_sites"].item() == 11
