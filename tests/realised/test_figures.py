"""Planned vs done on the export tests' tiny plan, every figure written as its formula.

The plan (tests/publish/tiny_plan.py): S1 at 18002 (group of 12: 9 from 18002, 3 from 18001)
and S2 at 18004 (11: 8 from 18004, 3 from 18003), five Tuesdays each, one route a day of
60 km and 60 minutes, 3-hour sessions. What happened here:

    S1: sessions 1–4 held (10, 8, 9, 9 people, each time 5 from 18002 and 3 from 18001),
        session 5 cancelled (weather); the Coop followed people over sessions 1–4:
        6 came 4 times, 2 came 3 times, 4 came once.
    S2: sessions 1–2 held (7, 5 people, commune unknown), session 3 nobody came,
        sessions 4–5 not recorded.
"""

import math

import pytest

from planner.publish.report import CostRates, ReportContext
from planner.realised.attendance import SeriesAttendance
from planner.realised.figures import (
    ages_frame,
    figures_frame,
    measurement_note,
    mobilised_plan,
    origins_frame,
    realised_figures,
    series_frame,
    series_realised,
    sessions_frame,
)
from planner.realised.outcome import SessionOutcome
from planner.realised.season import RealisedSeason
from tests.publish.tiny_plan import CODES, NAMES, tiny_matrix, tiny_needs, tiny_territory
from tests.realised.plans import tiny_plan_with_uids, uid

NAME = dict(zip(CODES, NAMES, strict=True)).get
RATES = CostRates(eur_per_km=0.5, eur_per_hour=50.0)


@pytest.fixture(scope="module")
def plan():
    return tiny_plan_with_uids()


@pytest.fixture(scope="module")
def realised(plan):
    s1 = [
        SessionOutcome(
            uid(plan, "S1", i),
            True,
            n,
            residence={"18002": 5, "18001": 3},
            age_bands={"70+": 4},
            source="coop",
        )
        for i, n in zip(range(1, 5), (10, 8, 9, 9), strict=True)
    ]
    s1.append(SessionOutcome(uid(plan, "S1", 5), False, cancel_reason="weather"))
    s2 = [
        SessionOutcome(uid(plan, "S2", 1), True, 7, source="sheet"),
        SessionOutcome(uid(plan, "S2", 2), True, 5, source="sheet"),
        SessionOutcome(uid(plan, "S2", 3), False, cancel_reason="no_show", source="sheet"),
    ]
    attendance = SeriesAttendance("S1", tuple(uid(plan, "S1", i) for i in range(1, 5)), {4: 6, 3: 2, 1: 4})
    return RealisedSeason.of([*s1, *s2], [attendance])


@pytest.fixture(scope="module")
def ctx():
    return ReportContext(tiny_territory(), tiny_needs(), tiny_matrix())


def test_per_parcours(plan, realised):
    s1, s2 = series_realised(plan, realised)
    assert (s1.planned_sessions, s1.held, s1.cancelled, s1.not_recorded) == (5, 4, 1, 0)
    assert dict(s1.cancel_reasons) == {"weather": 1}
    assert s1.per_session == (10 + 8 + 9 + 9) / 4 and s1.sessions_rate == 4 / 5
    assert s1.measured and s1.finished
    assert (s1.came_all, s1.came_most) == (6, 6 + 2)  # most of the 4 covered sessions = 3
    assert s1.trained == 6  # most of the 5 planned sessions = 4
    assert s1.completion_rate == 6 / (6 + 2 + 4)
    assert (s2.held, s2.cancelled, s2.not_recorded, s2.per_session) == (2, 1, 2, (7 + 5) / 2)
    assert not s2.measured and s2.came_all is None and s2.completion_rate is None
    assert s2.trained == 0  # 2 held sessions are not most of 5: nobody trained yet


def test_estimated_trained_when_attendance_is_unknown(plan, realised):
    (s1, _) = series_realised(plan, RealisedSeason(realised.outcomes))
    assert not s1.measured and s1.trained == (10 + 8 + 9 + 9) / 4  # stable group, as the plan assumes


