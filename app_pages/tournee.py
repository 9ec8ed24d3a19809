"""Tournée: the season's plan — key figures, map, calendar, series, day sheets; hand edits with
accepted exceptions, stable re-plans, communes to notify, versions, exports.

The plan shown is the territory's current version (restored from the database on a reload or a
sign-in, :mod:`ui.workspace`). Every change — locks, a hand edit, a re-plan, going back to a
version — is written through the workspace's optimistic versioning: merged with what another
coordinator did meanwhile, or refused with a French message and a « Recharger » button.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from planner.errors import PlannerError
from planner.french import plan_status_fr
from planner.model import Season
from planner.optimise import stability
from planner.problem import SolveParams
from planner.rules.adjust import (
    EDITED,
    accept,
    add_session,
    candidate_dates,
    find_session,
    locked_sessions,
    missing_locked,
    move_series,
    move_session,
    replan_problem,
    set_locked,
    swap_sessions,
    with_locks,
)
from planner.rules.check import HARD_REASON, check_with_exceptions
from planner.rules.diff import describe_diff, diff_plans, diff_rows, resource_names
from planner.store import workspace as ws
from ui import changes as uc
from ui import plan_views as pv
from ui import planning as up
from ui import workspace as uw
from ui.auth import current_actor, require_role

LOCK_EDITOR = "tn_lock_editor"
REPORT_KEY = "tn_last_replan"

st.title("Tournée de la saison")
require_role("coordinator")

up.collect()
job = up.current_job()
if job is not None and not job.collected:
    up.show_progress(job, cancel_key="tn_cancel")
    if up.collect(job):
        locked_before = job.problem.locked
        lost = missing_locked(st.session_state[up.PLAN_KEY], locked_before)
        if locked_before and not lost:
            st.session_state["tn_flash"] = (
                "success",
                f"Plan recalculé : les {len(locked_before)} séance(s) verrouillée(s) sont inchangées.",
            )
        elif lost:
            st.session_state["tn_flash"] = (
                "error",
                f"{len(lost)} séance(s) verrouillée(s) ont changé : vérifiez.",
            )
        if job.previous is not None:
            st.session_state[REPORT_KEY] = (job.previous, job.plan, job.problem)
    elif up.last_error():
        st.error(f"Le calcul n'a pas abouti : {up.last_error()}")

plan = st.session_state.get(up.PLAN_KEY)
if plan is None:
    st.info("Aucun plan pour l'instant : réglez la saison et lancez le calcul sur la page Planification.")
    st.page_link("app_pages/planification.py", label="Aller à la planification", icon=":material/tune:")
    st.stop()

problem = st.session_state.get(up.PROBLEM_KEY)
baseline = st.session_state.get(up.BASELINE_KEY)
if problem is None or problem.territory.spec != plan.territory_spec:
    # a plan restored from the database: rebuild what it answers, from the plan file
    try:
        problem = up.problem_for(plan)
    except PlannerError as exc:
        st.error(f"Le territoire de ce plan ne peut pas être chargé : {exc}")
        st.stop()
    st.session_state[up.PROBLEM_KEY] = problem
if baseline is None and plan.kind == "optimised":
    try:
        baseline = replace(up.baseline_of(problem), inputs=plan.inputs)
        st.session_state[up.BASELINE_KEY] = baseline
    except Exception:  # the comparison is optional: the plan shows without it
        baseline = None
territory = problem.territory
names = pv.names_of(territory)
spec = plan.territory_spec
engine = uw.engine()

flash = st.session_state.pop("tn_flash", None)
if flash:
    getattr(st, flash[0])(flash[1])
merged = st.session_state.pop(uw.MERGED_KEY, None)
if merged:
    st.info(
        f"{merged} verrouillage(s) fait(s) entre-temps par un autre membre de la coordination ont été "
        "ajoutés au plan affiché."
    )
uw.show_conflict(spec, "tn")

# ------------------------------------------------------------------------------- header
# an edited plan keeps the seconds of the solve it came from: they are not the edit's
seconds = "" if plan.metrics.status == EDITED else f" en {pv.french_decimal(plan.metrics.solve_seconds, 1)} s"
st.caption(
    f"{territory.name} — saison du {plan.season.start:%d/%m/%Y} au {plan.season.end:%d/%m/%Y} · "
    f"calcul : {plan_status_fr(plan.metrics)}{seconds}. Sous chaque chiffre : le même indicateur pour le "
    "« saupoudrage » (une séance par commune, à tour de rôle, sur les mêmes jours de tournée)."
)
pv.render_key_figures(plan, baseline)
with st.expander("Aller vers : le plan va-t-il aux moins couverts ?", expanded=True):
    st.caption(
        "Le « tiers le moins couvert » : le tiers des communes que les lieux fixes (EPN, France services…) "
        "aident le moins. Un plan qui va vers les personnes éloignées de l'aide leur donne au moins la part "
        "des séances qui correspond à leur besoin non couvert, et ne fait pas venir les gens de loin."
    )
    pv.render_equity(plan, baseline)
if not plan.series:
    st.warning(
        "Aucun parcours n'a pu être ouvert avec ces réglages : les raisons, commune par commune, sont dans "
        "l'onglet « Non desservies » (seuil, rayon, jours, prise électrique…)."
    )
report = st.session_state.get(REPORT_KEY)
if report is not None and report[1] is plan:
    with st.expander("Ce que le nouveau calcul a changé, et pourquoi", expanded=True):
        uc.render_replan_report(report[0], report[1], report[2], names)

tabs = st.tabs(
    [
        "Carte",
        "Calendrier",
        "Parcours",
        "Non desservies",
        "Feuille de route",
        "Ajuster",
        "Communes à prévenir",
        "Versions",
        "Exports",
        "Réalisé",
    ],
    # The server keeps the open tab (on_change="rerun") and sends it with every rerun. Kept only in
    # the browser, a loaded machine sometimes reopened « Carte » after a message appeared or went
    # above the tabs (a lock from the calendar, a move, a re-plan), in the middle of an edit.
    key="tn_tabs",
    on_change="rerun",
)


def _save_locks(before, after, done: str) -> None:
    """Store lock changes (merged with others'), or say why they were not saved."""
    st.session_state.pop(LOCK_EDITOR, None)
    if uw.save_locks(before, after):
        total = len(locked_sessions(st.session_state[up.PLAN_KEY]))
        st.session_state["tn_flash"] = ("success", f"{done} ; {total} séance(s) verrouillée(s) au total.")


# ------------------------------------------------------------------------------- map
with tabs[0]:
    st.pydeck_chart(pv.plan_deck(plan, territory), height=560)
    legend = " · ".join(
        f'<span style="color:rgb{pv.resource_colour(plan, r.id)}">■</span> {r.name}' for r in plan.resources
    )
    st.html(
        f'<div style="font-size:0.85rem">{legend} — cercles pleins : communes d\'accueil (taille = participants) ; '
        "traits gris : d'où viennent les participants ; lignes colorées : tournées ; "
        '<span style="color:rgb(200,30,30)">cercles rouges</span> : communes non desservies ; '
        "points noirs : bases.</div>"
    )


# ------------------------------------------------------------------------------- calendar
def _lock_from_calendar(keys: list[tuple[str, int]], locked: bool) -> None:
    """Lock (or unlock) the sessions selected on the calendar, keep the other locks, save them."""
    current = st.session_state[up.PLAN_KEY]
    known = {(s.series, s.index) for s in current.sessions}
    keys = [k for k in keys if k in known]
    new = set_locked(current, keys, locked)
    word = "verrouillée(s)" if locked else "déverrouillée(s)"
    _save_locks(current, new, f"{len(keys)} séance(s) {word} depuis le calendrier")


with tabs[1]:
    view = st.radio("Vue", ["Par moyen itinérant", "Par parcours"], horizontal=True, key="tn_cal_view")
    by_resource = view == "Par moyen itinérant"
    chart, height, kind = (
        (pv.gantt_chart, pv.gantt_height, "gantt")
        if by_resource
        else (pv.series_chart, pv.series_height, "series")
    )
    event = st.altair_chart(
        chart(plan, names),
        width="stretch",
        height=height(plan, names),
        key=pv.calendar_key(plan, kind),
        on_select="rerun",
        selection_mode=pv.CALENDAR_SELECTION,
    )
    if by_resource:  # HTML: it wraps at any width (Vega's legend was cut)
        st.html(pv.gantt_legend_html(plan, names))
    st.caption(
        "Une ligne par jour de tournée et demi-journée, une colonne par semaine ; couleur = commune d'accueil ; "
        "🔒 = séance verrouillée ; bandes grises = jours fermés. Survolez une case pour le détail."
        if by_resource
        else "Une ligne par commune d'accueil : la régularité des parcours se voit d'un coup d'œil ; "
        "carré = séance verrouillée."
    )
    picked = pv.selected_sessions(plan, event)
    if not picked:
        st.caption(
            "Pour verrouiller des séances déjà annoncées : cliquez sur leurs cases (un second clic les "
            "désélectionne, un double-clic vide la sélection), puis « Verrouiller ces séances »."
        )
    else:
        k_sizes = pv.series_sizes(plan)
        st.markdown(f"**{len(picked)} séance(s) sélectionnée(s)**")
        st.markdown(
            "\n".join(
                f"- {'🔒 ' if s.locked else ''}{names.get(s.host, s.host)} — séance {s.index}/"
                f"{k_sizes.get(s.series, 1)} — {pv.fr_day(s.date)} {pv.fr_clock(s.start)} "
                f"({pv.resource_name(plan, s.resource)})"
                for s in picked
            )
        )
        to_lock = [(s.series, s.index) for s in picked if not s.locked]
        to_unlock = [(s.series, s.index) for s in picked if s.locked]
        c1, c2 = st.columns(2)
        c1.button(
            f"Verrouiller ces séances ({len(to_lock)})",
            on_click=_lock_from_calendar,
            args=(to_lock, True),
            disabled=not to_lock,
            key="tn_cal_lock",
            icon=":material/lock:",
            type="primary",
        )
        c2.button(
            f"Déverrouiller ces séances ({len(to_unlock)})",
            on_click=_lock_from_calendar,
            args=(to_unlock, False),
            disabled=not to_unlock,
            key="tn_cal_unlock",
            icon=":material/lock_open:",
        )

# ------------------------------------------------------------------------------- series and locks
with tabs[2]:
    st.markdown(f"**{len(plan.series)} parcours**")
    st.dataframe(
        pv.series_frame(plan, names),
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config={"Parcours (id)": None},
    )
    st.markdown(
        "**Séances** — cochez celles déjà annoncées pour les verrouiller : un nouveau calcul ne les bougera pas."
    )
    frame = pv.sessions_frame(plan, names)

    def _apply_locks() -> None:
        current = st.session_state[up.PLAN_KEY]
        base = pv.sessions_frame(current, names)
        flags = [bool(x) for x in base["Verrouillée"]]
        state = st.session_state.get(LOCK_EDITOR) or {}
        for row, changes in (state.get("edited_rows") or {}).items():
            if "Verrouillée" in changes:
                flags[int(row)] = bool(changes["Verrouillée"])
        keys = [
            (sid, int(n))
            for sid, n, flag in zip(base["Parcours (id)"], base["n°"], flags, strict=True)
            if flag
        ]
        _save_locks(
            current, with_locks(current, keys), f"{len(keys)} séance(s) verrouillée(s) enregistrée(s)"
        )

    st.data_editor(
        frame,
        key=LOCK_EDITOR,
        hide_index=True,
        width="stretch",
        placeholder="—",
        disabled=[c for c in frame.columns if c != "Verrouillée"],
        column_config={
            "Verrouillée": st.column_config.CheckboxColumn(
                "🔒", help="Séance annoncée : ne plus la déplacer."
            ),
            "Date": st.column_config.DateColumn(format="DD/MM/YYYY"),
            "Parcours (id)": None,
            "n°": None,
        },
    )
    st.button(
        "Enregistrer les verrouillages", on_click=_apply_locks, key="tn_save_locks", icon=":material/lock:"
    )

# ------------------------------------------------------------------------------- unserved
with tabs[3]:
    table = pv.unserved_frame(plan, names)
    refused = table[table["Demande"] != ""]
    left = table[table["Demande"] == ""]
    st.markdown(f"**Demandes non retenues ({len(refused)})**")
    if not problem.requests:
        st.write("Aucune demande d'accueil n'était incluse dans ce calcul.")
    elif refused.empty:
        st.write("Toutes les demandes incluses ont un parcours.")
    else:
        st.dataframe(refused, hide_index=True, width="stretch", placeholder="—")
    st.markdown(f"**Communes avec un besoin non couvert et sans parcours ({len(left)})**")
    if left.empty:
        st.write("Aucune.")
    else:
        st.dataframe(left.drop(columns=["Demande"]), hide_index=True, width="stretch", placeholder="—")

# ------------------------------------------------------------------------------- day sheet
with tabs[4]:
    c1, c2 = st.columns(2)
    rid = c1.selectbox(
        "Moyen itinérant",
        [r.id for r in plan.resources],
        format_func=lambda r: pv.resource_name(plan, r),
        key="tn_ds_res",
    )
    days = pv.working_days(plan, rid)
    if not days:
        st.info("Ce moyen n'a aucune séance dans le plan.")
    else:
        day = c2.selectbox("Jour", days, format_func=pv.fr_day, key=f"tn_ds_day_{rid}")
        sheet = pv.day_sheet(plan, problem, rid, day, names=names, hosts=up.host_details())
        route = next((r for r in plan.routes if r.resource == rid and r.date == day), None)
        st.markdown(
            f"**{pv.resource_name(plan, rid)} — {pv.fr_day(day)}**"
            + (
                f" · {pv.french_decimal(route.km, 1)} km, {pv.french_decimal(route.drive_minutes)} min de route"
                if route
                else ""
            )
        )
        st.dataframe(pd.DataFrame(sheet), hide_index=True, width="stretch", placeholder="—")
        st.caption(
            "Lieux et contacts : ceux des demandes d'accueil acceptées ; « Mairie » quand la commune n'a rien précisé."
        )


# ------------------------------------------------------------------------------- adjust
def _session_label(s) -> str:
    k_of = pv.series_sizes(plan)
    return (
        f"{names.get(s.host, s.host)} — séance {s.index}/{k_of.get(s.series, 1)} — "
        f"{pv.fr_day(s.date)} {pv.fr_clock(s.start)} ({pv.resource_name(plan, s.resource)})"
    )


def _series_label(sid: str) -> str:
    mine = sorted((s for s in plan.sessions if s.series == sid), key=lambda s: s.index)
    if not mine:
        return sid
    first = mine[0]
    return (
        f"{names.get(first.host, first.host)} — {pv.WEEKDAY_NAMES_FR[first.date.weekday()]} "
        f"{pv.fr_clock(first.start)}, du {first.date:%d/%m} au {mine[-1].date:%d/%m} "
        f"({pv.resource_name(plan, first.resource)})"
    )


def _host_select(where, label: str, current: str, key: str) -> str:
    """A commune of the territory, by name, starting at ``current``."""
    hosts = sorted(names, key=lambda c: names[c])
    return where.selectbox(
        label,
        hosts,
        index=hosts.index(current) if current in hosts else 0,
        format_func=lambda c: names.get(c, c),
        key=key,
    )


def _propose(adj, label: str) -> None:
    """Show what an edit breaks and offer to apply it — « accepter quand même » when it breaks rules."""
    if not adj.acceptable:
        # a resource in two places at once, a drive that cannot fit…: no button, the plan stays as it is
        st.error(
            f"Cette modification ne peut pas être appliquée : elle enfreint {len(adj.hard)} règle(s) "
            "qu'on ne peut pas accepter."
        )
        st.markdown("\n".join(f"- {v.message}" for v in adj.hard))
        st.caption(
            f"{HARD_REASON} Le plan reste tel qu'il était : choisissez une autre date, heure ou commune."
        )
        return
    if adj.ok:
        st.success(
            "Cette modification respecte toutes les règles. Les séances modifiées seront verrouillées."
        )
    elif adj.standing:
        # not this edit's doing (a plan saved before they were refused…): they must not block every edit
        st.info(
            f"Le plan enfreignait déjà {len(adj.standing)} règle(s) qu'on ne peut pas accepter ; cette "
            "modification n'y change rien. Pour les corriger : déverrouillez puis déplacez la séance en "
            "cause, revenez à une version antérieure (onglet « Versions ») ou replanifiez."
        )
        st.markdown("\n".join(f"- {v.message}" for v in adj.standing))
    if not adj.soft:
        if st.button("Appliquer", key="tn_mv_apply", type="primary"):
            _apply(set_locked(adj.plan, adj.changed), label, "Modification appliquée ; séances verrouillées.")
        return
    st.warning(f"Cette modification enfreint {len(adj.soft)} règle(s) :")
    st.markdown("\n".join(f"- {v.message} — accepter quand même ?" for v in adj.soft))
    st.caption(
        "Accepter garde la modification telle quelle : l'exception est notée dans le plan (et montrée par la "
        "vérification), les séances concernées sont verrouillées et un nouveau calcul les gardera."
    )
    if st.button("Accepter quand même et appliquer", key="tn_mv_accept", type="primary"):
        accepted = accept(adj, by=up.author())
        _apply(accepted, label, f"Modification appliquée avec {len(adj.soft)} exception(s) acceptée(s).")


#: The inputs of « Ajouter une séance », cleared once it is applied: kept, they proposed the same
#: addition again at once, refused as a bus in two places under « Modification appliquée ».
ADD_INPUTS = ("tn_add_day", "tn_add_start", "tn_add_series")


def _apply(new_plan, label: str, done: str) -> None:
    st.session_state.pop(LOCK_EDITOR, None)
    if uw.commit(new_plan, label[:200], baseline=baseline):
        st.session_state["tn_flash"] = ("success", done)
        st.session_state.pop(REPORT_KEY, None)
        for key in ADD_INPUTS:
            st.session_state.pop(key, None)
    st.rerun()


with tabs[5]:
    result = check_with_exceptions(plan, problem)
    if result.open:
        st.error(f"Vérification du plan : {len(result.open)} règle(s) enfreinte(s).")
        st.markdown("\n".join(f"- {v.message}" for v in result.open))
    else:
        st.success(
            "Vérification du plan : toutes les règles sont respectées"
            + (f", avec {len(result.accepted)} exception(s) acceptée(s)." if result.accepted else ".")
        )
    if result.accepted:
        with st.expander(f"Exceptions acceptées ({len(result.accepted)})"):
            by_message = {a.message: a for a in plan.accepted}
            for v in result.accepted:
                a = by_message.get(v.message)
                who = (
                    f" — acceptée par {a.by} le {date.fromisoformat(a.on):%d/%m/%Y}"
                    if a and a.by and a.on
                    else ""
                )
                st.markdown(f"- {v.message}{who}")

    operation = st.radio(
        "Modification à la main",
        ["Déplacer une séance", "Déplacer tout un parcours", "Échanger deux séances", "Ajouter une séance"],
        horizontal=True,
        key="tn_op",
    )
    movable = [s for s in pv.ordered(plan.sessions) if not s.locked]
    adj, label = None, ""
    try:
        if operation == "Déplacer une séance":
            if not movable:
                st.info("Toutes les séances sont verrouillées : déverrouillez celle à déplacer.")
            else:
                keys = [(s.series, s.index) for s in movable]
                key = st.selectbox(
                    "Séance",
                    keys,
                    format_func=lambda k: _session_label(find_session(plan, k)),
                    key="tn_mv_session",
                )
                s = find_session(plan, key)
                c1, c2, c3 = st.columns(3)
                dates = sorted({s.date, *candidate_dates(plan, key, horizon_days=42)})
                new_date = c1.selectbox(
                    "Nouvelle date",
                    dates,
                    index=dates.index(s.date),
                    format_func=pv.fr_day,
                    key=f"tn_mv_date_{key}",
                )
                new_start = c2.time_input(
                    "Nouvelle heure de début", value=s.start, step=900, key=f"tn_mv_start_{key}"
                )
                new_host = _host_select(c3, "Nouvelle commune d'accueil", s.host, f"tn_mv_host_{key}")
                c1, c2 = st.columns(2)
                whole = c1.checkbox(
                    "Déplacer tout le parcours dans cette commune (un parcours a lieu au même endroit)",
                    value=True,
                    key=f"tn_mv_whole_{key}",
                    disabled=new_host == s.host,
                )
                together = c2.checkbox(
                    "Changer l'heure de tout le parcours (même heure chaque semaine)",
                    value=True,
                    key=f"tn_mv_times_{key}",
                    disabled=new_start == s.start,
                )
                if new_date != s.date or new_start != s.start or new_host != s.host:
                    adj = move_session(
                        plan,
                        problem,
                        key,
                        new_date=new_date,
                        new_start=new_start,
                        new_host=new_host if new_host != s.host else None,
                        whole_series=whole,
                        series_times=together,
                    )
                    label = f"Déplacement : {_session_label(s)}"
                else:
                    st.caption("Choisissez une autre date, heure ou commune pour vérifier le déplacement.")
        elif operation == "Déplacer tout un parcours":
            free = sorted({s.series for s in movable} - {s.series for s in plan.sessions if s.locked})
            if not free:
                st.info("Chaque parcours a une séance verrouillée : déverrouillez le parcours à déplacer.")
            else:
                sid = st.selectbox("Parcours", free, format_func=_series_label, key="tn_ms_series")
                first = min((s for s in plan.sessions if s.series == sid), key=lambda s: s.index)
                c1, c2, c3 = st.columns(3)
                weeks = c1.number_input("Décaler de (semaines)", -20, 20, 0, key=f"tn_ms_weeks_{sid}")
                new_start = c2.time_input(
                    "Heure de début", value=first.start, step=900, key=f"tn_ms_start_{sid}"
                )
                new_host = _host_select(c3, "Commune d'accueil", first.host, f"tn_ms_host_{sid}")
                if weeks or new_start != first.start or new_host != first.host:
                    adj = move_series(
                        plan,
                        problem,
                        sid,
                        days=7 * int(weeks),
                        new_start=new_start if new_start != first.start else None,
                        new_host=new_host if new_host != first.host else None,
                    )
                    label = f"Parcours déplacé : {_series_label(sid)}"
        elif operation == "Échanger deux séances":
            if len(movable) < 2:
                st.info("Il faut deux séances non verrouillées.")
            else:
                keys = [(s.series, s.index) for s in movable]
                c1, c2 = st.columns(2)
                a = c1.selectbox(
                    "Séance", keys, format_func=lambda k: _session_label(find_session(plan, k)), key="tn_sw_a"
                )
                b = c2.selectbox(
                    "avec la séance",
                    keys,
                    index=1,
                    format_func=lambda k: _session_label(find_session(plan, k)),
                    key="tn_sw_b",
                )
                if a != b:
                    adj = swap_sessions(plan, problem, a, b)
                    label = f"Échange : {_session_label(find_session(plan, a))}"
        else:
            hosts = sorted(names, key=lambda c: names[c])
            c1, c2 = st.columns(2)
            host = c1.selectbox("Commune", hosts, format_func=lambda c: names.get(c, c), key="tn_add_host")
            rid = c2.selectbox(
                "Moyen itinérant",
                [r.id for r in plan.resources],
                format_func=lambda r: pv.resource_name(plan, r),
                key="tn_add_res",
            )
            at_host = sorted({s.series for s in plan.sessions if s.host == host})
            c1, c2, c3 = st.columns(3)
            day = c1.date_input("Date", value=None, format="DD/MM/YYYY", key="tn_add_day")
            start = c2.time_input("Heure de début", value=None, step=900, key="tn_add_start")
            series_id = c3.selectbox(
                "Parcours",
                [None, *at_host],
                format_func=lambda x: (
                    "Séance isolée" if x is None else f"En plus du parcours {_series_label(x)}"
                ),
                key="tn_add_series",
            )
            if day is not None and start is not None:
                adj = add_session(
                    plan, problem, host=host, resource=rid, day=day, start=start, series_id=series_id
                )
                label = f"Séance ajoutée : {names.get(host, host)}, {pv.fr_day(day)}"
            else:
                st.caption("Choisissez la date et l'heure de la séance à ajouter.")
    except PlannerError as exc:
        adj = None
        st.error(str(exc)[0].upper() + str(exc)[1:] + ".")
    if adj is not None:
        _propose(adj, label)

    st.divider()
    locks = locked_sessions(plan)
    st.markdown(
        f"**Replanifier** — à partir du plan actuel, autour des {len(locks)} séance(s) verrouillée(s)"
    )
    st.caption(
        "Les séances verrouillées restent exactement où elles sont ; les autres ne bougent que comme le dit "
        "la stabilité choisie. Les règles, moyens et saison sont ceux du plan actuel."
    )
    c1, c2 = st.columns(2)
    level = stability.level(
        c1.selectbox(
            "Stabilité",
            [x.key for x in stability.LEVELS],
            index=[x.key for x in stability.LEVELS].index(
                st.session_state.get("pl_stability", stability.DEFAULT_LEVEL)
            ),
            format_func=lambda k: stability.level(k).label,
            key="tn_stability",
            help=" ".join(f"« {x.label} » : {x.help}" for x in stability.LEVELS),
        )
    )
    working = sorted(
        d
        for r in plan.resources
        for d in (
            plan.season.start + timedelta(days=i)
            for i in range((plan.season.end - plan.season.start).days + 1)
        )
        if d.weekday() in r.weekdays and plan.season.is_open(d)
    )
    closing = c2.multiselect(
        "Fermer aussi ces jours",
        sorted(set(working)),
        format_func=pv.fr_day,
        key="tn_close_days",
        placeholder="Aucun jour de plus",
        select_all=False,
        help="Une panne, un congé de l'équipe… : les séances de ces jours seront replacées.",
    )
    reason = c2.text_input("Motif de la fermeture", value="Fermeture exceptionnelle", key="tn_close_reason")
    limit = int(st.session_state.get("pl_time_limit", 30))
    if st.button(
        "Replanifier",
        key="tn_replan",
        icon=":material/refresh:",
        disabled=job is not None and not job.done,
    ):
        season = plan.season
        if closing:
            season = Season(
                season.start,
                season.end,
                season.closed_dates | set(closing),
                {**season.closed_reasons, **{d: reason.strip() or "Fermeture" for d in closing}},
            )
            stored = uw.settings().get("closed") or []
            known = {r.get("Date") for r in stored}
            uw.save_settings(
                spec,
                {
                    "closed": stored
                    + [
                        {"Date": d.isoformat(), "Motif": reason.strip() or "Fermeture"}
                        for d in closing
                        if d.isoformat() not in known
                    ]
                },
            )
            for key in ("pl_closed_rows", "pl_closed_editor", "pl_closed_base"):
                st.session_state.pop(key, None)
        params = SolveParams(
            time_limit_s=float(limit),
            gap=float(st.session_state.get("pl_gap", 0.5)) / 100.0,
            seed=int(st.session_state.get("pl_seed", 0)),
        )
        from ui.adjustments import recalibrated, stored
        from ui.realised_entry import lock_held_sessions

        up.start_job(
            lock_held_sessions(
                replan_problem(
                    replace(recalibrated(problem, plan), season=season),
                    plan,
                    keep_value=level.keep_value,
                    frozen_before=date.today(),
                ),
                plan,
                engine,
            ),
            params,
            label=f"Replanification ({level.label.lower()})"
            + (f", {len(closing)} jour(s) fermé(s) en plus" if closing else ""),
            previous=plan,
            need_factors=stored().need_factors or plan.inputs.need_factors,
        )
        st.rerun()

# ------------------------------------------------------------------------------- communes to notify
with tabs[6]:
    from planner.store.repo import list_requests

    try:
        records = list_requests(engine, include_contact=True)
    except Exception:
        records = ()
    venues = {r.form.code_insee: r.form.venue for r in records if r.status in ("accepted", "scheduled")}
    emails = {r.form.code_insee: r.form.contact_email for r in records if r.form.contact_email}
    requested = {r.form.code_insee for r in records if r.status in ("accepted", "scheduled")} & set(names)
    requested |= {q.code_insee for q in plan.inputs.requests}
    st.caption(
        "Chaque commune d'accueil doit connaître ses dates ; après un changement, celles dont les dates ont "
        "bougé, et celles dont la demande ne peut pas être servie, doivent être prévenues."
    )
    notices = uc.due_notices(engine, plan, names, venues, requested)
    uc.render_notices(engine, plan, st.session_state.get(up.VERSION_KEY), notices, emails, current_actor())

# ------------------------------------------------------------------------------- versions
with tabs[7]:
    try:
        versions = ws.list_versions(engine, spec)
    except Exception as exc:
        versions = []
        st.warning(f"Historique indisponible : {exc}")
    current_id = st.session_state.get(up.VERSION_KEY)
    c1, c2 = st.columns([3, 1])
    label = c1.text_input("Nom de la version", value="Plan annoncé aux communes", key="tn_version_label")
    if c2.button("Enregistrer la version actuelle", key="tn_version_save"):
        if uw.commit(plan, label, baseline=baseline):
            st.session_state["tn_flash"] = ("success", f"Version « {label} » enregistrée.")
        st.rerun()
    if versions:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "n°": v.id,
                        "Nom": v.label,
                        "Auteur": v.author,
                        "Enregistrée le": v.created_at.astimezone().strftime("%d/%m/%Y %H:%M"),
                        "Type": {"optimised": "optimisé", "baseline": "saupoudrage"}.get(v.kind, v.kind),
                        "Séances": v.n_sessions,
                        "En vigueur": "✔" if v.id == current_id else "",
                    }
                    for v in versions
                ]
            ),
            hide_index=True,
            width="stretch",
            placeholder="—",
        )
    if len(versions) >= 2:
        ids = [v.id for v in versions]
        by_id = {v.id: v for v in versions}

        def _vlabel(i: int) -> str:
            return f"n° {i} — {by_id[i].label}"

        c1, c2 = st.columns(2)
        old_id = c1.selectbox("Comparer la version", ids, index=1, format_func=_vlabel, key="tn_diff_old")
        new_id = c2.selectbox("avec la version", ids, index=0, format_func=_vlabel, key="tn_diff_new")
        old_plan, new_plan = ws.load_version(engine, old_id), ws.load_version(engine, new_id)
        diff = diff_plans(old_plan, new_plan)
        resources = {**resource_names(old_plan), **resource_names(new_plan)}
        lines = describe_diff(diff, names, resources)
        st.markdown(f"**{lines[0]}**")
        for line in lines[1:3]:
            if line.startswith("Parcours"):
                st.markdown(line)
        st.markdown("**Par commune : ce qu'il faut lui dire**")
        uc.render_commune_changes(old_plan, new_plan, names)
        rows = diff_rows(diff, names, resources)
        if rows:
            with st.expander("Toutes les séances changées"):
                st.dataframe(
                    pd.DataFrame(rows).rename(
                        columns={
                            "change": "Changement",
                            "commune": "Commune",
                            "séance": "Séance",
                            "avant": "Avant",
                            "après": "Après",
                        }
                    ),
                    hide_index=True,
                    width="stretch",
                    placeholder="—",
                )
        if st.button(f"Revenir à la version n° {old_id}", key="tn_version_restore"):
            try:
                restored, new_base = ws.make_current(engine, spec, old_id, current_actor(), base=uw.base())
            except ws.PlanConflict as exc:
                st.session_state[uw.CONFLICT_KEY] = str(exc)
            else:
                st.session_state[up.PLAN_KEY] = restored
                st.session_state[uw.BASE_KEY] = new_base
                st.session_state[up.VERSION_KEY] = new_base.version_id
                st.session_state.pop(up.BASELINE_KEY, None)
                st.session_state.pop(LOCK_EDITOR, None)
                st.session_state["tn_flash"] = ("success", f"Retour à la version n° {old_id}.")
            st.rerun()
    elif versions:
        st.caption("Une seule version enregistrée : la comparaison apparaîtra à la suivante.")

