"""Tournée, tab « Réalisé »: what happened to each planned session, entered or imported.

- a quick form (one session: held with its participants, or cancelled with a reason), usable
  with the keyboard alone (Tab, arrows, Entrée) and on a tablet;
- the table of the season's sessions, editable for several at once, saved in one transaction;
- the import of a Coop activity export or a simple attendance sheet: matched sessions, and the
  activities that fit no session (listed, never dropped), with the privacy note on screen;
- planned vs done (:mod:`ui.bilan_realised`).

Everything is stored in the database with the plan version (:mod:`planner.store.realised`);
names and notes of an import are dropped while reading.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from planner.errors import PlannerError
from planner.file_errors import reading
from planner.french import french_date
from planner.model import Plan, Session
from planner.realised.importing import PRIVACY_NOTE, ImportResult, import_file
from planner.realised.outcome import CANCEL_REASONS, MAX_PARTICIPANTS, SOURCES, SessionOutcome
from planner.realised.season import RealisedSeason
from planner.store import realised as store
from ui.bilan_realised import namer

HELD, CANCELLED, UNRECORDED = "Tenue", "Annulée", "Non renseignée"
FLASH_KEY = "tn_real_flash"
IMPORT_KEY = "tn_real_import"
TABLE_KEY = "tn_real_table"
NEXT_KEY = "tn_real_next"
#: Reasons by French label, for the table's selectbox column.
REASON_BY_LABEL = {label: code for code, label in CANCEL_REASONS.items()}


def _clock(s: Session) -> str:
    return f"{s.start.hour} h {s.start.minute:02d}"


def session_label(s: Session, names: Mapping[str, str], k_of: Mapping[str, int]) -> str:
    """« Massay — mar. 3 mars 2026, 9 h 30 — séance 2/5 »."""
    return f"{names.get(s.host, s.host)} — {french_date(s.date)}, {_clock(s)} — séance {s.index}/{k_of.get(s.series, 1)}"


def default_session(plan: Plan, realised: RealisedSeason, today: date) -> int:
    """Index (in date order) of the session to offer first: the latest past one not yet recorded."""
    ordered = sorted(plan.sessions, key=lambda s: (s.date, s.start, s.series))
    past = [i for i, s in enumerate(ordered) if s.date <= today and s.uid not in realised.outcomes]
    if past:
        return past[-1]
    todo = [i for i, s in enumerate(ordered) if s.uid not in realised.outcomes]
    return todo[0] if todo else 0


def outcome_from_entry(uid: str, status: str, participants: int | None, reason_label: str | None):
    """The outcome an entry describes (``None`` for « non renseignée »).

    Raises
    ------
    InputError
        A held session without participants, a cancelled one without a reason… (French).
    """
    if status == UNRECORDED:
        return None
    if status == HELD:
        return SessionOutcome(uid, True, int(participants or 0))
    code = REASON_BY_LABEL.get(reason_label or "", "")
    return SessionOutcome(uid, False, 0, cancel_reason=code)


def _flash() -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        getattr(st, flash[0])(flash[1])


def _quick_form(plan, engine, version, realised, names, actor) -> None:
    ordered = sorted(plan.sessions, key=lambda s: (s.date, s.start, s.series))
    k_of: dict[str, int] = {}
    for s in plan.sessions:
        k_of[s.series] = k_of.get(s.series, 0) + 1
    by_uid = {s.uid: s for s in ordered}
    st.markdown("**Saisie rapide** — une séance : tenue avec ses participants, ou annulée avec son motif.")
    following = st.session_state.pop(NEXT_KEY, None)
    if following in by_uid:  # after a save, the form offers the next session not yet recorded
        st.session_state["tn_real_session"] = following
        st.session_state.pop("tn_real_participants", None)
    with st.form("tn_real_form", enter_to_submit=True):
        uid = st.selectbox(
            "Séance",
            [s.uid for s in ordered],
            index=default_session(plan, realised, date.today()),
            format_func=lambda u: (
                session_label(by_uid[u], names, k_of) + (" ✔" if u in realised.outcomes else "")
            ),
            key="tn_real_session",
            help="Par défaut : la dernière séance passée qui n'est pas encore renseignée (✔ : déjà renseignée).",
        )
        c1, c2, c3 = st.columns([2, 1, 2])
        status = c1.radio(
            "Ce qui s'est passé", [HELD, CANCELLED, UNRECORDED], horizontal=True, key="tn_real_status"
        )
        participants = c2.number_input(
            "Participants", 0, MAX_PARTICIPANTS, 0, 1, key="tn_real_participants", help="Si tenue."
        )
        reason = c3.selectbox(
            "Motif, si annulée",
            list(REASON_BY_LABEL),
            index=None,
            key="tn_real_reason",
            placeholder="Choisir",
        )
        done = st.form_submit_button("Enregistrer", icon=":material/check:", type="primary")
    if not done:
        return
    s = by_uid[uid]
    try:
        outcome = outcome_from_entry(uid, status, participants, reason)
        if outcome is None:
            store.record_outcomes(engine, version, (), actor, clear=(uid,))
            what = "remise à « non renseignée »"
        else:
            store.record_outcome(engine, version, outcome, actor)
            what = (
                f"tenue, {outcome.participants} participant{'s' if outcome.participants > 1 else ''}"
                if outcome.held
                else f"annulée ({outcome.reason_label})"
            )
    except PlannerError as exc:
        st.error(f"Rien n'est enregistré : {exc}.")
        return
    st.session_state[FLASH_KEY] = ("success", f"{session_label(s, names, k_of)} : {what}. Enregistré.")
    later = [
        x.uid for x in ordered if (x.date, x.start) > (s.date, s.start) and x.uid not in realised.outcomes
    ]
    if later:
        st.session_state[NEXT_KEY] = later[0]
    st.session_state.pop(TABLE_KEY, None)
    st.rerun()


def entry_frame(plan: Plan, realised: RealisedSeason, names: Mapping[str, str]) -> pd.DataFrame:
    """The season's sessions with what was recorded: the editable table (``uid`` last, hidden)."""
    rows = []
    for s in sorted(plan.sessions, key=lambda s: (s.date, s.start, s.series)):
        o = realised.outcomes.get(s.uid)
        rows.append(
            {
                "Date": s.date,
                "Début": _clock(s),
                "Commune": names.get(s.host, s.host),
                "Séance n°": s.index,
                "Statut": UNRECORDED if o is None else (HELD if o.held else CANCELLED),
                "Motif d'annulation": None if o is None or o.held else o.reason_label,
                "Participants": None if o is None or not o.held else o.participants,
                "Source": "" if o is None else SOURCES[o.source],
                "uid": s.uid,
            }
        )
    return pd.DataFrame(rows)


