"""Bilan: the plan's key figures beside the saupoudrage baseline, equity, EPCI, before/after map,
exports. Read-only; in the funder role no contact data is read or shown.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from planner.errors import PlannerError
from planner.file_errors import reading
from planner.hosting.request_form import escape_markdown
from planner.model import Plan
from planner.plan_json import plan_from_dict
from planner.publish import (
    MIME_TYPES,
    ExportContext,
    HostDetails,
    export_bytes,
    make_context,
    report_bytes,
)
from planner.publish.report import (
    CO2_SOURCE,
    SAUPOUDRAGE_NOTE,
    CostRates,
    ReportContext,
    epci_frame,
    format_figure,
    key_figures,
    lorenz_frame,
)
from ui import bilan_charts as bc
from ui import bilan_realised, bilan_story
from ui import data as ud
from ui.plan_views import render_equity
from ui.tours import render_bilan_comparison

PLAN_KEY = "plan"
BASELINE_KEY = "baseline_plan"
PROBLEM_KEY = "problem"
HOSTS_KEY = "host_details"  # optional override: code_insee -> HostDetails (tests, demos)


def _role() -> str:
    try:
        from ui.auth import current_role

        return current_role()
    except Exception:  # no store, no auth configured: least privilege
        return "funder"


def _read_plan(upload, what: str) -> Plan | None:
    """The plan of an uploaded JSON file (kept in memory only: a funder stores nothing)."""
    if upload is None:
        return None
    data = upload.getvalue()
    try:
        with reading(upload.name, data):
            return plan_from_dict(json.loads(data.decode("utf-8")), source=upload.name)
    except PlannerError as exc:
        st.error(f"{what} : {escape_markdown(str(exc))}")
    return None


def _report_context(plan: Plan, source: str | None) -> ReportContext | None:
    """Territory, need and matrix of the plan (``source``: the file it came from, if uploaded)."""
    problem = st.session_state.get(PROBLEM_KEY)
    if problem is not None and problem.territory.spec == plan.territory_spec:
        return ReportContext.from_problem(problem)
    try:
        spec = plan.territory_spec
        needs = ud.get_needs(spec, ud.current_weights())
        if plan.inputs.need_factors:  # adjustments the plan was computed with (its file records them)
            from planner.realised.proposals import Adjustments

            needs = Adjustments(plan.inputs.need_factors).apply_needs(needs)
        return ReportContext(ud.get_territory(spec), needs, ud.get_matrix(spec))
    except PlannerError as exc:  # a path named in the file is refused unread (ui.data.get_territory)
        named = f" (fichier « {source} »)" if source else ""
        st.error(
            f"Le territoire du plan{escape_markdown(named)} ne peut pas être chargé : {escape_markdown(str(exc))}"
        )
        return None


def _hosts(role: str) -> dict[str, HostDetails]:
    """Venue and contact per host commune; nothing at all for a funder."""
    if role != "coordinator":
        return {}
    if HOSTS_KEY in st.session_state:
        return dict(st.session_state[HOSTS_KEY])
    try:
        from planner.publish.common import hosts_from_requests
        from planner.store.repo import list_requests
        from ui.auth import store

        return hosts_from_requests(list_requests(store(), include_contact=True))
    except Exception as exc:  # the figures must not depend on the request database
        st.caption(f"Lieux et contacts des demandes indisponibles : {exc}")
        return {}


def _download(ctx: ExportContext, fmt: str, stem: str, report_only: bool) -> bytes:
    """Bytes of one export (called by the download button when clicked)."""
    return (report_bytes(ctx) if report_only else export_bytes(ctx, fmt, stem)).data


# ---------------------------------------------------------------------------- page
st.title("Bilan")
st.caption(
    "Ce que le plan apporte, chiffre par chiffre, à côté du « saupoudrage » (une séance par commune, "
    "à tour de rôle) calculé sur les mêmes journées du moyen itinérant."
)
role = _role()

plan: Plan | None = st.session_state.get(PLAN_KEY)
baseline: Plan | None = st.session_state.get(BASELINE_KEY)
plan_source: str | None = None
with st.expander("Charger un plan enregistré (fichier JSON)", expanded=plan is None):
    c1, c2 = st.columns(2)
    up_plan = c1.file_uploader("Plan", type=["json"], key="bilan_plan_file")
    up_base = c2.file_uploader(
        "Plan de référence (saupoudrage), facultatif", type=["json"], key="bilan_base_file"
    )
    loaded = _read_plan(up_plan, "Plan")
    if loaded is not None:
        plan, plan_source = loaded, up_plan.name
        baseline = _read_plan(up_base, "Plan de référence")
    elif up_base is not None and plan is not None:
        baseline = _read_plan(up_base, "Plan de référence") or baseline

if plan is None:
    st.info(
        "Aucun plan à présenter pour l'instant. Lancez un calcul sur la page **Planification**, "
        "ou chargez ci-dessus un fichier de plan (JSON) exporté auparavant."
    )
    render_bilan_comparison()  # a tour loaded on « Ma tournée actuelle » is compared all the same
    st.stop()
if baseline is not None and baseline.territory_spec != plan.territory_spec:
    st.warning("Le plan de référence porte sur un autre territoire : il est ignoré.")
    baseline = None

ctx = _report_context(plan, plan_source)
if ctx is None:
    st.stop()

with st.expander("Taux de coût et d'émissions"):
    r1, r2, r3 = st.columns(3)
    defaults = CostRates()
    eur_km = r1.number_input("Coût au km (€)", 0.0, 10.0, defaults.eur_per_km, 0.05, key="bilan_eur_km")
    eur_h = r2.number_input(
        "Coût d'une heure mobilisée (€)",
        0.0,
        500.0,
        defaults.eur_per_hour,
        5.0,
        key="bilan_eur_h",
        help="Route et ateliers, équipage compris (chauffeur et animateur).",
    )
    fuel = r3.number_input(
        "Consommation (L/100 km)",
        0.0,
        60.0,
        defaults.fuel_l_per_100km,
        0.5,
        key="bilan_fuel",
        help="10 L/100 km : ordre de grandeur d'un véhicule utilitaire diesel aménagé.",
    )
    st.caption(f"CO2 : kilomètres × consommation × {CO2_SOURCE}.")
rates = CostRates(eur_per_km=eur_km, eur_per_hour=eur_h, fuel_l_per_100km=fuel)

if baseline is None:
    st.warning(
        "Pas de plan de référence (saupoudrage) : la colonne de comparaison reste vide. "
        "La page Planification le calcule avec le plan, ou chargez-le ci-dessus."
    )

figures = key_figures(plan, ctx, baseline, rates)
by_key = {f.key: f for f in figures}

st.subheader(f"Chiffres clés – {ctx.territory.name}")
bilan_story.render_story(plan, ctx, baseline, rates)

st.caption(SAUPOUDRAGE_NOTE)

table = pd.DataFrame(
    {
        "Indicateur": [f.label for f in figures],
        "Plan": [format_figure(f, f.plan) for f in figures],
        "Saupoudrage": [format_figure(f, f.baseline) if f.baseline is not None else "" for f in figures],
        "Avant le plan": [format_figure(f, f.before) if f.before is not None else "" for f in figures],
        "Définition": [f.definition for f in figures],
    }
)
st.dataframe(table, hide_index=True, width="stretch")
render_bilan_comparison()  # the tour run today, when « Ma tournée actuelle » loaded one

realised = bilan_realised.render_bilan_section(plan, ctx, rates)

st.subheader("Aller vers : les moins couverts d'abord")
st.caption(
    "Le tiers des communes que les lieux fixes couvrent le moins : quelle part des séances et des participants "
    "il reçoit, au regard de sa part du besoin non couvert ; combien de participants le plan suppose venir "
    "d'une autre commune ; combien de séances restent dans la commune de base ; kilomètres, coût et CO2."
)
render_equity(plan, baseline, rates)

st.subheader("Équité entre communes")
gini_f = by_key["gini"]
st.markdown(
    f"Indice de Gini du plan : **{format_figure(gini_f, gini_f.plan)}**"
    + (
        f" – saupoudrage : **{format_figure(gini_f, gini_f.baseline)}**"
        if gini_f.baseline is not None
        else ""
    )
    + f". _{gini_f.definition}_"
)
plans = {"Plan": plan} | ({"Saupoudrage": baseline} if baseline is not None else {})
st.altair_chart(bc.lorenz_chart(lorenz_frame(plans, ctx)), width="stretch")
st.caption(
    "Les communes sont rangées de la moins servie à la mieux servie (personnes accompagnées par personne "
    "en besoin). Plus la courbe colle à la diagonale, plus le service suit le besoin."
)

st.subheader("Par EPCI")
epci = epci_frame(plan, ctx, baseline)
st.altair_chart(bc.epci_chart(epci), width="stretch")
st.dataframe(epci, hide_index=True, width="stretch")

st.subheader("Carte avant / après : lieux de médiation et zones blanches")
st.caption(
    "Zone blanche (points sable) : commune à plus de 20 minutes de route de tout lieu de médiation. "
    "Carrés sombres : lieux fixes ; points bleus : communes qui accueillent un parcours complet ; "
    "points orangés : visites isolées, qui ne font pas un lieu où revenir."
)
m1, m2 = st.columns(2)
with m1:
    st.markdown(
        f"**Avant le plan** – {format_figure(by_key['white_zones'], by_key['white_zones'].before)} en zone blanche"
    )
    st.pydeck_chart(bc.before_after_deck(ctx, None), key="bilan_map_before", height=420)
with m2:
    st.markdown(
        f"**Avec le plan** – {format_figure(by_key['white_zones'], by_key['white_zones'].plan)} en zone blanche"
    )
    st.pydeck_chart(bc.before_after_deck(ctx, plan), key="bilan_map_after", height=420)
if baseline is not None:
    with st.expander("Carte du saupoudrage"):
        st.pydeck_chart(bc.before_after_deck(ctx, baseline), key="bilan_map_baseline", height=420)

hosts = _hosts(role)
if role == "coordinator":
    st.subheader("Communes d'accueil : lieux et contacts")
    rows = [
        {
            "Commune": ctx.territory.commune(code).name if code in ctx.territory.codes else code,
            "Lieu": hosts.get(code, HostDetails()).venue or "Mairie (à préciser)",
            "Adresse": hosts.get(code, HostDetails()).address,
            "Contact": hosts.get(code, HostDetails()).contact_line,
            "Inscriptions": hosts.get(code, HostDetails()).registration,
        }
        for code in sorted({s.host for s in plan.sessions})
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
else:
    st.caption("Espace financeur : les coordonnées des communes et des contacts ne sont pas affichées.")

st.subheader("Exports")
export_ctx = make_context(
    plan,
    territory=ctx.territory,
    needs=ctx.needs,
    matrix=ctx.matrix,
    baseline=baseline,
    hosts=hosts,
    rates=rates,
    realised=realised,
)
stem = f"aller-vers_{plan.territory_spec}_{plan.kind}".replace("/", "_").replace(":", "_")
buttons = [  # the spreadsheet first: what a funder or a partner opens without surprises
    ("Tableur (Excel)", "xlsx", f"{stem}.xlsx", MIME_TYPES[".xlsx"], False),
    ("Rapport financeurs (PDF)", "pdf", f"{stem}_rapport.pdf", "application/pdf", True),
    ("Tableaux (CSV, zip)", "csv", f"{stem}_csv.zip", MIME_TYPES[".zip"], False),
    ("Carte (GeoJSON)", "geojson", f"{stem}.geojson", MIME_TYPES[".geojson"], False),
    ("Plan (JSON)", "json", f"{stem}_json.zip" if baseline is not None else f"{stem}.json", None, False),
]
if role == "coordinator":
    buttons += [
        ("Calendriers (iCalendar, zip)", "ics", f"{stem}_ics.zip", MIME_TYPES[".zip"], False),
        ("Feuilles de route et affiches (PDF, zip)", "pdf", f"{stem}_pdf.zip", MIME_TYPES[".zip"], False),
    ]
cols = st.columns(3)
for i, (label, fmt, name, mime, report_only) in enumerate(buttons):
    cols[i % 3].download_button(
        label,
        data=lambda fmt=fmt, report_only=report_only: _download(export_ctx, fmt, stem, report_only),
        file_name=name,
        mime=mime or (MIME_TYPES[".zip"] if name.endswith(".zip") else MIME_TYPES[".json"]),
        key=f"bilan_dl_{i}",
        on_click="ignore",
    )