def test_overall(plan, realised, ctx):
    f = realised_figures(plan, realised, ctx, RATES)
    assert (f.planned_sessions, f.held, f.cancelled, f.not_recorded) == (10, 6, 2, 2)
    assert dict(f.cancel_reasons) == {"weather": 1, "no_show": 1}
    assert f.per_session == (36 + 12) / 6
    assert f.planned_per_session == (4 * 12 + 2 * 11) / 6
    assert (f.series_measured, f.series_total, f.people_identified) == (1, 2, 12)
    assert (f.came_all, f.came_most, f.trained, f.trained_measured, f.planned_trained) == (
        6,
        8,
        6,
        6,
        12 + 11,
    )
    assert f.completion_rate == 6 / 12
    # mobilised: S1 #1–4 and S2 #1–3 (nobody came, the team did): days 1–4, 7 sessions of 3 h
    km, hours = 4 * 60, 4 * 1 + 7 * 3
    assert f.cost_eur == pytest.approx(km * 0.5 + hours * 50)
    assert f.planned_cost_eur == pytest.approx(5 * 60 * 0.5 + (5 * 1 + 10 * 3) * 50)
    assert f.cost_per_trained == pytest.approx(f.cost_eur / 6)
    assert f.planned_cost_per_trained == pytest.approx(f.planned_cost_eur / 23)


def test_without_context_there_is_no_cost(plan, realised):
    f = realised_figures(plan, realised)
    assert f.cost_eur is None and f.cost_per_trained is None


def test_nothing_recorded(plan):
    f = realised_figures(plan, RealisedSeason())
    assert (f.held, f.not_recorded, f.trained, f.came_all, f.completion_rate) == (0, 10, 0, None, None)
    assert math.isnan(f.per_session)


def test_mobilised_plan_keeps_held_and_no_show_sessions_and_their_days(plan, realised):
    m = mobilised_plan(plan, realised)
    assert len(m.sessions) == 7 and len(m.routes) == 4
    assert uid(plan, "S1", 5) not in {s.uid for s in m.sessions}


def test_origins_compare_people_per_session(plan, realised):
    df = origins_frame(plan, realised, NAME).set_index("Commune")
    assert df.loc["Bréviande", "Prévu (personnes par séance)"] == 9
    assert df.loc["Bréviande", "Réalisé (personnes par séance)"] == 5
    assert df.loc["Aubigny-Test", "Réalisé (personnes par séance)"] == 3
    assert df.loc["Dampierre-Test", "Réalisé (personnes par séance)"] == 0
    # unknown: S1 (2 + 0 + 1 + 1) / 4 sessions, S2 (7 + 5) / 2 sessions
    assert df.loc["Commune inconnue", "Réalisé (personnes par séance)"] == 1 + 6
    assert df.loc["Bréviande", "Part réalisée (% des communes connues)"] == round(100 * 5 / 8, 1)
    assert df.loc["Bréviande", "Part prévue (%)"] == round(100 * 9 / 23, 1)


def test_tables(plan, realised, ctx):
    series = series_frame(plan, realised, NAME)
    assert list(series["Assiduité"]) == ["mesuré", "estimé"]
    assert list(series["Taux d'achèvement (%)"].fillna(-1)) == [50.0, -1]
    assert series.loc[0, "Motifs d'annulation"] == "météo (1)"
    sessions = sessions_frame(plan, realised, NAME)
    assert list(sessions["Statut"]).count("Non renseignée") == 2 and len(sessions) == 10
    ages = ages_frame(plan, realised)
    assert ages.to_dict("list") == {
        "Tranche d'âge": ["70 ans et plus", "non communiqué"],
        "Participations": [16, 48 - 16],
        "Part (%)": [round(100 * 16 / 48, 1), round(100 * 32 / 48, 1)],
    }
    summary = figures_frame(realised_figures(plan, realised, ctx, RATES), formatted=True).set_index(
        "Indicateur"
    )
    assert summary.loc["Séances", "Prévu"] == "10" and summary.loc["Séances", "Réalisé"] == "6"
    assert summary.loc["Taux d'achèvement", "Réalisé"] == "50"
    assert summary.loc["Personnes venues à toutes les séances", "Prévu"] == "—"


def test_outcomes_of_other_plans_are_ignored(plan, realised):
    stray = SessionOutcome("not-in-this-plan", True, 400)
    f = realised_figures(
        plan, RealisedSeason.of([*realised.outcomes.values(), stray], realised.attendance.values())
    )
    assert f.participations == 48


def test_measurement_note_says_when_attendance_is_not_measured(plan, realised):
    assert measurement_note(realised_figures(plan, realised)).startswith(
        "Assiduité mesurée pour 1 parcours tenus sur 2"
    )
    counts_only = RealisedSeason(realised.outcomes)
    assert measurement_note(realised_figures(plan, counts_only)).startswith("Assiduité non mesurable")
    only_s1 = RealisedSeason(
        {u: o for u, o in realised.outcomes.items() if o.source == "coop"}, realised.attendance
    )
    assert measurement_note(realised_figures(plan, only_s1)).startswith("Assiduité mesurée pour tous")
    assert (
        measurement_note(realised_figures(plan, RealisedSeason()))
        == "Aucune séance tenue n'est encore enregistrée."
    )
