"""Accueil: what the tool does, where to start, what needs attention, the territory and its plan.

For the coordination, « À faire » lists what is waiting: requests to review, communes to tell
their (new) dates, rules the plan in force breaks, a calculation running.
"""

from __future__ import annotations

import logging
import traceback
from datetime import date

import streamlit as st

from planner.french import french_decimal
from ui import data as ud
from ui import planning as up
from ui.auth import ROLE_PAGES, current_role

log = logging.getLogger(__name__)

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


def _attention() -> list[tuple[str, str, str]]:
    """``(text, page, link label)`` of what waits for the coordination, most urgent first."""
    from planner.rules.check import check_with_exceptions
    from planner.store.repo import list_requests, request_counts
    from ui import changes as uc
    from ui import workspace as uw

    out: list[tuple[str, str, str]] = []
    engine = uw.engine()
    try:
        submitted = request_counts(engine)["submitted"]
    except Exception:
        log.error("reading the requests failed:\n%s", traceback.format_exc())
        submitted = 0
    if submitted:
        out.append(
            (
                f"**{submitted} nouvelle(s) demande(s) d'accueil** à examiner.",
                "app_pages/demandes.py",
                "Examiner",
            )
        )
    plan = st.session_state.get(up.PLAN_KEY)
    if plan is None:
        return out
    try:
        problem = st.session_state.get(up.PROBLEM_KEY)
        if problem is None or problem.territory.spec != plan.territory_spec:
            problem = up.problem_for(plan)
        names = {c.code_insee: c.name for c in problem.territory.communes}
        records = list_requests(engine, include_contact=False)
        requested = {r.form.code_insee for r in records if r.status in ("accepted", "scheduled")} & set(names)
        venues = {r.form.code_insee: r.form.venue for r in records if r.status in ("accepted", "scheduled")}
        due = uc.due_notices(
            engine, plan, names, venues, requested | {q.code_insee for q in plan.inputs.requests}
        )
        if due:
            who = ", ".join(n.commune for n in due[:5]) + (" …" if len(due) > 5 else "")
            out.append(
                (
                    f"**{len(due)} commune(s) à prévenir** de leurs dates ou de leur demande : {who}.",
                    "app_pages/tournee.py",
                    "Voir les messages (onglet « Communes à prévenir »)",
                )
            )
        from ui.bilan_realised import load_realised

        _, realised = load_realised(engine, plan)
        missing = [s for s in plan.sessions if s.date < date.today() and s.uid not in realised.outcomes]
        if missing:
            out.append(
                (
                    f"**{len(missing)} séance(s) passée(s) sans réalisé** : tenue ou annulée, avec combien de "
                    "participants ?",
                    "app_pages/tournee.py",
                    "Saisir (onglet « Réalisé »)",
                )
            )
        broken = check_with_exceptions(plan, problem).open
        if broken:
            out.append(
                (
                    f"**Le plan enfreint {len(broken)} règle(s)** sans exception acceptée.",
                    "app_pages/tournee.py",
                    "Voir la vérification (onglet « Ajuster »)",
                )
            )
    except Exception:
        log.error("computing what needs attention failed:\n%s", traceback.format_exc())
    return out


if role == "coordinator":
    st.subheader("À faire")
    todo = _attention()
    job = up.current_job()
    if job is not None and not job.done:
        todo.insert(0, ("**Un calcul est en cours.**", "app_pages/planification.py", "Voir la planification"))
    if not todo:
        st.success("Rien en attente : aucune nouvelle demande, toutes les communes connaissent leurs dates.")
    for text, page, label in todo:
        c1, c2 = st.columns([3, 1])
        c1.markdown(text)
        with c2:
            _link(page, label, ":material/arrow_forward:")

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
