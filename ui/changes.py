"""What changed between two plans, shown to the coordination: after a re-plan (what moved and
why), between two versions (per commune, what each must be told) and the communes to notify.

The data comes from :mod:`planner.optimise.stability`, :mod:`planner.rules.diff` and
:mod:`planner.hosting.notify`; this module only lays it out with Streamlit.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from planner.errors import PlannerError
from planner.french import french_date, french_decimal, french_time
from planner.hosting.notify import Notice, commune_notice, communes_to_notify, send_notice, smtp_settings
from planner.model import Plan, Session
from planner.optimise.stability import explain_changes
from planner.problem import PlanningProblem
from planner.rules.diff import by_commune

log = logging.getLogger(__name__)

KIND_FR = {
    "forced": "ne peut plus avoir lieu",
    "series": "parcours touché",
    "displaced": "place d'un parcours verrouillé",
    "gain": "meilleur plan",
}


def _when(s: Session | None) -> str:
    return "" if s is None else f"{french_date(s.date)} à {french_time(s.start)}"


def render_replan_report(
    previous: Plan, plan: Plan, problem: PlanningProblem, names: Mapping[str, str]
) -> None:
    """After a re-plan: how many sessions stayed, what moved and why, and the value compared."""
    report = explain_changes(previous, plan, problem)
    before = report.unlocked_before
    moved = len(report.changes)
    imposed = sum(c.kind in ("forced", "series", "displaced") for c in report.changes)
    chosen = moved - imposed
    share = french_decimal(100 * report.moved_share(("gain",)), 1)
    locked_text = (
        "aucune séance verrouillée n'a bougé"
        if report.locked_moved == 0
        else f"{report.locked_moved} séance(s) verrouillée(s) ont bougé"
    )
    st.markdown(
        f"**Replanification : {report.kept} séance(s) gardée(s) sur {before} non verrouillée(s) ; "
        f"{moved} déplacée(s) ou retirée(s), dont {imposed} imposée(s) par les nouveaux réglages "
        f"(elles ou leur parcours ne pouvaient plus avoir lieu) et {chosen} pour un meilleur plan "
        f"({share} %) ; {locked_text}.**"
    )
    if plan.metrics.best_objective is not None:
        price = plan.metrics.best_objective - plan.metrics.objective
        st.caption(
            f"Valeur du plan : {french_decimal(report.value, 1)} ; en gardant tout ce qui pouvait l'être sans rien "
            f"ajouter : {french_decimal(report.value_if_kept, 1)} ; le meilleur plan qui ne garde rien vaudrait "
            f"{french_decimal(plan.metrics.best_objective, 1)} (la stabilité coûte {french_decimal(max(0.0, price), 1)})."
        )
    if not report.changes:
        return
    rows = [
        {
            "Commune": names.get(c.before.host, c.before.host),
            "Avant": _when(c.before),
            "Après": _when(c.after) if c.after is not None else "retirée",
            "Pourquoi": KIND_FR[c.kind],
            "Détail": c.reason,
        }
        for c in report.changes
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", placeholder="—")


def render_commune_changes(old: Plan, new: Plan, names: Mapping[str, str]) -> None:
    """Between two versions: one line per commune that changed, with what it must be told."""
    changes = [c for c in by_commune(old, new, names).values() if c.changed]
    if not changes:
        st.write("Aucune commune n'a de changement entre ces deux versions.")
        return
    st.markdown(f"**{len(changes)} commune(s) concernée(s)**")
    rows = [
        {
            "Commune": names.get(c.code_insee, c.code_insee),
            "Déplacées": len(c.moved),
            "Ajoutées": len(c.added),
            "Annulées": len(c.removed),
            "Inchangées": len(c.kept),
            "À lui dire": "\n".join(c.lines),
        }
        for c in changes
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", placeholder="—")


# ------------------------------------------------------------------------------ notifications
def _secret(name: str) -> str | None:
    try:
        section = st.secrets.get("aller_vers", {})
        value = section.get(name)
    except Exception:  # no secrets file at all
        value = None
    return value or os.environ.get("ALLER_VERS_" + name.upper()) or None


def smtp():
    """The SMTP settings (environment ``ALLER_VERS_SMTP_*`` or secrets ``[aller_vers] smtp_*``), or None."""
    try:
        return smtp_settings(_secret)
    except PlannerError as exc:
        st.warning(f"Envoi des courriels non configuré correctement : {exc}.")
        return None


def due_notices(
    engine, plan: Plan, names: Mapping[str, str], venues: Mapping[str, str], requested: set[str]
) -> list[Notice]:
    """The messages due for ``plan`` (the territory's current version): one per commune to tell."""
    from planner.store import workspace as ws

    told_versions = ws.last_notified(engine, plan.territory_spec)
    cache: dict[int, Plan | None] = {}

    def version(vid: int) -> Plan | None:
        if vid not in cache:
            try:
                cache[vid] = ws.load_version(engine, vid)
            except PlannerError:
                cache[vid] = None
        return cache[vid]

    told = {code: version(vid) for code, vid in told_versions.items()}
    due = communes_to_notify(plan, told, requested)
    return [
        commune_notice(code, plan, told.get(code), names=names, venue=venues.get(code, "")) for code in due
    ]


def render_notices(
    engine,
    plan: Plan,
    version_id: int | None,
    notices: list[Notice],
    emails: Mapping[str, str],
    actor,
) -> None:
    """One block per commune to tell: why, the message to copy, « marquer comme prévenue » and,
    when SMTP is configured and the commune gave an address, « envoyer par courriel »."""
    from planner.store import workspace as ws

    if version_id is None:
        st.info("Enregistrez d'abord ce plan : les communes sont prévenues de la version en vigueur.")
        return
    if not notices:
        st.success("Toutes les communes connaissent leurs dates dans la version en vigueur.")
        return
    settings = smtp()
    st.markdown(f"**{len(notices)} commune(s) à prévenir**")
    if settings is None:
        st.caption(
            "Copiez chaque message dans votre messagerie. Pour l'envoyer d'ici, configurez un serveur "
            "d'envoi (voir le README, section « Courriels »)."
        )
    for notice in notices:
        with st.expander(f"{notice.commune} — {notice.why}"):
            st.text_input("Objet", notice.subject, key=f"nt_subject_{notice.code_insee}", disabled=True)
            st.code(notice.body, language=None, wrap_lines=True)
            c1, c2 = st.columns(2)
            if c1.button("Marquer comme prévenue", key=f"nt_done_{notice.code_insee}"):
                ws.record_notification(
                    engine, plan.territory_spec, notice.code_insee, version_id, "copie", actor
                )
                st.rerun()
            address = emails.get(notice.code_insee, "")
            if settings is not None and address:
                if c2.button(f"Envoyer à {address}", key=f"nt_send_{notice.code_insee}"):
                    try:
                        send_notice(notice, address, settings)
                    except PlannerError as exc:
                        st.error(str(exc)[0].upper() + str(exc)[1:] + ".")
                    except Exception:  # say it, keep the page
                        log.error("sending a notice failed:\n%s", traceback.format_exc())
                        st.error("Le courriel n'est pas parti : copiez le message à la place.")
                    else:
                        ws.record_notification(
                            engine, plan.territory_spec, notice.code_insee, version_id, "courriel", actor
                        )
                        st.rerun()
            elif settings is not None:
                c2.caption("Pas d'adresse électronique dans la demande de cette commune.")
