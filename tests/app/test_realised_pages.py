"""Tournée « Réalisé » and Bilan « Prévu et réalisé », headless (AppTest).

The current plan is ``tests/data/plan_vierzon_petit.json`` (P1 Massay, P2 Thénioux on Tuesdays,
P3 Pierrefitte on Fridays, March 2026), committed as the Vierzon workspace's current version so
that the app restores it as it does after a sign-in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.plan_json import load_plan
from planner.realised.outcome import SessionOutcome
from planner.store import realised as store
from planner.store import workspace as ws
from tests.store.test_realised_cli import SECRETS, _fold, realistic_export, stored_texts
from ui import realised_entry as ure
from ui.auth import store as app_store

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PLAN = ROOT / "tests" / "data" / "plan_vierzon_petit.json"


@pytest.fixture
def version() -> int:
    engine = app_store()
    plan = load_plan(PLAN)
    vid, _, _ = ws.commit_plan(
        engine, "vierzon", plan, "Plan annoncé", "coordination", base=ws.get_workspace(engine, "vierzon").base
    )
    return vid


def tournee() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("app_pages/tournee.py").run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def first_session(plan, series="P1", index=1):
    return next(s for s in plan.sessions if s.series == series and s.index == index)


def test_a_held_session_entered_in_tournee_is_stored_and_shown_in_bilan(version):
    plan = load_plan(PLAN)
    s = first_session(plan)
    at = tournee()
    assert "Aucun nom n'est conservé" in texts(at)
    at.selectbox(key="tn_real_session").set_value(s.uid)
    at.radio(key="tn_real_status").set_value("Tenue")
    at.number_input(key="tn_real_participants").set_value(9)
    at.button(key="FormSubmitter:tn_real_form-Enregistrer").click().run()
    assert not at.exception
    stored = store.realised_for_version(app_store(), version, plan).outcomes
    assert stored[s.uid].held and stored[s.uid].participants == 9 and len(stored) == 1
    assert "tenue, 9 participants. Enregistré." in texts(at)
    after = sorted(
        (x for x in plan.sessions if (x.date, x.start) > (s.date, s.start)), key=lambda x: (x.date, x.start)
    )
    assert at.selectbox(key="tn_real_session").value == after[0].uid  # ready for the next one
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Séances tenues"] == f"1 / {len(plan.sessions)}"
    assert metrics["Participants par séance"] == "9,0"

    at.switch_page("app_pages/bilan.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Séances tenues"] == f"1 / {len(plan.sessions)}"


def test_a_cancellation_needs_its_reason_and_a_wrong_entry_stores_nothing(version):
    plan = load_plan(PLAN)
    s = first_session(plan, "P2", 1)
    at = tournee()
    at.selectbox(key="tn_real_session").set_value(s.uid)
    at.radio(key="tn_real_status").set_value("Annulée")
    at.button(key="FormSubmitter:tn_real_form-Enregistrer").click().run()
    assert "Rien n'est enregistré" in " ".join(e.value for e in at.error)
    assert store.realised_for_version(app_store(), version, plan).outcomes == {}

    at.selectbox(key="tn_real_reason").set_value("panne du bus")
    at.button(key="FormSubmitter:tn_real_form-Enregistrer").click().run()
    got = store.realised_for_version(app_store(), version, plan).outcomes[s.uid]
    assert not got.held and got.cancel_reason == "breakdown"


def test_the_table_saves_all_rows_or_none(version):
    plan = load_plan(PLAN)
    base = ure.entry_frame(plan, store.realised_for_version(app_store(), version, plan), {})
    good = {
        0: {"Statut": "Tenue", "Participants": 7},
        1: {"Statut": "Annulée", "Motif d'annulation": "météo"},
    }
    outcomes, clear, errors = ure.table_changes(base, good)
    assert errors == [] and len(outcomes) == 2 and clear == []
    outcomes, clear, errors = ure.table_changes(base, good | {2: {"Statut": "Tenue"}})
    assert len(errors) == 1 and "participant" in errors[0]


def test_an_import_with_names_lists_the_unmatched_and_keeps_no_name(version, tmp_path):
    plan = load_plan(PLAN)
    path = realistic_export(tmp_path / "Export activités Coop.xlsx")
    result = ure.import_upload(path.name, path.read_bytes(), plan)
    store.save_import(app_store(), version, result, "coordination")
    everything = _fold(" ".join(stored_texts(app_store())))
    for secret in SECRETS:
        assert _fold(secret) not in everything, secret
    at = tournee()
    shown = texts(at)
    assert f"{len(result.matching.unmatched)} non rattachée(s)" in shown
    unmatched = [df for df in at.dataframe if "Pourquoi" in df.value.columns]
    assert unmatched and len(unmatched[0].value) == len(result.matching.unmatched) + len(
        result.matching.ambiguous
    )
    assert len(result.matching.unmatched) >= 1
    matched = [
        df.value
        for df in at.dataframe
        if "Motif d'annulation" in df.value.columns and "Source" not in df.value.columns
    ]
    assert matched and len(matched[0]) == len(result.outcomes)


def test_proposals_are_accepted_or_refused_one_by_one_and_used_by_planification(version):
    plan = load_plan(PLAN)
    p1 = [s for s in plan.sessions if s.series == "P1"][:3]
    p2 = [s for s in plan.sessions if s.series == "P2"][:3]
    outcomes = [SessionOutcome(s.uid, True, 3) for s in p1] + [SessionOutcome(s.uid, True, 12) for s in p2]
    store.record_outcomes(app_store(), version, outcomes, "coordination")
    at = tournee()
    shown = texts(at)
    assert "sous le seuil de 6" in shown and "étaient complètes" in shown
    assert ws.get_workspace(app_store(), "vierzon").settings.get("adjustments") is None  # never silent
    at.button(key="adj_yes_need:18140").click().run()
    at.button(key="adj_no_need:18263").click().run()
    assert not at.exception
    stored = ws.get_workspace(app_store(), "vierzon").settings["adjustments"]
    assert stored["need_factors"] == {"18140": 0.25}
    assert stored["decisions"]["need:18263"]["accepted"] is False
    assert "Massay : besoin compté ×0,25" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("adj_")]  # each decided once

    at.switch_page("app_pages/planification.py").run()
    assert not at.exception
    assert "le besoin de 1 commune(s) est corrigé" in texts(at)


def test_an_accepted_attendance_share_becomes_the_planification_setting(version):
    plan = load_plan(PLAN)
    p2 = [s for s in plan.sessions if s.series == "P2"][:3]  # Thénioux: the plan expected 3 of 10 from Méry
    home = [SessionOutcome(s.uid, True, 9, residence={"18263": 9}) for s in p2]
    store.record_outcomes(app_store(), version, home, "coordination")
    at = tournee()
    assert "0 % venaient d'une autre commune" in texts(at)
    at.button(key="adj_yes_attendance_share").click().run()
    assert not at.exception
    settings = ws.get_workspace(app_store(), "vierzon").settings
    assert settings["adjustments"]["attendance_share"] == 0.05
    assert settings["widgets"]["pl_att_share"] == 0.05
    at.switch_page("app_pages/planification.py").run()
    assert not at.exception and at.slider(key="pl_att_share").value == 0.05


def test_accueil_counts_the_past_sessions_without_a_record(version):
    plan = load_plan(PLAN)  # March–April 2026: every session is past
    store.record_outcomes(
        app_store(), version, [SessionOutcome(first_session(plan).uid, True, 6)], "coordination"
    )
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    assert f"**{len(plan.sessions) - 1} séance(s) passée(s) sans réalisé**" in texts(at)
