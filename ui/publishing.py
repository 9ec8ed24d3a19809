"""Publishing on the pages: the published tour, calendar feeds and the export downloads.

Every calendar comes from :mod:`planner.publish` (the one writer) and the published plans from
:mod:`planner.store.publications`; this module only reads widgets and renders.
"""

from __future__ import annotations

import logging
import os
import traceback
from typing import Any

import streamlit as st

from planner.errors import PlannerError
from planner.store import publications as pub
from planner.store.access import DEFAULT_BASE_URL, TOKEN_PARAM

log = logging.getLogger(__name__)


def base_url() -> str:
    """The dashboard's address as communes reach it (``ALLER_VERS_BASE_URL``)."""
    return os.environ.get("ALLER_VERS_BASE_URL", "") or DEFAULT_BASE_URL


def show_feed_url(url: str, what: str) -> None:
    """A feed address to copy, and how to subscribe to it."""
    st.markdown(f"**Abonnement au calendrier {what}** — adresse à copier dans votre agenda :")
    st.code(url, language=None)
    st.caption(
        "Thunderbird : Nouvel agenda › Sur le réseau ; Outlook : Ajouter un calendrier › À partir "
        "d'Internet ; Google Agenda : Autres agendas › À partir de l'URL ; iPhone : Réglages › "
        f"Calendrier › Comptes › Ajouter un calendrier avec abonnement. Lien direct : {pub.webcal(url)}. "
        "L'agenda se met à jour tout seul (dates déplacées, séances annulées)."
    )


def published(engine) -> tuple[Any, tuple] | None:
    """The published plan and the earlier publications, or ``None`` (also when the base fails)."""
    try:
        return pub.published_plans(engine)
    except Exception:
        log.error("reading the publications failed:\n%s", traceback.format_exc())
        return None


def previous_publications(engine, version_id: int | None) -> tuple:
    """The plans published before the plan being exported (oldest first).

    When the plan on screen is the published version, its own publication is not "before" it.
    """
    state = published(engine)
    if state is None:
        return ()
    current, earlier = state
    latest = pub.list_publications(engine)[0]
    if version_id is not None and latest.plan_version_id == version_id:
        return earlier
    return (*earlier, current)


def _territory(plan) -> Any:
    """The plan's territory for names and places (``None`` when it cannot be loaded any more)."""
    from ui.data import get_territory

    try:
        return get_territory(plan.territory_spec)
    except PlannerError:
        return None


def commune_calendar(engine, code_insee: str, commune_name: str) -> None:
    """A commune's calendar: subscription address (from its link) and the file of its dates."""
    from planner.publish import make_context
    from planner.publish.common import hosts_from_requests, slug
    from planner.publish.ics import host_calendar
    from planner.store.repo import list_requests

    st.subheader("Votre calendrier")
    token = st.query_params.get(TOKEN_PARAM) or st.session_state.get("_auth_token")
    if token:
        try:
            show_feed_url(pub.feed_url(pub.commune_feed_token(engine, token), base_url()), "de la commune")
        except PlannerError as exc:
            st.warning(f"Abonnement indisponible : {exc}")
    state = published(engine)
    plan = state[0] if state else None
    if plan is None or not any(s.host == code_insee for s in plan.sessions):
        st.caption("Vos dates apparaîtront ici dès que la coordination aura publié la tournée.")
        return
    records = [
        r for r in list_requests(engine, code_insee=code_insee) if r.status in ("accepted", "scheduled")
    ]
    ctx = make_context(
        plan, territory=_territory(plan), hosts=hosts_from_requests(records), previous=state[1]
    )
    st.download_button(
        "Télécharger le calendrier des ateliers (.ics)",
        host_calendar(ctx, code_insee, with_contact=False).to_ical(),
        file_name=f"calendrier_{slug(commune_name or code_insee)}_{code_insee}.ics",
        mime="text/calendar",
        key="commune_ics",
        icon=":material/calendar_month:",
    )


def commune_feed_for_link(engine, link_token: str) -> None:
    """Right after a commune's link is created: its calendar address, to send with the link."""
    try:
        url = pub.feed_url(pub.commune_feed_token(engine, link_token), base_url())
    except PlannerError as exc:
        st.warning(f"Abonnement au calendrier indisponible : {exc}")
        return
    show_feed_url(url, "de cette commune")


