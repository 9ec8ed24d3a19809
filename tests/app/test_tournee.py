"""Headless tests of the Tournée page: figures, map, calendar, locks, moves, re-plan, versions.

Each test plans the default Vierzon season for real (small time limit, background thread polled
within the script run) on its own SQLite database, then works on the Tournée page.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.rules.adjust import candidate_dates, move_session, session_key
from planner.store.workspace import current_plan, list_versions
from ui import plan_views as pv
from ui.auth import store


def list_plan_versions(engine):
    return list_versions(engine, "vierzon")


def locked_sessions(engine):
    """The locked sessions of the current version, as stored."""
    plan, _, _ = current_plan(engine, "vierzon")
    return tuple(s for s in plan.sessions if s.locked)


ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
LOCKS = "tn_lock_editor"


@pytest.fixture
def planned() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("app_pages/planification.py").run()
    at.number_input(key="pl_time_limit").set_value(5)
    at.button(key="pl_plan").click().run()
    assert not at.exception and "plan" in at.session_state
    at.switch_page("app_pages/tournee.py").run()
    assert not at.exception
    return at


def texts(elements) -> str:
    return " | ".join(str(e.value) for e in elements)


def slot(s):
    return (s.resource, s.host, s.date, s.start, s.end)


def test_without_a_plan_the_page_says_where_to_start():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("app_pages/tournee.py").run()
    assert not at.exception
    assert "Aucun plan pour l'instant" in texts(at.info)


def test_figures_side_by_side_with_the_baseline(planned):
    at = planned
    plan, baseline = at.session_state["plan"], at.session_state["baseline_plan"]
    metrics = {m.label: m for m in at.metric}
    assert metrics["Parcours"].value == str(len(plan.series))
    assert metrics["Séances"].value == str(plan.metrics.sessions)
    assert metrics["Participants attendus"].value.replace(
        "\u202f", " "
    ) == f"{plan.metrics.participants:,}".replace(",", " ")
    for label in ("Parcours complets", "Kilomètres", "Heures de route", "Distance au meilleur plan possible"):
        assert label in metrics
    assert metrics["Parcours"].proto.delta == f"saupoudrage : {len(baseline.series)}"
    assert metrics["Parcours complets"].proto.delta.startswith("saupoudrage : 0")


def test_aller_vers_figures_of_the_kept_plan(planned):
    from planner.publish.equity import plan_equity

    at = planned
    plan = at.session_state["plan"]
    e = plan_equity(plan)
    metrics = {m.label: m for m in at.metric}
    assert (
        metrics["Communes de ce tiers qui accueillent au moins une séance"].value
        == f"{e.least_covered_hosts} sur 12"
    )
    assert metrics["Séances dans la commune de base"].value == f"{e.base_sessions} sur {e.sessions}"
    assert "besoin non couvert" in metrics["Séances dans le tiers le moins couvert"].proto.delta
    assert metrics["Kilomètres"].value.replace("\u202f", " ").endswith("km")
    assert "Trajet de ceux qui se déplacent" in metrics


def test_offline_map_with_hosts_routes_contributions_and_unserved(planned):
    at = planned
    plan = at.session_state["plan"]
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    deck = json.loads(decks[0].proto.json)
    ids = [layer["id"] for layer in deck["layers"]]
    assert ids[0] == "outlines" and deck["layers"][0]["@@type"] == "GeoJsonLayer"
    assert {"routes", "contributions", "unserved", "hosts", "bases"} <= set(ids)
    hosts = next(layer for layer in deck["layers"] if layer["id"] == "hosts")
    assert len(hosts["data"]) == len({s.host for s in plan.series})
    unserved = next(layer for layer in deck["layers"] if layer["id"] == "unserved")
    assert len(unserved["data"]) == len(plan.unserved)
    assert "mapStyle" not in deck or not deck["mapStyle"]


def test_calendar_series_list_unserved_and_day_sheet(planned):
    at = planned
    plan = at.session_state["plan"]
    assert len(at.get("vega_lite_chart")) == 1
    gantt = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "Bus numérique · mardi matin" in json.dumps(gantt, ensure_ascii=False)
    at.radio(key="tn_cal_view").set_value("Par parcours").run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 1
    series = next(d.value for d in at.dataframe if "Commune d'accueil" in d.value.columns)
    assert len(series) == len(plan.series)
    assert set(series["Séances"]) == {plan.rules.sessions_per_series}
    reasons = next(d.value for d in at.dataframe if "Raison" in d.value.columns)
    assert len(reasons) > 0 and all(isinstance(r, str) and r for r in reasons["Raison"])
    sheet = next(d.value for d in at.dataframe if "Étape" in d.value.columns)
    steps = list(sheet["Étape"])
    assert steps[0] == "Départ de la base"
    assert steps[-1].startswith(("Retour à la base", "Fin de journée"))
    assert any(step.startswith("Séance 1/") for step in steps)
    assert "Vierzon" in set(sheet["Commune"])  # the bus's base


def test_lock_then_replan_keeps_locked_sessions_unchanged(planned):
    at = planned
    plan = at.session_state["plan"]
    ordered = sorted(plan.sessions, key=lambda s: (s.date, s.start, s.resource, s.series, s.index))
    at.session_state[LOCKS] = {
        "edited_rows": {0: {"Verrouillée": True}, 7: {"Verrouillée": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="tn_save_locks").click().run()
    assert not at.exception
    locked = [s for s in at.session_state["plan"].sessions if s.locked]
    assert [session_key(s) for s in locked] == [session_key(ordered[0]), session_key(ordered[7])]
    assert [slot(s) for s in locked_sessions(store())] == [slot(s) for s in locked]
    at.button(key="tn_replan").click().run()
    assert not at.exception
    assert "les 2 séance(s) verrouillée(s) sont inchangées" in texts(at.success)
    new = at.session_state["plan"]
    assert new is not plan
    kept = {slot(s) for s in new.sessions if s.locked}
    assert kept == {slot(s) for s in locked}
    assert [session_key(s) for s in at.session_state["problem"].locked] == [session_key(s) for s in locked]


def select_on_calendar(at: AppTest, view: str, sessions) -> None:
    """What a click on calendar cells sends: the chart's selection event (``{"cle": ...}`` points)."""
    plan = at.session_state["plan"]
    at.session_state[pv.calendar_key(plan, view)] = {
        "selection": {pv.CALENDAR_SELECTION: [{"cle": pv.session_ref(s)} for s in sessions]}
    }
    at.run()
    assert not at.exception