# ------------------------------------------------------------------------------- exports
with tabs[8]:
    from planner.publish import export_plan
    from ui import publishing

    engine = up.engine()
    publishing.publish_panel(engine, plan, st.session_state.get(up.VERSION_KEY), current_actor())
    st.divider()
    fmt = st.selectbox(
        "Format",
        list(publishing.EXPORT_DESCRIPTIONS),
        format_func=publishing.EXPORT_DESCRIPTIONS.get,
        key="tn_export_fmt",
    )
    if fmt == "lieux":
        publishing.publisher_inputs()
    if st.button("Préparer le fichier", key="tn_export_make"):
        with st.spinner("Préparation…"), tempfile.TemporaryDirectory() as tmp:
            try:
                files = export_plan(
                    plan,
                    fmt,
                    tmp,
                    problem=problem,
                    territory=territory,
                    baseline=baseline,
                    hosts=up.host_details(),
                    previous=publishing.previous_publications(engine, st.session_state.get(up.VERSION_KEY)),
                    publisher=publishing.publisher(),
                )
            except PlannerError as exc:
                st.error(str(exc))
                files = []
            if len(files) == 1:
                payload, name = Path(files[0]).read_bytes(), Path(files[0]).name
            elif files:
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
                    for f in files:
                        zf.write(f, Path(f).relative_to(tmp))
                payload, name = buffer.getvalue(), f"aller-vers-{fmt}.zip"
            if files:
                st.session_state["tn_export"] = (fmt, name, payload, len(files))
    ready = st.session_state.get("tn_export")
    if ready and ready[0] == fmt:
        st.download_button(
            f"Télécharger {ready[1]} ({ready[3]} fichier(s))",
            ready[2],
            file_name=ready[1],
            key="tn_export_dl",
        )

# ------------------------------------------------------------------------------- realised
with tabs[9]:
    from ui import realised_entry

    realised_entry.render_tab(plan, problem, engine, names, current_actor())
