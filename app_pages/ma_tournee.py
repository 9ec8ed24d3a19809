"""Ma tournée actuelle: load the tour run today (or the sample), see its figures and what it breaks,
compare it with the optimised plan and the saupoudrage on the same days, adopt better stops one by one.
Rendering lives in :mod:`ui.tours`."""

from __future__ import annotations

import streamlit as st

from planner.errors import PlannerError
from planner.hosting.request_form import escape_markdown
from ui import data as ud
from ui import plan_views as pv
from ui import planning as up
from ui import tours as ut
from ui.auth import require_role

st.title("Ma tournée actuelle")
require_role("coordinator")
st.caption(
    "Chargez la tournée que vous faites aujourd'hui (une ligne par arrêt ou par séance : une date ou une "
    "règle comme « 2e mardi du mois », la commune, les horaires, le véhicule). Elle est mesurée avec la même "
    "mesure que les plans de l'optimiseur, comparée au plan optimisé et au saupoudrage sur les mêmes "
    "journées, et vous pouvez l'améliorer arrêt par arrêt."
)

default_start, default_end = up.default_season_dates()
c1, c2 = st.columns(2)
start = c1.date_input("Début de saison", value=default_start, key="mt_start", format="DD/MM/YYYY")
end = c2.date_input("Fin de saison", value=default_end, key="mt_end", format="DD/MM/YYYY")
st.caption(
    "Les règles comme « 2e mardi du mois » se répètent sur cette saison ; les jours fériés sont sautés."
)

if end < start:
    st.error("La fin de saison précède son début.")
    st.stop()

spec = ud.current_spec()
upload = st.file_uploader(
    "Fichier de la tournée (CSV, Excel ou plan JSON)", type=["csv", "xlsx", "json", "txt"], key="mt_file"
)
ut.load_upload(upload, spec, start, end)
if st.button(
    "Charger l'exemple : une rotation mensuelle du Pays de Vierzon",
    key="mt_sample",
    help="Un exemple inventé mais réaliste : un bus, 16 arrêts le mardi et le jeudi, « 1er mardi du mois », "
    "9 h–12 h et 14 h–17 h (data/tournee_exemple.csv).",
):
    try:
        ut.load_sample(start, end)
    except PlannerError as exc:
        st.error(escape_markdown(str(exc)))

scored = st.session_state.get(ut.TOUR_KEY)
if scored is None:
    st.info("Aucune tournée chargée pour l'instant : envoyez votre fichier ou chargez l'exemple.")
    st.stop()

st.subheader(f"Tournée « {scored.tour.source} » — {scored.problem.territory.name}")
ut.render_figures(scored)
for note in scored.tour.notes:
    st.caption(note)

st.subheader("Sur les mêmes journées : tournée actuelle, plan optimisé, saupoudrage")
comparison = ut.current_comparison()
if comparison is not None:
    ut.render_comparison(comparison, key="mt_comparison")

st.subheader("Règles")
ut.render_violations(scored)

st.subheader("Aller vers : les moins couverts d'abord")
pv.render_equity(scored.plan)

st.subheader("Les arrêts")
st.dataframe(ut.stops_frame(scored), hide_index=True, width="stretch")

st.subheader("Améliorer ma tournée")
ut.render_adopted()
ut.render_changes(st.session_state[ut.TOUR_KEY])

st.download_button(
    "Télécharger le plan de la tournée (JSON)",
    data=ut.plan_json_bytes(st.session_state[ut.TOUR_KEY]),
    file_name="tournee_actuelle.json",
    mime="application/json",
    key="mt_download",
    on_click="ignore",
)