def test_lock_and_unlock_sessions_selected_on_the_calendar(planned):
    at = planned
    plan = at.session_state["plan"]
    first, fourth = ordered(plan)[0], ordered(plan)[3]
    assert "tn_cal_lock" not in [b.key for b in at.button]  # nothing selected, nothing offered
    before = json.dumps(json.loads(at.get("vega_lite_chart")[0].proto.spec), ensure_ascii=False)
    assert '"text": "🔒"' not in before
    select_on_calendar(at, "gantt", [fourth, first])
    assert "**2 séance(s) sélectionnée(s)**" in texts(at.markdown)
    assert at.button(key="tn_cal_lock").label == "Verrouiller ces séances (2)"
    assert at.button(key="tn_cal_unlock").disabled  # none of them is locked yet
    at.button(key="tn_cal_lock").click().run()
    assert not at.exception
    assert "2 séance(s) verrouillée(s) depuis le calendrier" in texts(at.success)
    locked = [s for s in at.session_state["plan"].sessions if s.locked]
    assert [session_key(s) for s in locked] == [session_key(first), session_key(fourth)]
    assert [slot(s) for s in locked_sessions(store())] == [slot(s) for s in locked]  # saved
    assert "tn_cal_lock" not in [b.key for b in at.button]  # the selection was reset
    gantt = json.dumps(json.loads(at.get("vega_lite_chart")[0].proto.spec), ensure_ascii=False)
    assert '"text": "🔒"' in gantt  # the padlock layer (no lock, no layer: see below)
    # the list of sessions shows the same locks
    editor = next(d.value for d in at.dataframe if "Verrouillée" in d.value.columns)
    assert int(editor["Verrouillée"].sum()) == 2

    # unlock one of them from the other view (« Par parcours »), the other lock stays
    at.radio(key="tn_cal_view").set_value("Par parcours").run()
    select_on_calendar(at, "series", [first])
    assert at.button(key="tn_cal_lock").disabled and not at.button(key="tn_cal_unlock").disabled
    at.button(key="tn_cal_unlock").click().run()
    assert not at.exception
    assert "1 séance(s) déverrouillée(s) depuis le calendrier ; 1 séance(s) verrouillée(s) au total" in texts(
        at.success
    )
    assert [session_key(s) for s in at.session_state["plan"].sessions if s.locked] == [session_key(fourth)]
    assert [slot(s) for s in locked_sessions(store())] == [slot(fourth)]


