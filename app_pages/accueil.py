"""Accueil: what the tool does, where to start, the current territory and plan."""

from __future__ import annotations

import streamlit as st

from planner.french import french_decimal
from ui import data as ud
from ui import planning as up
from ui.auth import ROLE_PAGES, current_role

st.title("Aller-vers")
st.markdown(
    "**Aller-vers planifie la médiation numérique itinérante** (un bus numérique ou une équipe de médiateurs) "
    "sur un territoire rural.  \n"
    "Plutôt qu'une visite par village et par an, il construit de vrais **parcours de plusieurs séances** là où le "
    "besoin d'aide non couvert est le plus fort, et montre ce que l'on gagne par rapport au « saupoudrage ».  \n"
    "**Pour commencer** : vérifiez le besoin sur la page **Territoire**, puis réglez la saison et cliquez sur "
    "**Planifier** dans **Planification** ; le plan s'affiche dans **Tournée**."
)

role = current_role()
allowed = ROLE_PAGES.get(role)


def _link(path: str, label: str, icon: str) -> None:
    url_path = path.removeprefix("app_pages/").removesuffix(".py")
    if allowed is None or url_path in allowed:
        st.page_link(path, label=label, icon=icon)


up.collect()
left, right = st.columns(2)
with left:
    st.subheader("Territoire")
    spec = ud.current_spec()
    error = ud.load_error(spec)
    if error:
        st.error(f"Le territoire choisi ne peut pas être chargé : {error}")
    else:
        territory = ud.get_territory(spec)
        needs = ud.get_needs(spec, ud.current_weights())
        need = sum(n.need for n in needs.values())
        unmet = sum(n.unmet_need for n in needs.values())
        st.markdown(f"**{ud.spec_label(spec)}**")
        c1, c2, c3 = st.columns(3)
        c1.metric("Communes", french_decimal(len(territory.communes)))
        c2.metric("Habitants", french_decimal(territory.population))
        c3.metric("Lieux fixes de médiation", french_decimal(len(territory.fixed_sites)))
        c1, c2 = st.columns(2)
        c1.metric(
            "Besoin estimé",
            f"{french_decimal(need)} pers.",
            help="Personnes qui ont besoin d'aide avec le numérique (modèle de besoin, page Territoire).",
        )
        c2.metric(
            "Besoin non couvert",
            f"{french_decimal(unmet)} pers.",
            help="Ce qui reste une fois comptés les lieux fixes proches (EPN, France services…).",
        )
    _link("app_pages/territoire.py", "Voir la carte du besoin", ":material/map:")
    _link("app_pages/demandes.py", "Demandes d'accueil des communes", ":material/edit_note:")

with right:
    st.subheader("Plan de la saison")
    plan = st.session_state.get(up.PLAN_KEY)
    job = up.current_job()
    if job is not None and not job.done:
        st.info("Un calcul est en cours (page Planification).")
    if plan is None:
        st.write("Aucun plan pour l'instant.")
        _link("app_pages/planification.py", "Planifier une saison", ":material/tune:")
    else:
        st.markdown(f"Du **{plan.season.start:%d/%m/%Y}** au **{plan.season.end:%d/%m/%Y}**")
        c1, c2, c3 = st.columns(3)
        c1.metric("Parcours", french_decimal(len(plan.series)))
        c2.metric("Séances", french_decimal(plan.metrics.sessions))
        c3.metric("Participants attendus", french_decimal(plan.metrics.participants))
        locked = sum(s.locked for s in plan.sessions)
        st.caption(
            f"{len({s.host for s in plan.series})} communes d'accueil, {french_decimal(plan.metrics.km)} km, "
            f"{locked} séance(s) verrouillée(s)."
        )
        _link("app_pages/tournee.py", "Voir la tournée", ":material/directions_bus:")
        _link("app_pages/bilan.py", "Voir le bilan pour les financeurs", ":material/monitoring:")