def table_changes(
    base: pd.DataFrame, edited_rows: Mapping
) -> tuple[list[SessionOutcome], list[str], list[str]]:
    """Outcomes to store, uids to clear, and French errors (``« date, commune » : why``) of the edited rows."""
    outcomes, clear, errors = [], [], []
    for row, changes in edited_rows.items():
        line = base.iloc[int(row)].to_dict() | dict(changes)
        where = f"{french_date(line['Date'])}, {line['Commune']}"
        participants = line.get("Participants")
        participants = None if participants is None or pd.isna(participants) else int(participants)
        try:
            outcome = outcome_from_entry(
                line["uid"], line["Statut"], participants, line.get("Motif d'annulation")
            )
        except PlannerError as exc:
            errors.append(f"{where} : {exc}")
            continue
        if outcome is None:
            clear.append(line["uid"])
        else:
            outcomes.append(outcome)
    return outcomes, clear, errors


def _table(plan, engine, version, realised, names, actor) -> None:
    st.markdown(
        "**Toutes les séances** — changez le statut, le motif ou les participants de plusieurs séances, puis "
        "« Enregistrer le tableau » (tout est enregistré, ou rien si une ligne est incomplète)."
    )
    base = entry_frame(plan, realised, names)
    st.data_editor(
        base,
        key=TABLE_KEY,
        hide_index=True,
        width="stretch",
        placeholder="—",
        disabled=["Date", "Début", "Commune", "Séance n°", "Source"],
        column_config={
            "Date": st.column_config.DateColumn(format="DD/MM/YYYY"),
            "Statut": st.column_config.SelectboxColumn(options=[HELD, CANCELLED, UNRECORDED], required=True),
            "Motif d'annulation": st.column_config.SelectboxColumn(options=list(REASON_BY_LABEL)),
            "Participants": st.column_config.NumberColumn(min_value=0, max_value=MAX_PARTICIPANTS, step=1),
            "uid": None,
        },
    )
    if st.button("Enregistrer le tableau", key="tn_real_table_save", icon=":material/save:"):
        edited = (st.session_state.get(TABLE_KEY) or {}).get("edited_rows") or {}
        outcomes, clear, errors = table_changes(base, edited)
        if errors:
            st.error("Rien n'est enregistré. À corriger :\n\n" + "\n".join(f"- {e}" for e in errors))
            return
        try:
            n = store.record_outcomes(engine, version, outcomes, actor, clear=clear)
        except PlannerError as exc:
            st.error(f"Rien n'est enregistré : {exc}.")
            return
        st.session_state[FLASH_KEY] = ("success", f"{n} séance(s) enregistrée(s).")
        st.session_state.pop(TABLE_KEY, None)
        st.rerun()