def test_a_calendar_selection_of_another_plan_offers_nothing(planned):
    at = planned
    plan = at.session_state["plan"]
    at.session_state[pv.calendar_key(plan, "gantt")] = {
        "selection": {pv.CALENDAR_SELECTION: [{"cle": "S99-00000#1"}, {}]}
    }
    at.run()
    assert not at.exception
    assert "tn_cal_lock" not in [b.key for b in at.button]
    assert "sélectionnée(s)" not in texts(at.markdown)


def ordered(plan):
    return sorted(plan.sessions, key=lambda s: (s.date, s.start, s.resource, s.series, s.index))


def find_valid_move(plan, problem):
    """A (key, new_date, new_host) the library accepts: a date first, else a whole series elsewhere."""
    for s in ordered(plan):
        if s.locked:
            continue
        for day in candidate_dates(plan, session_key(s), horizon_days=42):
            if move_session(plan, problem, session_key(s), new_date=day).ok:
                return session_key(s), day, None
    for s in ordered(plan):
        if any(x.locked for x in plan.sessions if x.series == s.series):
            continue
        for host in problem.territory.codes:
            if (
                host != s.host
                and move_session(plan, problem, session_key(s), new_host=host, whole_series=True).ok
            ):
                return session_key(s), None, host
    raise AssertionError("no valid move found in the plan")


def _out_of_order(at):
    """Swap the first and last sessions of the first series: its order breaks a preference only.

    (Moving a session of the default plan to another weekday lands on a day the bus already
    works, at that hour: a hard rule, which cannot be accepted.)
    """
    plan = at.session_state["plan"]
    sid = ordered(plan)[0].series
    mine = sorted((s for s in plan.sessions if s.series == sid), key=lambda s: s.index)
    a, b = session_key(mine[0]), session_key(mine[-1])
    at.radio(key="tn_op").set_value("Échanger deux séances").run()
    at.selectbox(key="tn_sw_a").set_value(a).run()
    at.selectbox(key="tn_sw_b").set_value(b).run()
    assert not at.exception
    return a, mine[-1].date


def test_a_move_that_breaks_a_rule_is_explained_and_waits_for_acceptance(planned):
    at = planned
    plan = at.session_state["plan"]
    _out_of_order(at)
    assert "Cette modification enfreint" in texts(at.warning)
    assert "jours avant la séance" in texts(at.markdown)  # out of order: not « -28 jours après »
    assert "— accepter quand même ?" in texts(at.markdown)
    assert "tn_mv_apply" not in [b.key for b in at.button]
    assert at.button(key="tn_mv_accept").label == "Accepter quand même et appliquer"
    assert at.session_state["plan"] is plan  # nothing changed before the click


def test_an_accepted_exception_is_recorded_shown_and_kept_by_a_replan(planned):
    at = planned
    key, day = _out_of_order(at)
    at.button(key="tn_mv_accept").click().run()
    assert not at.exception
    plan = at.session_state["plan"]
    moved = next(s for s in plan.sessions if session_key(s) == key)
    assert moved.date == day and moved.locked and moved.sequence == 1
    assert plan.accepted and all(a.by and a.on for a in plan.accepted)
    assert "exception(s) acceptée(s)" in texts(at.success)
    stored, _, _ = current_plan(store(), "vierzon")
    assert stored.accepted == plan.accepted  # in the plan file of the version
    at.button(key="tn_replan").click().run()
    assert not at.exception and not texts(at.error), texts(at.error)
    again = at.session_state["plan"]
    kept = next(s for s in again.sessions if s.uid == moved.uid)
    assert (kept.date, kept.start, kept.locked) == (moved.date, moved.start, True)
    assert again.accepted  # the exceptions still apply to the kept session


