"""Tournée: the season's plan — key figures, map, calendar, series, day sheets; adjust and re-plan."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from planner.errors import PlannerError
from planner.french import PLAN_STATUS_FR
from planner.problem import SolveParams
from planner.rules.adjust import (
    candidate_dates,
    find_session,
    locked_sessions,
    missing_locked,
    move_session,
    replan_problem,
    set_locked,
    with_locks,
)
from planner.rules.diff import describe_diff, diff_plans, diff_rows
from ui import plan_views as pv
from ui import planning as up
from ui.auth import current_actor, require_role

LOCK_EDITOR = "tn_lock_editor"

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
    elif up.last_error():
        st.error(f"Le calcul n'a pas abouti : {up.last_error()}")

plan = st.session_state.get(up.PLAN_KEY)
if plan is None:
    st.info("Aucun plan pour l'instant : réglez la saison et lancez le calcul sur la page Planification.")
    st.page_link("app_pages/planification.py", label="Aller à la planification", icon=":material/tune:")
    try:
        versions = up.list_versions()
    except Exception:
        versions = []
    if versions:
        last = versions[0]
        when = last.created_at.astimezone().strftime("%d/%m/%Y %H:%M")
        if st.button(f"Reprendre le dernier plan enregistré : « {last.label} » du {when}", key="tn_resume"):
            st.session_state[up.PLAN_KEY] = up.load_version(last.id)
            st.session_state[up.VERSION_KEY] = last.id
            st.rerun()
    st.stop()

problem = st.session_state.get(up.PROBLEM_KEY)
baseline = st.session_state.get(up.BASELINE_KEY)
if problem is None or problem.territory.spec != plan.territory_spec:
    # a plan from the history (e.g. after a restart): rebuild what it answers
    try:
        problem = up.problem_for(plan)
    except PlannerError as exc:
        st.error(f"Le territoire de ce plan ne peut pas être chargé : {exc}")
        st.stop()
    st.session_state[up.PROBLEM_KEY] = problem
    baseline = None
if baseline is None and plan.kind == "optimised":
    try:
        from planner.optimise.solve import solve_baseline

        baseline = solve_baseline(replace(problem, locked=()))
        st.session_state[up.BASELINE_KEY] = baseline
    except Exception:  # the comparison is optional: the plan shows without it
        baseline = None
territory = problem.territory
names = pv.names_of(territory)

flash = st.session_state.pop("tn_flash", None)
if flash:
    getattr(st, flash[0])(flash[1])

# ------------------------------------------------------------------------------- header
st.caption(
    f"{territory.name} — saison du {plan.season.start:%d/%m/%Y} au {plan.season.end:%d/%m/%Y} · "
    f"calcul : {PLAN_STATUS_FR.get(plan.metrics.status, plan.metrics.status)} en "
    f"{pv.french_decimal(plan.metrics.solve_seconds, 1)} s. Sous chaque chiffre : le même indicateur pour le "
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

tabs = st.tabs(
    [
        "Carte",
        "Calendrier",
        "Parcours",
        "Non desservies",
        "Feuille de route",
        "Ajuster",
        "Versions",
        "Exports",
    ],
    # the key keeps the open tab when a message appears above the tabs (after a lock from the
    # calendar, a move, a re-plan): without it the tabs would reopen on « Carte ». No state
    # tracking (on_change): switching tabs stays in the browser, without a rerun.
    key="tn_tabs",
)

# ------------------------------------------------------------------------------- map
with tabs[0]:
    st.pydeck_chart(pv.plan_deck(plan, territory), height=560)
    legend = " · ".join(
        f'<span style="color:rgb{pv.resource_colour(plan, r.id)}">■</span> {r.label or r.id}'
        for r in plan.resources
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
    st.session_state[up.PLAN_KEY] = new
    st.session_state.pop(LOCK_EDITOR, None)
    up.save_locks(new)
    st.session_state["tn_flash"] = (
        "success",
        f"{len(keys)} séance(s) {'verrouillée(s)' if locked else 'déverrouillée(s)'} depuis le calendrier ; "
        f"{len(locked_sessions(new))} séance(s) verrouillée(s) au total.",
    )


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
    st.dataframe(pv.series_frame(plan, names), hide_index=True, width="stretch")
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
        new = with_locks(current, keys)
        st.session_state[up.PLAN_KEY] = new
        st.session_state.pop(LOCK_EDITOR, None)
        up.save_locks(new)
        st.session_state["tn_flash"] = ("success", f"{len(keys)} séance(s) verrouillée(s) enregistrée(s).")

    st.data_editor(
        frame,
        key=LOCK_EDITOR,
        hide_index=True,
        width="stretch",
        disabled=[c for c in frame.columns if c != "Verrouillée"],
        column_config={
            "Verrouillée": st.column_config.CheckboxColumn(
                "🔒", help="Séance annoncée : ne plus la déplacer."
            ),
            "Date": st.column_config.DateColumn(format="DD/MM/YYYY"),
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
    if problem is not None and not problem.requests:
        st.write("Aucune demande d'accueil n'était incluse dans ce calcul.")
    elif refused.empty:
        st.write("Toutes les demandes incluses ont un parcours.")
    else:
        st.dataframe(refused, hide_index=True, width="stretch")
    st.markdown(f"**Communes avec un besoin non couvert et sans parcours ({len(left)})**")
    if left.empty:
        st.write("Aucune.")
    else:
        st.dataframe(left.drop(columns=["Demande"]), hide_index=True, width="stretch")

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
        st.dataframe(pd.DataFrame(sheet), hide_index=True, width="stretch")
        st.caption(
            "Lieux et contacts : ceux des demandes d'accueil acceptées ; « Mairie » quand la commune n'a rien précisé."
        )

# ------------------------------------------------------------------------------- adjust
with tabs[5]:
    st.markdown("**Déplacer une séance** — chaque règle est vérifiée aussitôt.")
    movable = [s for s in pv.ordered(plan.sessions) if not s.locked]
    if not plan.sessions:
        st.info("Le plan ne contient aucune séance.")
    elif not movable:
        st.info("Toutes les séances sont verrouillées.")
    else:
        k_of = pv.series_sizes(plan)
        keys = [(s.series, s.index) for s in movable]

        def _label(key: tuple[str, int]) -> str:
            s = find_session(plan, key)
            return (
                f"{names.get(s.host, s.host)} — séance {s.index}/{k_of.get(s.series, 1)} — "
                f"{pv.fr_day(s.date)} {pv.fr_clock(s.start)} ({pv.resource_name(plan, s.resource)})"
            )

        key = st.selectbox("Séance", keys, format_func=_label, key="tn_mv_session")
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
        hosts = sorted(names, key=lambda c: names[c])
        new_host = c3.selectbox(
            "Nouvelle commune d'accueil",
            hosts,
            index=hosts.index(s.host) if s.host in hosts else 0,
            format_func=lambda c: names.get(c, c),
            key=f"tn_mv_host_{key}",
        )
        whole = st.checkbox(
            "Déplacer tout le parcours dans cette commune (un parcours a lieu au même endroit)",
            value=True,
            key=f"tn_mv_whole_{key}",
            disabled=new_host == s.host,
        )
        changed = new_date != s.date or new_start != s.start or new_host != s.host
        if changed:
            try:
                adj = move_session(
                    plan,
                    problem,
                    key,
                    new_date=new_date,
                    new_start=new_start,
                    new_host=new_host if new_host != s.host else None,
                    whole_series=whole,
                )
            except PlannerError as exc:
                adj = None
                st.error(str(exc))
            if adj is not None:
                if adj.ok:
                    st.success("Ce déplacement respecte toutes les règles. La séance sera verrouillée.")
                else:
                    st.error(f"Ce déplacement enfreint {len(adj.violations)} règle(s) :")
                    for v in adj.violations:
                        st.markdown(f"- {v.message}")
                    st.caption(
                        "Choisissez une autre date ou commune, ou verrouillez ce qui est annoncé et replanifiez."
                    )
                if st.button(
                    "Appliquer ce déplacement", disabled=not adj.ok, key="tn_mv_apply", type="primary"
                ):
                    st.session_state[up.PLAN_KEY] = adj.plan
                    st.session_state.pop(LOCK_EDITOR, None)
                    up.save_locks(adj.plan)
                    try:
                        st.session_state[up.VERSION_KEY] = up.save_version(
                            adj.plan, f"Déplacement : {_label(key)}"[:200], up.author()
                        )
                    except Exception as exc:
                        st.session_state["version_error"] = str(exc)
                    st.session_state["tn_flash"] = ("success", "Séance déplacée et verrouillée.")
                    st.rerun()
        else:
            st.caption("Choisissez une autre date, heure ou commune pour vérifier le déplacement.")

    st.divider()
    locks = locked_sessions(plan)
    st.markdown(f"**Replanifier autour des {len(locks)} séance(s) verrouillée(s)**")
    st.caption(
        "Les séances verrouillées restent exactement où elles sont ; tout le reste est recalculé avec les "
        "réglages du dernier calcul."
    )
    limit = int(st.session_state.get("pl_time_limit", 30))
    if not locks:
        st.info(
            "Aucune séance verrouillée : cochez d'abord les séances annoncées dans l'onglet « Parcours » "
            "ou sélectionnez-les sur le « Calendrier »."
        )
    if st.button(
        "Replanifier",
        key="tn_replan",
        icon=":material/refresh:",
        disabled=not locks or (job is not None and not job.done),
    ):
        params = SolveParams(
            time_limit_s=float(limit),
            gap=float(st.session_state.get("pl_gap", 0.5)) / 100.0,
            seed=int(st.session_state.get("pl_seed", 0)),
        )
        up.start_job(
            replan_problem(problem, plan),
            params,
            label=f"Replanification autour de {len(locks)} séance(s) verrouillée(s)",
            with_baseline=baseline is None,
        )
        st.rerun()

# ------------------------------------------------------------------------------- versions
with tabs[6]:
    try:
        versions = up.list_versions()
    except Exception as exc:
        versions = []
        st.warning(f"Historique indisponible : {exc}")
    current_id = st.session_state.get(up.VERSION_KEY)
    c1, c2 = st.columns([3, 1])
    label = c1.text_input("Nom de la version", value="Plan annoncé aux communes", key="tn_version_label")
    if c2.button("Enregistrer la version actuelle", key="tn_version_save"):
        try:
            st.session_state[up.VERSION_KEY] = up.save_version(plan, label, up.author())
            st.session_state["tn_flash"] = ("success", f"Version « {label} » enregistrée.")
            st.rerun()
        except PlannerError as exc:
            st.error(str(exc))
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
                        "Actuelle": "✔" if v.id == current_id else "",
                    }
                    for v in versions
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    if len(versions) >= 2:
        ids = [v.id for v in versions]
        by_id = {v.id: v for v in versions}

        def _vlabel(i: int) -> str:
            return f"n° {i} — {by_id[i].label}"

        c1, c2 = st.columns(2)
        old_id = c1.selectbox("Comparer la version", ids, index=1, format_func=_vlabel, key="tn_diff_old")
        new_id = c2.selectbox("avec la version", ids, index=0, format_func=_vlabel, key="tn_diff_new")
        diff = diff_plans(up.load_version(old_id), up.load_version(new_id))
        lines = describe_diff(diff, names)
        st.markdown(f"**{lines[0]}**")
        for line in lines[1:3]:
            if line.startswith("Parcours"):
                st.markdown(line)
        rows = diff_rows(diff, names)
        if rows:
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
            )
        if st.button(f"Revenir à la version n° {old_id}", key="tn_version_restore"):
            st.session_state[up.PLAN_KEY] = up.load_version(old_id)
            st.session_state[up.VERSION_KEY] = old_id
            st.session_state.pop(LOCK_EDITOR, None)
            st.rerun()
    elif versions:
        st.caption("Une seule version enregistrée : la comparaison apparaîtra à la suivante.")

# ------------------------------------------------------------------------------- exports
with tabs[7]:
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