def import_upload(name: str, data: bytes, plan: Plan) -> ImportResult:
    """Read an uploaded Coop export or attendance sheet and match it to ``plan`` (nothing stored).

    Raises
    ------
    InputError
        Unreadable file or cell, in French, naming the file, line and column.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        with reading(name, data):
            return import_file(path, plan)


def leftovers_frame(items) -> pd.DataFrame:
    """The activities an import could not attach, for display (never dropped)."""
    return pd.DataFrame(
        [
            {
                "Ligne": x.row,
                "Date": x.day,
                "Lieu": x.place,
                "Participants": x.participants,
                "État": "non rattachée" if x.status == "unmatched" else "ambiguë",
                "Pourquoi": x.reason,
            }
            for x in items
        ],
        columns=["Ligne", "Date", "Lieu", "Participants", "État", "Pourquoi"],
    )


def _import(plan, engine, version, names, actor) -> None:
    st.markdown(
        "**Importer** un export de la Coop de la médiation numérique (feuille « Activités », tel quel) ou une "
        "feuille de présence simple (date, commune, participants, tranches d'âge facultatives)."
    )
    st.info(PRIVACY_NOTE, icon=":material/shield_person:")
    upload = st.file_uploader("Fichier (.xlsx ou .csv)", type=["xlsx", "csv"], key="tn_real_file")
    if st.button("Importer", key="tn_real_import_go", disabled=upload is None, icon=":material/upload:"):
        try:
            result = import_upload(upload.name, upload.getvalue(), plan)
            import_id = store.save_import(engine, version, result, actor)
        except PlannerError as exc:
            st.error(f"Rien n'est importé : {exc}.")
        else:
            st.session_state[IMPORT_KEY] = (import_id, result.warnings)
            st.session_state.pop(TABLE_KEY, None)
            st.rerun()
    imports = store.list_imports(engine, version)
    if not imports:
        return
    last, warnings = st.session_state.get(IMPORT_KEY) or (imports[0].id, ())
    info = next((i for i in imports if i.id == last), imports[0])
    st.success(
        f"Import du {info.at.astimezone():%d/%m/%Y à %H:%M} ({SOURCES[info.source]}) : {info.activities} activité(s) "
        f"lue(s), {info.matched} rattachée(s) à une séance du plan, {info.unmatched} non rattachée(s), "
        f"{info.ambiguous} ambiguë(s)."
    )
    matched = [o for o in store.list_outcomes(engine, version) if o.import_id == info.id]
    if matched:
        with st.expander(f"Séances rattachées par cet import ({len(matched)})"):
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "Date": o.day,
                            "Commune": names.get(o.host, o.host),
                            "Statut": HELD if o.outcome.held else CANCELLED,
                            "Participants": o.outcome.participants,
                            "Motif d'annulation": o.outcome.reason_label,
                        }
                        for o in matched
                    ]
                ),
                hide_index=True,
                width="stretch",
                column_config={"Date": st.column_config.DateColumn(format="DD/MM/YYYY")},
            )
    rest = store.leftovers(engine, info.id)
    if rest:
        st.markdown(
            f"**Activités non rattachées ({len(rest)})** — gardées pour vérification (effectifs seulement) : "
            "une séance hors plan, une commune mal écrite… Saisissez-les à la main si elles correspondent à une "
            "séance."
        )
        st.dataframe(
            leftovers_frame(rest),
            hide_index=True,
            width="stretch",
            column_config={"Date": st.column_config.DateColumn(format="DD/MM/YYYY")},
        )
    for w in warnings:
        st.caption(w)


def render_entry(plan: Plan, engine, version: int, realised: RealisedSeason, names, actor) -> None:
    """The entry part of the « Réalisé » tab: form, table, import (names: ``code_insee -> name``)."""
    name = namer(names)
    full = {code: name(code) for code in {s.host for s in plan.sessions}}
    _flash()
    _quick_form(plan, engine, version, realised, full, actor)
    with st.expander("Toutes les séances de la saison"):
        _table(plan, engine, version, realised, full, actor)
    with st.expander("Importer un fichier d'activités", expanded=True):
        _import(plan, engine, version, full, actor)


def render_tab(plan: Plan, problem, engine, names: Mapping[str, str], actor) -> None:
    """The whole « Réalisé » tab of Tournée: entry, import, planned vs done, proposed adjustments."""
    from planner.publish.report import CostRates, ReportContext
    from ui import bilan_realised as br

    version = br.plan_version(engine, plan)
    if version is None:  # the réalisé belongs to a stored version of the plan
        st.info("Ce plan n'est pas encore enregistré : le réalisé se rattache à une version enregistrée.")
        if not st.button("Enregistrer cette version du plan", key="tn_real_save_version"):
            return
        try:
            version = store.ensure_plan_version(engine, plan, "Plan de saison (réalisé)", actor)
        except PlannerError as exc:
            st.error(f"Le plan ne peut pas être enregistré : {exc}.")
            return
        st.rerun()
    realised = store.realised_for_version(engine, version, plan)
    st.caption(
        "Ce qui s'est passé, séance par séance : c'est ce que montre le Bilan (prévu et réalisé), ce qui reste en "
        "place lors d'un nouveau calcul (les séances tenues sont verrouillées d'office) et ce qui sert à ajuster "
        "la saison suivante."
    )
    render_entry(plan, engine, version, realised, names, actor)
    st.subheader("Prévu et réalisé")
    ctx = ReportContext.from_problem(problem) if problem is not None else None
    br.render_planned_vs_done(plan, realised, ctx, CostRates(), names, key="tn")
    st.subheader("Ajustements proposés pour la suite")
    from ui import adjustments

    adjustments.render(plan, realised, names)


def lock_held_sessions(problem, plan: Plan, engine=None):
    """``problem`` with the held sessions of ``plan`` (as stored for its version) locked.

    Used by the re-plans of Planification and Tournée: what happened is never moved. Without a
    stored version or a database, ``problem`` is returned unchanged.
    """
    import logging
    import traceback

    from planner.realised.locks import lock_held
    from ui import bilan_realised as br

    try:
        if engine is None:
            from ui.auth import store as app_store

            engine = app_store()
        version = br.plan_version(engine, plan)
        if version is None:
            return problem
        return lock_held(problem, plan, store.realised_for_version(engine, version, plan))
    except PlannerError:
        logging.getLogger(__name__).error("locking held sessions failed:\n%s", traceback.format_exc())
        return problem