def test_a_bus_put_in_two_places_at_once_cannot_be_accepted(planned):
    """Adding a session elsewhere at the very hour of a planned one: an error says why, no
    « accepter quand même » button, and the plan (and its versions) stay as they were."""
    at = planned
    plan = at.session_state["plan"]
    busy = ordered(plan)[0]
    other = next(c for c in sorted({s.host for s in plan.sessions} | {"18279"}) if c != busy.host)
    at.radio(key="tn_op").set_value("Ajouter une séance").run()
    at.selectbox(key="tn_add_host").set_value(other).run()
    at.selectbox(key="tn_add_res").set_value(busy.resource).run()
    at.date_input(key="tn_add_day").set_value(busy.date).run()
    at.time_input(key="tn_add_start").set_value(busy.start).run()
    assert not at.exception
    assert "ne peut pas être appliquée" in texts(at.error)
    assert "ne peut être à deux endroits" in texts(at.markdown)
    assert "pas une préférence" in texts(at.caption) and "Le plan reste tel qu'il était" in texts(at.caption)
    assert "tn_mv_accept" not in [b.key for b in at.button]
    assert "tn_mv_apply" not in [b.key for b in at.button]
    assert at.session_state["plan"] is plan
    assert len(list_plan_versions(store())) == 1


def test_a_plan_saved_with_an_impossibility_can_still_be_edited_and_says_how_to_mend_it(planned):
    """A plan saved before hard rules were refused, with an overlap « accepted »: an edit of
    another series is not refused for it (that left every edit refused); the page says the
    overlap was there before and how to mend it, and the edit's own preference is accepted."""
    from dataclasses import replace

    from planner.rules.adjust import Adjustment, accept, add_session

    at = planned
    plan, problem = at.session_state["plan"], at.session_state["problem"]
    busy = ordered(plan)[0]
    other = next(c for c in sorted({s.host for s in plan.sessions} | {"18279"}) if c != busy.host)
    adj = add_session(plan, problem, host=other, resource=busy.resource, day=busy.date, start=busy.start)
    as_before = Adjustment(adj.plan, tuple(replace(v, hard=False) for v in adj.violations), adj.changed)
    at.session_state["plan"] = accept(as_before, by="avant")
    at.run()
    last = ordered(plan)[-1]
    mine = sorted((s for s in plan.sessions if s.series == last.series), key=lambda s: s.index)
    at.radio(key="tn_op").set_value("Échanger deux séances").run()
    at.selectbox(key="tn_sw_a").set_value(session_key(mine[0])).run()
    at.selectbox(key="tn_sw_b").set_value(session_key(mine[-1])).run()
    assert not at.exception
    assert "ne peut pas être appliquée" not in texts(at.error)
    assert "enfreignait déjà 1 règle(s)" in texts(at.info)
    assert "ne peut être à deux endroits" in texts(at.markdown)
    at.button(key="tn_mv_accept").click().run()
    assert not at.exception
    edited = at.session_state["plan"]
    assert next(s for s in edited.sessions if s.uid == mine[0].uid).date == mine[-1].date
    assert "Vérification du plan : 1 règle(s) enfreinte(s)" in texts(at.error)  # still shown until mended


def test_an_added_session_once_applied_is_not_proposed_again(planned):
    """After « Ajouter une séance » is applied, the date and time are cleared: they proposed the
    same addition again at once, shown as a bus in two places under « Modification appliquée »."""
    from planner.rules.adjust import add_session

    at = planned
    plan, problem = at.session_state["plan"], at.session_state["problem"]
    bus = plan.resources[0]
    host = next(c for c in sorted({s.host for s in plan.sessions}))
    day, start = next(
        (d, t)
        for d in (
            plan.season.start + timedelta(days=i) for i in range((plan.season.end - plan.season.start).days)
        )
        if plan.season.is_open(d)
        for t in (time(9, 30), time(14, 0))
        if add_session(plan, problem, host=host, resource=bus.id, day=d, start=t).acceptable
    )
    at.radio(key="tn_op").set_value("Ajouter une séance").run()
    at.selectbox(key="tn_add_host").set_value(host).run()
    at.selectbox(key="tn_add_res").set_value(bus.id).run()
    at.date_input(key="tn_add_day").set_value(day).run()
    at.time_input(key="tn_add_start").set_value(start).run()
    at.button(key="tn_mv_accept").click().run()
    assert not at.exception
    assert len(at.session_state["plan"].sessions) == len(plan.sessions) + 1
    assert "exception(s) acceptée(s)" in texts(at.success)
    assert "ne peut pas être appliquée" not in texts(at.error), texts(at.error)
    assert at.date_input(key="tn_add_day").value is None