#: The exports offered on the Tournée page, the spreadsheet first (what most users open).
EXPORT_DESCRIPTIONS: dict[str, str] = {
    "xlsx": "Classeur Excel : calendrier, parcours, séances, feuilles de route, chiffres clés",
    "pdf": "PDF : rapport financeurs, feuilles de route, affiches par commune",
    "ics": "Calendriers (iCalendar) : un par moyen et un par commune d'accueil",
    "lieux": "Lieux de médiation (schéma national, CSV) : les arrêts du bus pour la cartographie nationale",
    "csv": "Tableaux CSV",
    "geojson": "Carte GeoJSON (QGIS) : arrêts, tournées, rayons, lieux fixes",
    "json": "Plan au format JSON (ré-importable)",
}


def publish_panel(engine, plan, version_id: int | None, actor) -> None:
    """What is published, the button publishing the plan on screen, and the team's feed links."""
    publications = []
    try:
        publications = pub.list_publications(engine)
    except Exception:
        log.error("reading the publications failed:\n%s", traceback.format_exc())
    if publications:
        last = publications[0]
        when = last.published_at.astimezone().strftime("%d/%m/%Y à %H:%M")
        same = version_id is not None and last.plan_version_id == version_id
        st.markdown(
            f"**Tournée publiée :** version n° {last.plan_version_id} « {last.label} », le {when}"
            + (" — c'est le plan affiché." if same else " — le plan affiché n'est pas celui-là.")
        )
    else:
        same = False
        st.markdown("**Aucune tournée publiée** : les calendriers des communes sont vides.")
    st.caption(
        "Publier met à jour les calendriers auxquels les communes et l'équipe sont abonnées : séances "
        "ajoutées, déplacées (même événement, nouvelle date) ou annulées. Les calculs non publiés ne "
        "sont montrés à personne."
    )
    if st.button(
        "Publier ce plan dans les calendriers",
        key="tn_publish",
        icon=":material/campaign:",
        disabled=same or version_id is None or plan.kind == "baseline",
        help=None if version_id is not None else "Enregistrez d'abord ce plan comme version.",
    ):
        try:
            pub.publish_plan_version(engine, version_id, actor)
        except PlannerError as exc:
            st.error(str(exc))
        else:
            st.session_state["tn_flash"] = ("success", "Tournée publiée : les calendriers sont à jour.")
            st.rerun()
    with st.expander("Calendrier d'un moyen itinérant pour son équipe (abonnement)"):
        labels = {r.id: r.label or r.id for r in plan.resources}
        rid = st.selectbox("Moyen itinérant", list(labels), format_func=labels.get, key="tn_feed_res")
        if st.button("Créer un lien d'abonnement", key="tn_feed_make"):
            try:
                _, url = pub.create_resource_feed(engine, rid, actor, base_url=base_url())
            except PlannerError as exc:
                st.error(str(exc))
            else:
                st.caption("Ce lien n'est affiché qu'une fois ; il montre aussi les contacts des communes.")
                show_feed_url(url, f"de « {labels[rid]} »")


def publisher_inputs() -> None:
    """The structure running the resources: what the national-standard export needs."""
    c1, c2 = st.columns(2)
    c1.text_input(
        "Structure qui porte le moyen itinérant",
        value=os.environ.get("ALLER_VERS_STRUCTURE", ""),
        key="tn_pub_name",
    )
    c2.text_input(
        "SIRET (ou RNA) de la structure",
        value=os.environ.get("ALLER_VERS_SIRET", ""),
        key="tn_pub_siret",
        help="Obligatoire dans le schéma national des lieux de médiation numérique.",
    )


def publisher():
    """The :class:`~planner.publish.Publisher` typed in :func:`publisher_inputs` (empty when not shown).

    Raises
    ------
    InputError
        A SIRET that is neither 14 digits nor an RNA number.
    """
    from planner.publish import Publisher

    return Publisher(
        name=st.session_state.get("tn_pub_name", ""), siret=st.session_state.get("tn_pub_siret", "")
    )
