"""Headless tests of the Planification page (Streamlit AppTest, through app.py's navigation).

The solve runs in its background thread for real; the page polls it within the same script run,
so a short time limit finishes inside the test. Every test has its own SQLite database.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from planner.french import french_decimal
from planner.optimise.objective import reference_value
from planner.rules.calendar import french_public_holidays
from planner.store.workspace import current_plan, list_versions
from tests.builders import vierzon_problem
from ui.auth import store
from ui.planning import default_season_dates

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DATA = ROOT / "tests" / "data"
EDITOR = "pl_res_editor_vierzon"


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/planification.py").run()
    assert not at.exception
    return at


def plan_now(at: AppTest, seconds: int = 3) -> AppTest:
    at.number_input(key="pl_time_limit").set_value(seconds)
    at.button(key="pl_plan").click().run()
    assert not at.exception
    return at


def texts(elements) -> str:
    return " | ".join(e.value for e in elements)


def test_default_settings_are_explained_and_valid():
    at = open_page()
    assert at.title[0].value == "Planification de la saison"
    assert not at.error
    table = at.data_editor(key=EDITOR).value
    assert list(table["Identifiant"]) == ["bus-1"]
    assert list(table["Base"]) == ["Vierzon"]
    assert (at.date_input(key="pl_start").value, at.date_input(key="pl_end").value) == default_season_dates()
    captions = texts(at.caption)
    for explained in (
        "5 par défaut",
        "7 par défaut",
        "6 par défaut",
        "15 min par défaut",
        "0,5 par défaut",
        "0,02",
    ):
        assert explained in captions
    assert not at.button(key="pl_plan").disabled
    # French public holidays of the season are listed
    holidays = next(d.value for d in at.dataframe if "Jour férié" in d.value.columns)
    start, end = default_season_dates()
    assert list(holidays["Jour férié"]) == list(french_public_holidays(start, end).values())
    assert len(holidays) > 0


def test_default_season_is_the_next_half_school_year():
    assert default_season_dates(date(2026, 11, 25)) == (date(2027, 1, 4), date(2027, 6, 25))
    assert default_season_dates(date(2027, 3, 1)) == (date(2027, 9, 6), date(2027, 12, 17))


def test_set_a_resource_and_plan_with_a_small_time_limit():
    at = open_page()
    at.session_state[EDITOR] = {
        "edited_rows": {0: {"Places": 10}},
        "added_rows": [
            {
                "Identifiant": "equipe-1",
                "Type": "équipe",
                "Base": "Graçay",
                "Jours": ["mercredi"],
                "Places": 8,
            }
        ],
        "deleted_rows": [],
    }
    at.run()
    assert not at.error, texts(at.error)
    plan_now(at)
    plan = at.session_state["plan"]
    assert [r.id for r in plan.resources] == ["bus-1", "equipe-1"]
    assert plan.resources[0].seats == 10
    team = plan.resources[1]
    assert (team.kind, team.base, team.weekdays, team.needs_power) == ("team", "18103", (2,), False)
    assert plan.series and all(s.participants <= 10 for s in plan.series if s.resource == "bus-1")
    assert at.session_state["baseline_plan"].kind == "baseline"
    assert at.session_state["problem"].resources == plan.resources
    assert "Plan prêt" in texts(at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Parcours"] == str(len(plan.series))
    assert "Valeur du meilleur plan possible (au plus)" in metrics
    assert metrics["Distance au meilleur plan possible"].startswith("au plus ")
    versions = list_versions(store())
    assert len(versions) == 1 and versions[0].n_sessions == len(plan.sessions)
    # the team works too, and the calendar gives it its own rows (3 slots a day: "créneaux")
    assert any(s.resource == "equipe-1" for s in plan.sessions)
    at.switch_page("app_pages/tournee.py").run()
    assert not at.exception
    spec = json.dumps(json.loads(at.get("vega_lite_chart")[0].proto.spec), ensure_ascii=False)  # row order
    assert "Équipe 1 · mercredi 1er créneau" in spec and "Bus numérique · mardi matin" in spec
    assert "equipe-1" not in spec  # the coordinator's names, never identifiers


def test_adding_a_resource_row_raises_no_pandas_warning():
    """A new row leaves cells blank (``None``): every editor column must be able to hold that.

    A plain ``bool`` column (« Électricité ») would become ``object`` with pandas'
    "Setting an item of incompatible dtype" warning; with warnings as errors for this one run,
    that warning would surface as an exception of the script.
    """
    at = open_page()
    at.session_state[EDITOR] = {
        "edited_rows": {},
        "added_rows": [{"Identifiant": "equipe-2", "Type": "équipe", "Base": "Graçay"}],
        "deleted_rows": [],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        at.run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)
    table = at.data_editor(key=EDITOR).value  # the table given to the editor
    assert str(table["Électricité"].dtype) == "boolean" and str(table["Places"].dtype) == "Int64"
    rows = at.session_state["pl_res_rows_vierzon"]  # what the editor returned
    assert [r["Identifiant"] for r in rows] == ["bus-1", "equipe-2"]
    assert rows[0]["Électricité"] is True and rows[1]["Électricité"] is None
    assert "2 moyen(s)" in texts(at.caption)  # the blank cells took the team's defaults


def test_season_end_before_start_is_explained_without_traceback():
    at = open_page()
    at.date_input(key="pl_end").set_value(date(2026, 12, 1)).run()
    assert not at.exception
    assert "la fin de saison précède son début" in texts(at.error)
    assert at.button(key="pl_plan").disabled


def test_threshold_above_every_seat_count_is_explained():
    at = open_page()
    at.number_input(key="pl_threshold").set_value(13).run()
    assert not at.exception
    assert "dépasse les places de tous les moyens" in texts(at.error)
    assert at.button(key="pl_plan").disabled


def test_resource_without_base_or_days_is_explained():
    at = open_page()
    at.session_state[EDITOR] = {"edited_rows": {0: {"Base": None}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert "choisissez la commune de base" in texts(at.error)
    at.session_state[EDITOR] = {"edited_rows": {0: {"Jours": []}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert "cochez au moins un jour de travail" in texts(at.error)
    assert at.button(key="pl_plan").disabled


def test_season_too_short_for_a_series_is_explained():
    at = open_page()
    at.date_input(key="pl_end").set_value(date(2027, 1, 15)).run()
    assert not at.exception
    errors = texts(at.error)
    assert "trop court pour un parcours de 5 séances" in errors or "impossible de tenir un parcours" in errors


def test_requests_file_is_read_and_included():
    # requests_vierzon.csv: Graçay, Massay, Pierrefitte-sur-Sauldre (no power) and one commune
    # outside the territory, which is set aside with a warning.
    at = open_page()
    at.file_uploader(key="pl_requests_file").upload(
        "demandes.csv", (DATA / "requests_vierzon.csv").read_bytes(), "text/csv"
    ).run()
    assert not at.exception and not at.error
    assert "1 demande(s) du fichier concernent des communes hors du territoire" in texts(at.warning)
    table = next(d.value for d in at.data_editor if "Inclure" in d.value.columns)
    assert list(table["Commune"]) == ["Graçay", "Massay", "Pierrefitte-sur-Sauldre"]
    assert list(table["Prise électrique"]) == ["oui", "oui", "non"]
    at.checkbox(key="pl_requests_only").check()
    plan_now(at)
    problem = at.session_state["problem"]
    assert [q.code_insee for q in problem.requests] == ["18103", "18140", "41176"] and problem.requests_only
    plan = at.session_state["plan"]
    assert {s.host for s in plan.series} <= {"18103", "18140"}  # the bus needs power: not Pierrefitte
    assert "41176" in {u.code_insee for u in plan.unserved}


def test_bad_requests_file_is_refused_in_french():
    at = open_page()
    at.file_uploader(key="pl_requests_file").upload(
        "demandes.csv", (DATA / "requests_bad_date.csv").read_bytes(), "text/csv"
    ).run()
    assert not at.exception
    assert "Fichier de demandes refusé" in texts(at.error)


def test_settings_survive_a_visit_to_another_page():
    at = open_page()
    at.number_input(key="pl_k").set_value(4).run()
    at.session_state[EDITOR] = {"edited_rows": {0: {"Places": 9}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.switch_page("app_pages/accueil.py").run()
    at.switch_page("app_pages/planification.py").run()
    assert not at.exception
    assert at.number_input(key="pl_k").value == 4
    assert list(at.data_editor(key=EDITOR).value["Places"]) == [9]


def test_school_holidays_and_custom_closed_dates_close_the_season():
    at = open_page()
    at.selectbox(key="pl_zone").set_value("B").run()
    at.session_state["pl_closed_editor"] = {
        "edited_rows": {},
        "added_rows": [{"Date": "2027-03-16", "Motif": "Congés de l'équipe"}],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception and not at.error
    plan_now(at)
    season = at.session_state["problem"].season
    assert season.closed_reasons[date(2027, 3, 16)] == "Congés de l'équipe"
    assert "zone B" in season.closed_reasons[date(2027, 2, 23)]  # winter holidays of zone B (20 Feb → 7 Mar)
    assert all(s.date not in season.closed_dates for s in at.session_state["plan"].sessions)


def test_home_page_summarises_the_plan():
    at = open_page()
    plan_now(at)
    at.switch_page("app_pages/accueil.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    plan = at.session_state["plan"]
    assert metrics["Parcours"] == str(len(plan.series))
    assert metrics["Communes"] == "34"


# ---------------------------------------------------------------------------- the background job
def test_solve_job_records_progress_and_computes_the_baseline():
    from planner.problem import SolveParams
    from ui.planning import SolveJob

    job = SolveJob(vierzon_problem(), SolveParams(time_limit_s=10, workers=1, seed=0), label="t").start()
    assert job.wait(60)
    snap = job.snapshot()
    assert snap.done and snap.error is None and snap.phase == "done"
    assert job.plan is not None and job.plan.kind == "optimised"
    assert job.baseline is not None and job.baseline.kind == "baseline"
    assert snap.history, "the solver reported no progress"
    assert snap.objective == snap.history[-1].objective and snap.bound >= snap.objective - 1e-6


def test_cancelled_job_stops_and_keeps_a_plan():
    from planner.problem import SolveParams
    from ui.planning import SolveJob

    job = SolveJob(vierzon_problem(), SolveParams(time_limit_s=60, gap=0.0, workers=1), with_baseline=False)
    job.cancel()  # asked before the search starts: it must stop at once
    job.start()
    assert job.wait(30)
    assert job.cancel_requested and job.snapshot().phase == "cancelled"
    assert job.plan is not None and job.plan.metrics.status == "STOPPED"


def test_failed_job_reports_the_solver_french_sentence():
    from dataclasses import replace

    from planner.model import Rules
    from planner.problem import SolveParams
    from ui.planning import SolveJob

    # 10 days ± 0 cannot keep the same weekday: the solver refuses (the page would not even start it)
    rules = Rules(interval_days=10, interval_tolerance_days=0)
    job = SolveJob(replace(vierzon_problem(), rules=rules), SolveParams(time_limit_s=5, workers=1)).start()
    assert job.wait(30)
    assert job.snapshot().phase == "failed" and job.plan is None
    assert "intervalle de 10 jours" in job.error and "multiple de 7" in job.error
    assert not job.error.startswith("erreur interne")


def test_interval_that_breaks_the_same_weekday_rule_is_explained_before_solving():
    at = open_page()
    at.number_input(key="pl_interval").set_value(10)
    at.number_input(key="pl_tolerance").set_value(0).run()
    assert not at.exception
    assert "multiple de 7 jours" in texts(at.error)
    assert at.button(key="pl_plan").disabled


def test_accepted_requests_from_the_database_are_offered_and_used():
    from planner.hosting.request_form import RequestForm
    from planner.store import repo
    from planner.store.access import Actor

    coord = Actor("coordinator", "test")
    engine = store()
    accepted = repo.submit_request(
        engine,
        RequestForm(
            "18140", "Salle des fêtes de Massay", has_power=True, weekdays=(1,), expected_participants=9
        ),
        coord,
    )
    repo.review_request(engine, accepted, "accepted", "", coord)
    declined = repo.submit_request(engine, RequestForm("18103", "Mairie de Graçay", has_power=True), coord)
    repo.review_request(engine, declined, "declined", "Pas de salle libre", coord)
    at = open_page()
    table = next(d.value for d in at.data_editor if "Inclure" in d.value.columns)
    assert list(table["Commune"]) == ["Massay"]  # only the accepted one
    assert list(table["Source"]) == ["base de données"] and list(table["Jours"]) == ["mardi"]
    at.checkbox(key="pl_requests_only").check()
    plan_now(at)
    problem = at.session_state["problem"]
    assert [q.code_insee for q in problem.requests] == ["18140"]
    plan = at.session_state["plan"]
    assert {s.host for s in plan.series} <= {"18140"}
    assert all(s.date.weekday() == 1 for s in plan.sessions)  # Massay hosts on Tuesdays only
    assert all(s.participants <= 9 for s in plan.series)


def test_how_the_plan_chooses_and_its_controls_are_explained():
    at = open_page()
    assert "Comment le plan choisit, et pourquoi" in [e.label for e in at.expander]
    help_text = texts(at.markdown)
    assert "priorité aux moins couverts" in help_text and "39 % à 5 min" in help_text
    assert at.slider(key="pl_priority").value == 2.0
    assert at.slider(key="pl_att_share").value == 0.6
    captions = texts(at.caption)
    assert "compte 3 fois une personne d'une commune entièrement couverte" in captions
    curve = next(d.value for d in at.dataframe if "À 5 min" in d.value.columns)
    assert list(curve["À 5 min"]) == ["39 %", "28 %", "67 %"]
    assert list(at.data_editor(key=EDITOR).value["Public"]) == ["Tous publics (surtout des aînés)"]


def test_three_plans_side_by_side_and_one_click_keeps_one():
    at = open_page()
    at.slider(key="pl_priority").set_value(3.0)
    plan_now(at)
    balanced = at.session_state["plan"]
    assert balanced.rules.priority == 3.0
    assert "Trois plans pour choisir" in [s.value for s in at.subheader]
    table = next(d.value for d in at.dataframe if "Indicateur" in d.value.columns)
    assert list(table.columns) == [
        "Indicateur",
        "Au plus près des moins couverts",
        "Équilibré",
        "Le moins de km",
    ]
    assert "Séances dans le tiers le moins couvert" in list(table["Indicateur"])
    # what is proven of « le moins de km »'s km, under its name
    assert any(
        "aucune autre façon de placer ces mêmes parcours dans les journées ne roule moins" in c.value
        for c in at.caption
    )
    assert "Plan gardé : Équilibré" in texts(at.success)
    at.button(key="pl_keep_fewest_km").click().run()
    assert not at.exception
    kept = at.session_state["plan"]
    assert kept is not balanced and kept.rules.travel_weight == 0.02
    assert at.session_state["problem"].rules.travel_weight == 0.02
    assert "Plan gardé : Le moins de km" in texts(at.success)
    # the settings show the kept plan's rules: « Planifier » plans with them, as « Replanifier » does
    assert at.number_input(key="pl_travel").value == 0.02 and at.slider(key="pl_priority").value == 3.0
    labels = [v.label for v in list_versions(store())]
    assert labels[0] == "Plan de saison — Le moins de km"
    # « Valeur selon vos réglages » shown for it is recomputed from its saved plan file alone
    stored, _, _ = current_plan(store(), "vierzon")
    assert stored.metrics.reference_rules == balanced.rules != stored.rules
    recomputed = reference_value(stored, at.session_state["problem"])
    shown = table.loc[table["Indicateur"] == "Valeur selon vos réglages", "Le moins de km"].item()
    assert shown == french_decimal(recomputed, 1)
    assert shown != french_decimal(stored.metrics.objective, 1)  # not its own value
    # the saupoudrage beside it is valued with the kept plan's rules (with the balanced plan's,
    # « au moins 0,0 % en dessous » compared a value without km to one that counts them)
    from planner.optimise.objective import objective_value

    baseline = at.session_state["baseline_plan"]
    assert abs(baseline.metrics.objective - objective_value(baseline, at.session_state["problem"])) < 1e-6
    assert baseline.metrics.objective < kept.metrics.objective
    at.button(key="pl_keep_balanced").click().run()
    baseline = at.session_state["baseline_plan"]
    assert at.session_state["problem"].rules.travel_weight == 0.0
    assert at.number_input(key="pl_travel").value == 0.0
    assert abs(baseline.metrics.objective - objective_value(baseline, at.session_state["problem"])) < 1e-6
    at.button(key="pl_keep_closest").click().run()
    assert at.slider(key="pl_priority").value == at.session_state["plan"].rules.priority > 3.0
    # edited by hand since (one session fewer stands for any edit): the table says so before a
    # click on « Garder » would drop the edits, and the kept plan's button goes back to it
    closest = at.session_state["plan"]
    at.session_state["plan"] = replace(closest, sessions=closest.sessions[1:])
    at.run()
    assert "Plan gardé : Au plus près des moins couverts, modifié à la main depuis" in texts(at.info)
    assert "remplace vos modifications" in texts(at.warning)
    assert "Plan gardé" not in texts(at.success)
    back = at.button(key="pl_keep_closest")
    assert back.label == "Revenir à « Au plus près des moins couverts » sans les modifications"
    back.click().run()
    assert at.session_state["plan"].sessions == closest.sessions
    assert "Plan gardé : Au plus près des moins couverts" in texts(at.success)
    assert "remplace vos modifications" not in texts(at.warning)


def test_a_km_budget_in_euros_reaches_the_rules():
    at = open_page()
    at.radio(key="pl_budget_kind").set_value("En euros").run()
    at.number_input(key="pl_budget").set_value(1000.0).run()
    assert "soit 2 000 km" in texts(at.caption).replace("\u202f", " ")
    at.checkbox(key="pl_alternatives").uncheck()
    plan_now(at)
    plan = at.session_state["plan"]
    assert plan.rules.km_budget == 2000.0
    assert "plan_alternatives" not in at.session_state


# ---------------------------------------------------------------------------- state that stays
def test_settings_and_plan_come_back_in_a_new_session():
    """A reload (a new browser session on the same database) finds the settings and the plan."""
    at = open_page()
    at.number_input(key="pl_k").set_value(4).run()
    at.session_state[EDITOR] = {
        "edited_rows": {0: {"Places": 9, "Nom": "Bus du Pays"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.session_state["pl_closed_editor"] = {
        "edited_rows": {},
        "added_rows": [{"Date": "2027-03-16", "Motif": "Congés de l'équipe"}],
        "deleted_rows": [],
    }
    at.run()
    plan_now(at)
    plan = at.session_state["plan"]
    again = open_page()
    assert again.number_input(key="pl_k").value == 4
    table = again.data_editor(key=EDITOR).value
    assert list(table["Places"]) == [9] and list(table["Nom"]) == ["Bus du Pays"]
    closed = next(d.value for d in again.data_editor if "Motif" in d.value.columns)
    assert list(closed["Motif"]) == ["Congés de l'équipe"]
    restored = again.session_state["plan"]
    assert [(s.uid, s.date, s.start) for s in restored.sessions] == [
        (s.uid, s.date, s.start) for s in plan.sessions
    ]
    again.switch_page("app_pages/accueil.py").run()
    assert "Aucun plan pour l'instant." not in [m.value for m in again.markdown]
    assert {m.label: m.value for m in again.metric}["Parcours"] == str(len(plan.series))


def test_a_new_calculation_starts_from_the_plan_in_force_and_says_what_moved():
    at = plan_now(open_page())
    first = at.session_state["plan"]
    at.run()  # the page now shows the plan in force, and the stability setting
    assert at.selectbox(key="pl_stability").value == "stable"
    at.session_state["pl_closed_editor"] = {
        "edited_rows": {},
        "added_rows": [
            {"Date": sorted({s.date for s in first.sessions})[12].isoformat(), "Motif": "Panne du bus"}
        ],
        "deleted_rows": [],
    }
    at.run()
    plan_now(at)
    second = at.session_state["plan"]
    report = " ".join(m.value for m in at.markdown)
    assert "Replanification :" in report and "aucune séance verrouillée n'a bougé" in report
    kept = {(s.host, s.date, s.start) for s in first.sessions} & {
        (s.host, s.date, s.start) for s in second.sessions
    }
    assert len(kept) >= 0.8 * len(first.sessions)
    table = next(d.value for d in at.dataframe if "Pourquoi" in d.value.columns)
    assert "tombe un jour fermé (Panne du bus)" in " ".join(table["Détail"])


def test_changing_territory_leaves_the_old_plan_and_locks_behind():
    at = plan_now(open_page())
    assert at.session_state["plan"].territory_spec == "vierzon"
    from ui import data as ud

    other = next(spec for spec, _ in ud.get_choices() if spec != "vierzon")
    at.switch_page("app_pages/territoire.py").run()
    at.selectbox(key="_territory_select").set_value(other).run()
    assert not at.exception
    assert "plan" not in at.session_state and "pl_res_rows_vierzon" not in at.session_state
    at.switch_page("app_pages/tournee.py").run()
    assert "Aucun plan pour l'instant" in texts(at.info)
    # back to Vierzon: its own plan comes back from the database
    at.switch_page("app_pages/territoire.py").run()
    at.selectbox(key="_territory_select").set_value("vierzon").run()
    at.switch_page("app_pages/tournee.py").run()
    assert at.session_state["plan"].territory_spec == "vierzon"


def test_scheduled_requests_count_as_soon_as_a_plan_is_saved():
    """« Programmées » counts the accepted requests whose commune hosts sessions in the plan in
    force, right after the calculation (and again after a re-plan)."""
    from planner.hosting.request_form import RequestForm
    from planner.store import repo
    from planner.store.access import Actor

    coord = Actor("coordinator", "test")
    engine = store()
    rid = repo.submit_request(engine, RequestForm("18279", "Médiathèque", has_power=True), coord)
    repo.review_request(engine, rid, "accepted", "", coord)
    at = plan_now(open_page())
    assert "18279" in {s.host for s in at.session_state["plan"].sessions}
    at.switch_page("app_pages/demandes.py").run()
    assert {m.label: m.value for m in at.metric}["Programmées"] == "1"
    assert repo.get_request(engine, rid, coord).status == "scheduled"
    at.switch_page("app_pages/accueil.py").run()
    assert "commune(s) à prévenir" in texts(at.markdown)


def test_a_reopened_plan_gets_the_same_baseline_and_figures():
    """The saupoudrage is computed on the plan's own problem, rebuilt from the plan file alone
    (requests, hosts-only choice, need weights): reopening gives the same comparison."""
    from dataclasses import replace

    from planner.store import workspace
    from ui.plan_views import key_figures
    from ui.planning import baseline_of, problem_for

    at = open_page()
    at.checkbox(key="pl_requests_only").check()  # nothing requested: the validation refuses…
    at.checkbox(key="pl_requests_only").uncheck()
    plan_now(at)
    plan, baseline = at.session_state["plan"], at.session_state["baseline_plan"]
    assert plan.inputs.need_weights and baseline.inputs == plan.inputs
    stored, stored_baseline, _ = workspace.current_plan(store(), "vierzon")
    assert stored_baseline is not None and len(stored_baseline.series) == len(baseline.series)
    again = replace(baseline_of(problem_for(stored)), inputs=stored.inputs)
    assert (len(again.series), again.metrics.participants, round(again.metrics.km, 3)) == (
        len(baseline.series),
        baseline.metrics.participants,
        round(baseline.metrics.km, 3),
    )
    assert [f.text(f.baseline) for f in key_figures(stored, again)] == [
        f.text(f.baseline) for f in key_figures(plan, baseline)
    ]


def _requests_only(at: AppTest, row: str) -> None:
    header = "code_insee;venue;weekdays;blackout_dates;has_power;expected_participants\n"
    at.file_uploader(key="pl_requests_file").upload(
        "demandes.csv", (header + row + "\n").encode("utf-8"), "text/csv"
    ).run()
    at.checkbox(key="pl_requests_only").check()


def test_no_parcours_possible_shows_the_cause_in_an_error_box_not_a_green_plan():
    """Graçay, the only host, has no power for the bus: the page used to show « Plan prêt : 0
    parcours » (optimal prouvé). The same request with power plans there."""
    at = open_page()
    _requests_only(at, "18103;Salle des fêtes;;;non;")
    plan_now(at)
    errors = texts(at.error)
    assert "aucun parcours ne peut être tenu" in errors and "branchement électrique" in errors
    assert "Graçay" in errors and "« Bus numérique »" in errors
    assert not at.success  # no green « Plan prêt »
    assert "plan" not in at.session_state or at.session_state["plan"] is None

    at = open_page()
    _requests_only(at, "18103;Salle des fêtes;;;oui;")
    plan_now(at)
    assert not at.error and "Plan prêt" in texts(at.success)
    assert {s.host for s in at.session_state["plan"].series} == {"18103"}


def test_a_resource_that_can_reach_no_host_is_named_beside_the_plan():
    at = open_page()
    at.session_state[EDITOR] = {
        "edited_rows": {},
        "added_rows": [
            {"Nom": "Petit bus", "Type": "bus", "Base": "Vierzon", "Jours": ["mardi"], "Fin": "12:30"}
        ],
        "deleted_rows": [],
    }
    _requests_only(at, "41084;Mairie;;;oui;")
    plan_now(at)
    assert "Plan prêt" in texts(at.success)
    warning = texts(at.warning)
    assert "Aucun parcours possible pour « Petit bus »" in warning and "La Ferté-Imbault" in warning