def apply_valid_move(at):
    plan, problem = at.session_state["plan"], at.session_state["problem"]
    key, day, host = find_valid_move(plan, problem)
    at.selectbox(key="tn_mv_session").set_value(key).run()
    if day is not None:
        at.selectbox(key=f"tn_mv_date_{key}").set_value(day).run()
    else:
        at.selectbox(key=f"tn_mv_host_{key}").set_value(host).run()
    assert not at.exception
    assert "respecte toutes les règles" in texts(at.success)
    at.button(key="tn_mv_apply").click().run()
    assert not at.exception
    return key, day, host


def test_a_valid_move_is_applied_locked_and_versioned(planned):
    at = planned
    before = at.session_state["plan"]
    key, day, host = apply_valid_move(at)
    moved = next(s for s in at.session_state["plan"].sessions if session_key(s) == key)
    assert moved.locked
    if day is not None:
        assert moved.date == day
    else:
        assert moved.host == host and {
            x.host for x in at.session_state["plan"].sessions if x.series == key[0]
        } == {host}
    assert at.session_state["plan"] is not before
    labels = [v.label for v in list_plan_versions(store())]
    assert len(labels) == 2 and labels[0].startswith("Déplacement :")
    assert "Modification appliquée ; séances verrouillées." in texts(at.success)
    # the seconds are the solve's, not the hand edit's (it read « calcul : ajusté à la main en 0,2 s »)
    assert "ajusté à la main" in texts(at.caption) and "ajusté à la main en" not in texts(at.caption)


def test_versions_are_compared_and_restored(planned):
    at = planned
    first = at.session_state["plan"]
    apply_valid_move(at)
    at.text_input(key="tn_version_label").input("Version annoncée")
    at.button(key="tn_version_save").click().run()
    assert not at.exception
    versions = list_plan_versions(store())
    assert versions[0].label == "Version annoncée" and len(versions) == 3
    # compare the first version (oldest) with the newest
    at.selectbox(key="tn_diff_old").set_value(versions[-1].id).run()
    summary = texts(at.markdown)
    assert "déplacée(s)" in summary and "0 déplacée(s)" not in summary
    table = next(d.value for d in at.dataframe if "Changement" in d.value.columns)
    assert "déplacée" in set(table["Changement"])
    at.button(key="tn_version_restore").click().run()
    assert not at.exception
    assert [slot(s) for s in at.session_state["plan"].sessions] == [slot(s) for s in first.sessions]
    assert list_plan_versions(store())[0].label == f"Retour à la version n° {versions[-1].id}"


def test_exports_are_prepared_for_download(planned):
    at = planned
    at.selectbox(key="tn_export_fmt").set_value("json").run()
    at.button(key="tn_export_make").click().run()
    assert not at.exception and not at.error
    fmt, name, payload, count = at.session_state["tn_export"]
    assert fmt == "json" and count == 2 and name.endswith(".zip")  # the plan and its baseline
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        assert sorted(zf.namelist()) == ["plan_baseline.json", "plan_optimised.json"]
        plan = json.loads(zf.read("plan_optimised.json"))
    assert len(plan["sessions"]) == len(at.session_state["plan"].sessions)
    assert at.get("download_button")
    at.selectbox(key="tn_export_fmt").set_value("ics").run()
    at.button(key="tn_export_make").click().run()
    fmt, name, payload, count = at.session_state["tn_export"]
    assert fmt == "ics" and name.endswith(".zip") and count > 1


def test_a_restart_loses_nothing(planned):
    at = planned
    at.session_state[LOCKS] = {
        "edited_rows": {2: {"Verrouillée": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="tn_save_locks").click().run()
    locked = [slot(s) for s in at.session_state["plan"].sessions if s.locked]
    at.text_input(key="tn_version_label").input("Avant redémarrage")
    at.button(key="tn_version_save").click().run()
    assert not at.exception
    # a new session on the same database (a reload, a sign-in): the plan comes back by itself
    fresh = AppTest.from_file(APP, default_timeout=60)
    fresh.run()
    fresh.switch_page("app_pages/tournee.py").run()
    assert not fresh.exception
    assert "Aucun plan pour l'instant" not in texts(fresh.info)
    plan = fresh.session_state["plan"]
    assert [slot(s) for s in plan.sessions if s.locked] == locked
    assert fresh.session_state["problem"].territory.spec == "vierzon"
    assert fresh.session_state["baseline_plan"].kind == "baseline"
    assert fresh.button(key="tn_replan").disabled is False  # adjusting works again


def test_day_sheet_times_follow_the_drive_times(planned):
    from ui.plan_views import day_sheet, fr_clock, names_of, working_days

    plan, problem = planned.session_state["plan"], planned.session_state["problem"]
    bus = plan.resources[0]
    days = working_days(plan, bus.id)
    assert days
    for day in days[:6]:
        todays = sorted(
            (s for s in plan.sessions if s.resource == bus.id and s.date == day), key=lambda s: s.start
        )
        rows = day_sheet(plan, problem, bus.id, day, names=names_of(problem.territory))
        assert [r["Heure"] for r in rows if r["Étape"].startswith("Séance")] == [
            f"{fr_clock(s.start)} – {fr_clock(s.end)}" for s in todays
        ]
        # departure: first start minus the drive from the base, rounded down to 5 min, not before day_start
        t = (
            datetime.combine(day, todays[0].start)
            - timedelta(minutes=problem.matrix.minutes(bus.base, todays[0].host))
        ).time()
        leave = max(time(t.hour, t.minute - t.minute % 5), bus.day_start)
        assert rows[0]["Étape"] == "Départ de la base" and rows[0]["Heure"] == fr_clock(leave)
        assert rows[0]["Commune"] == "Vierzon"
        last = rows[-1]["Étape"]
        assert (
            last.startswith("Fin de journée")
            if todays[-1].host == bus.base
            else last.startswith("Retour à la base")
        )


def test_distance_to_the_best_plan_is_said_in_plain_words(planned):
    from ui.plan_views import QUALITY_LABEL, key_figures

    at = planned
    plan, baseline = at.session_state["plan"], at.session_state["baseline_plan"]
    quality = next(f for f in key_figures(plan, baseline) if f.label == QUALITY_LABEL)
    assert quality.plan == pytest.approx(plan.metrics.gap)
    # the saupoudrage: at least this far below the plan (so below the best possible), never past 100 %
    expected = (plan.metrics.objective - baseline.metrics.objective) / plan.metrics.objective
    assert quality.baseline == pytest.approx(min(1.0, max(0.0, expected)))
    metric = next(m for m in at.metric if m.label == QUALITY_LABEL)
    assert metric.value.startswith("au plus ") and metric.value.endswith(" %")
    assert metric.proto.delta.startswith("saupoudrage : au moins ") and "en dessous" in metric.proto.delta
    assert "borne" not in " ".join(m.label for m in at.metric).lower()


def test_new_settings_keep_the_locked_sessions(planned):
    at = planned
    at.session_state[LOCKS] = {
        "edited_rows": {1: {"Verrouillée": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="tn_save_locks").click().run()
    locked = [slot(s) for s in at.session_state["plan"].sessions if s.locked]
    assert len(locked) == 1
    at.switch_page("app_pages/planification.py").run()
    assert at.checkbox(key="pl_keep_locks").value is True
    at.number_input(key="pl_catchment").set_value(20)
    at.button(key="pl_plan").click().run()
    assert not at.exception, at.exception
    plan = at.session_state["plan"]
    assert plan.rules.catchment_minutes == 20
    assert [slot(s) for s in plan.sessions if s.locked] == locked


def test_locks_that_new_settings_cannot_keep_are_explained(planned):
    at = planned
    at.session_state[LOCKS] = {
        "edited_rows": {0: {"Verrouillée": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="tn_save_locks").click().run()
    before = at.session_state["plan"]
    at.switch_page("app_pages/planification.py").run()
    # the bus now works on Wednesdays only: the locked Tuesday/Friday session cannot be kept
    at.session_state["pl_res_editor_vierzon"] = {
        "edited_rows": {0: {"Jours": ["mercredi"]}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="pl_plan").click().run()
    assert not at.exception
    errors = texts(at.error)
    assert "Le calcul n'a pas abouti" in errors and "verrouillée" in errors
    assert "Traceback" not in errors
    assert "Plan précédent conservé" in texts(at.success)
    assert at.session_state["plan"] is before
    at.run()  # the explanation stays until a solve succeeds
    assert "Le calcul n'a pas abouti" in texts(at.error)


def test_publishing_feeds_the_calendars_and_the_lieux_export_needs_a_siret(planned):
    from planner.store import publications

    at = planned
    assert publications.published_plans(store()) is None
    at.button(key="tn_publish").click().run()
    assert not at.exception
    current, previous = publications.published_plans(store())
    assert previous == () and current.sessions == at.session_state["plan"].sessions
    assert at.button(key="tn_publish").disabled  # the plan on screen is the published one
    token, _ = publications.create_resource_feed(store(), current.resources[0].id, "test")
    from planner.hosting.feed_server import feed_bytes

    assert feed_bytes(store(), token)[0].count(b"BEGIN:VEVENT") == len(current.sessions)
    # the national standard: refused without the structure's SIRET, written with it
    at.selectbox(key="tn_export_fmt").set_value("lieux").run()
    at.button(key="tn_export_make").click().run()
    assert at.error and "SIRET" in at.error[0].value
    at.text_input(key="tn_pub_name").input("Communauté de communes Vierzon-Sologne-Berry")
    at.text_input(key="tn_pub_siret").input("20009056100015").run()
    at.button(key="tn_export_make").click().run()
    assert not at.exception and not at.error
    fmt, name, payload, count = at.session_state["tn_export"]
    assert (fmt, name, count) == ("lieux", "lieux_mediation_itinerants.csv", 1)
    assert payload.decode("utf-8").count("Itinérant") == len({s.host for s in current.sessions})


def test_every_export_format_is_offered_the_spreadsheet_first():
    from planner.publish import FORMATS
    from ui.publishing import EXPORT_DESCRIPTIONS

    assert list(EXPORT_DESCRIPTIONS) == list(FORMATS) and FORMATS[0] == "xlsx"


def test_the_communes_to_notify_and_their_messages(planned):
    at = planned
    plan = at.session_state["plan"]
    hosts = {s.host for s in plan.sessions}
    buttons = [b.key for b in at.button if b.key and b.key.startswith("nt_done_")]
    assert {k.removeprefix("nt_done_") for k in buttons} == hosts  # a first plan: every host
    first = sorted(hosts)[0]
    assert any("Ateliers numériques à" in c.value and "vos dates" in c.value for c in at.text_input)
    at.button(key=f"nt_done_{first}").click().run()
    assert not at.exception
    assert f"nt_done_{first}" not in [b.key for b in at.button]
    at.switch_page("app_pages/accueil.py").run()
    todo = texts(at.markdown)
    assert f"**{len(hosts) - 1} commune(s) à prévenir**" in todo


def test_two_coordinators_locking_at_the_same_time_both_keep_their_locks(planned):
    """Claire (this session) and Paul (another browser) open the same plan and lock different
    sessions: both locks are kept, and Claire's page says Paul's were added."""
    claire = planned
    paul = AppTest.from_file(APP, default_timeout=60)
    paul.run()
    paul.switch_page("app_pages/tournee.py").run()
    plan = claire.session_state["plan"]
    assert [slot(s) for s in paul.session_state["plan"].sessions] == [slot(s) for s in plan.sessions]
    edit = {"added_rows": [], "deleted_rows": []}
    paul.session_state[LOCKS] = {"edited_rows": {5: {"Verrouillée": True}, 6: {"Verrouillée": True}}, **edit}
    paul.button(key="tn_save_locks").click().run()
    claire.session_state[LOCKS] = {"edited_rows": {0: {"Verrouillée": True}}, **edit}
    claire.button(key="tn_save_locks").click().run()
    assert not claire.exception
    assert len(locked_sessions(store())) == 3
    assert sum(s.locked for s in claire.session_state["plan"].sessions) == 3
    assert "2 verrouillage(s) fait(s) entre-temps par un autre membre" in texts(claire.info)
    # Paul now moves a session: his page still shows the plan without Claire's lock, it is merged in
    apply_valid_move(paul)
    assert len([s for s in current_plan(store(), "vierzon")[0].sessions if s.locked]) >= 3


def test_a_version_saved_by_another_coordinator_refuses_a_stale_edit(planned):
    claire = planned
    paul = AppTest.from_file(APP, default_timeout=60)
    paul.run()
    paul.switch_page("app_pages/tournee.py").run()
    paul.text_input(key="tn_version_label").input("Version de Paul")
    paul.button(key="tn_version_save").click().run()
    before = claire.session_state["plan"]
    apply_valid_move(claire)
    assert "le plan a changé depuis que vous l'avez ouvert" in texts(claire.error).lower()
    assert list_plan_versions(store())[0].label == "Version de Paul"
    claire.button(key="tn_reload").click().run()
    assert not claire.exception and not texts(claire.error)
    assert [slot(s) for s in claire.session_state["plan"].sessions] == [slot(s) for s in before.sessions]
