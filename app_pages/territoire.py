"""Page Territoire : carte du besoin non couvert, lieux fixes, poids du modèle, import d'un fichier."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from planner.errors import PlannerError
from planner.file_errors import reading
from planner.hosting.request_form import escape_markdown
from planner.inputs.tables import neutralise_formula
from planner.territory.fixed_sites import read_lieux_file
from planner.territory.need import WEIGHT_INFO, NeedWeights, WeightInfo
from planner.territory.specs import DEFAULT_SPEC, LIEUX_MARK, with_lieux
from ui.auth import current_role
from ui.data import (
    current_weights,
    get_need_table,
    get_territory,
    keep_upload,
    register_upload,
    set_spec,
    set_weights,
    spec_label,
    territory_selector,
)
from ui.fmt import fr_float, fr_int, fr_pct
from ui.maps import (
    choropleth_layer,
    class_breaks,
    legend_html,
    make_deck,
    outline_layer,
    points_layer,
    view_for,
)

KIND_LABELS = {
    "epn": "Espace public numérique",
    "france_services": "France services",
    "msap": "Maison de services au public",
    "mediatheque": "Médiathèque",
    "ccas": "CCAS",
    "pij": "Point Information Jeunesse",
    "centre_social": "Centre social",
    "association": "Association",
    "mission_locale": "Mission locale",
    "pole_emploi": "Pôle emploi",
    "conseiller_numerique": "Conseiller numérique (2022)",
}
METRICS = {
    "unmet_need": "Besoin non couvert (personnes)",
    "unmet_rate": "Besoin non couvert pour 100 habitants",
    "need": "Besoin estimé (personnes)",
    "coverage": "Couverture par les lieux fixes",
}
TEMPLATE_CSV = (
    "code_insee;nom;population;lat;lon;score_fragilite\n"
    "18279;Vierzon;25068;47,22140;2,06967;112,5\n"
    "18103;Graçay;1234;47,14260;1,84564;98,0\n"
)

st.title("Territoire")
st.caption(
    "Où le besoin d'accompagnement numérique reste-t-il sans réponse ? Besoin estimé par commune, "
    "lieux de médiation fixes existants et besoin non couvert."
)

spec = territory_selector()

# ----------------------------------------------------------------------------- import


def _import_panel() -> None:
    """Import a file of communes: the coordination's only (a file kept on the server)."""
    if current_role() != "coordinator":
        st.write("L'import d'un territoire est réservé à la coordination.")
        return
    st.markdown(
        "Une ligne par commune avec les colonnes **code_insee**, **nom**, **population**, **lat**, **lon** "
        "(degrés décimaux) et, si vous le souhaitez, des indicateurs numériques (par ex. un score de "
        "fragilité numérique). Séparateur `;` ou `,`, virgule décimale acceptée, UTF-8 ou Windows-1252."
    )
    st.download_button(
        "Télécharger un modèle de fichier",
        TEMPLATE_CSV.encode("utf-8-sig"),
        file_name="modele_territoire.csv",
        mime="text/csv",
    )
    upload = st.file_uploader("Fichier de communes", type=["csv", "xlsx", "txt"], key="territory_upload")
    if upload is not None and st.button("Charger ce territoire", type="primary"):
        try:
            with reading(upload.name):
                register_upload(upload.getvalue(), upload.name, current_role())
        except PlannerError as exc:
            st.error(f"Le fichier n'a pas été chargé. {escape_markdown(str(exc))}")
        else:
            st.success(f"Territoire chargé : {escape_markdown(upload.name)}")
            st.rerun()


def _lieux_panel() -> None:
    """Add fixed places from a file of the national standard: the coordination's only (a file kept)."""
    st.markdown(
        "Un extrait de la Cartographie nationale des lieux d'inclusion numérique, ou le fichier d'un "
        "partenaire, au **schéma de données des lieux de médiation numérique** (CSV ou Excel) : ses lieux "
        "fixes comptent dans la couverture ; les arrêts itinérants (« Itinérant » seul) sont ignorés."
    )
    if current_role() != "coordinator":
        st.write("L'ajout de lieux est réservé à la coordination.")
        return
    places_upload = st.file_uploader("Fichier de lieux", type=["csv", "xlsx"], key="lieux_upload")
    if places_upload is not None and st.button("Ajouter ces lieux", key="lieux_add"):
        try:
            with reading(places_upload.name, places_upload.getvalue()):
                places = read_lieux_file(places_upload.getvalue(), places_upload.name)
        except PlannerError as exc:
            st.error(f"Le fichier n'a pas été chargé. {escape_markdown(str(exc))}")
        else:
            kept = keep_upload(places_upload.getvalue(), places_upload.name)
            set_spec(with_lieux(spec.split(LIEUX_MARK, 1)[0], kept))
            st.session_state["lieux_flash"] = (
                f"{len(places.fixed)} lieu(x) fixe(s) lu(s) dans {escape_markdown(places_upload.name)} "
                f"({len(places.itinerant)} arrêt(s) itinérant(s) ignoré(s)) ; seuls ceux du territoire comptent."
            )
            st.rerun()
    if LIEUX_MARK in spec and st.button("Retirer les lieux ajoutés", key="lieux_remove"):
        set_spec(spec.split(LIEUX_MARK, 1)[0])
        st.rerun()


with st.expander("Importer mon propre territoire (fichier CSV ou Excel)"):
    _import_panel()
with st.expander("Ajouter des lieux fixes (fichier au schéma national des lieux de médiation numérique)"):
    _lieux_panel()
if "lieux_flash" in st.session_state:
    st.success(st.session_state.pop("lieux_flash"))

try:
    territory = get_territory(spec)
except PlannerError as exc:
    st.error(
        f"Impossible de charger le territoire « {escape_markdown(spec_label(spec))} » : {escape_markdown(str(exc))}"
    )
    if st.button("Revenir au territoire par défaut"):
        set_spec(DEFAULT_SPEC)
        st.rerun()
    st.stop()

# ----------------------------------------------------------------------------- weights
weights = current_weights()
numeric_indicators = sorted({k for c in territory.communes for k in c.indicators})
if weights.user_indicator and weights.user_indicator not in numeric_indicators:
    weights = dataclasses.replace(weights, user_indicator="", user_weight=0.0)
    set_weights(weights)


def _weight_control(info: WeightInfo, value: float) -> float:
    """The sidebar control of one need weight, with its one-line explanation as help."""
    low, high, step = info.ui
    if info.unit == "people":
        return float(
            st.number_input(info.label, int(low), int(high), int(value), int(step), help=info.explanation)
        )
    if info.unit == "minutes":
        return float(st.slider(info.label, int(low), int(high), int(value), int(step), help=info.explanation))
    return float(st.slider(info.label, low, high, float(value), step, help=info.explanation))


def _weight_text(info: WeightInfo, value: float) -> str:
    """A weight's value as the page writes it (``45 %``, ``0,5``, ``20 min``, ``250``)."""
    if info.unit == "share":
        return fr_pct(value)
    if info.unit == "minutes":
        return f"{fr_int(value)} min"
    if info.unit == "people":
        return fr_int(value)
    return fr_float(value, 2)


with st.sidebar.form("need_weights_form"):
    st.markdown("**Poids du modèle de besoin**")
    values: dict[str, float] = {}
    for info in WEIGHT_INFO:
        if info.name == "user_weight":
            choices = ["", *numeric_indicators]
            user_indicator = st.selectbox(
                "Indicateur complémentaire",
                choices,
                index=choices.index(weights.user_indicator) if weights.user_indicator in choices else 0,
                format_func=lambda k: k or "(aucun)",
                help="Par exemple un score de fragilité numérique apporté dans votre fichier.",
            )
        values[info.name] = _weight_control(info, getattr(weights, info.name))
    applied = st.form_submit_button("Appliquer")
if applied:
    if not user_indicator:
        values["user_weight"] = 0.0
    try:
        weights = NeedWeights(user_indicator=user_indicator, **values)
    except PlannerError as exc:
        st.sidebar.error(str(exc))
    else:
        set_weights(weights)
if st.sidebar.button("Poids par défaut"):
    set_weights(NeedWeights())
    st.rerun()

try:
    table = get_need_table(spec, weights)
except PlannerError as exc:
    st.error(str(exc))
    st.stop()

# ----------------------------------------------------------------------------- key figures
total_need = table["need"].sum()
total_unmet = table["unmet_need"].sum()
cols = st.columns(5)
cols[0].metric("Communes", fr_int(len(territory.communes)))
cols[1].metric("Habitants", fr_int(territory.population))
cols[2].metric(
    "Besoin estimé", fr_int(total_need), help="Personnes ayant besoin d'un accompagnement numérique"
)
cols[3].metric("Besoin non couvert", fr_int(total_unmet), help="Hors de portée des lieux fixes existants")
cols[4].metric("Lieux fixes", fr_int(len(territory.fixed_sites)))
st.caption(
    f"{territory.name} — couverture moyenne par les lieux fixes : {fr_pct(1 - total_unmet / total_need if total_need else 0)}"
)

# ----------------------------------------------------------------------------- map
metric = st.radio("Couleur des communes", list(METRICS), format_func=METRICS.get, horizontal=True)
by_code = table.set_index("code_insee")
values = {
    "unmet_need": by_code["unmet_need"],
    "unmet_rate": 100 * by_code["unmet_need"] / by_code["population"].clip(lower=1),
    "need": by_code["need"],
    "coverage": by_code["coverage"],
}[metric].to_dict()
tips = {
    code: (
        f"{fr_int(row.population)} habitants\nBesoin estimé : {fr_int(row.need)}\n"
        f"Couverture : {fr_pct(row.coverage)}\nBesoin non couvert : {fr_int(row.unmet_need)}"
        f"\nLieux fixes : {row.fixed_sites}"
    )
    for code, row in by_code.iterrows()
}
names = by_code["name"].to_dict()
breaks = class_breaks(list(values.values()))
layers = [outline_layer(territory.codes), choropleth_layer(values, tips, names, breaks=breaks)]
drawn = {r["code_insee"] for r in layers[1].data}
missing = [c for c in territory.communes if c.code_insee not in drawn]
if missing:  # communes outside the embedded outlines (user files): show them as dots
    layers.append(
        points_layer(
            [{"lat": c.lat, "lon": c.lon, "name": c.name, "tip": tips[c.code_insee]} for c in missing],
            color=(240, 59, 32),
            radius_m=800,
            layer_id="communes_sans_contour",
        )
    )
sites = [
    {
        "lat": s.lat,
        "lon": s.lon,
        "name": s.name,
        "tip": f"{KIND_LABELS.get(s.kind, s.kind)}\n{s.offer[:160]}",
    }
    for s in territory.fixed_sites
]
if sites:
    layers.append(points_layer(sites, layer_id="lieux_fixes"))
fmt = (lambda v: fr_pct(v)) if metric == "coverage" else (lambda v: fr_float(v, 0))
st.pydeck_chart(make_deck(layers, view_for(territory)), height=560)
st.html(
    legend_html(breaks, fmt, METRICS[metric])
    + '<div style="font-size:0.85rem">🔵 lieu de médiation fixe</div>'
)

# ----------------------------------------------------------------------------- tables
st.subheader("Communes")
shown = pd.DataFrame(
    {
        "Code INSEE": table["code_insee"],
        "Commune": table["name"],
        "EPCI": table["epci"],
        "Habitants": table["population"],
        "Besoin estimé": table["need"].round(0),
        "Couverture (%)": (100 * table["coverage"]).round(1),
        "Besoin non couvert": table["unmet_need"].round(0),
        "Lieux fixes": table["fixed_sites"],
        "65 ans et plus (%)": table["part_65p_pct"],
        "Revenu médian (€/UC)": table["revenu_median_uc_2021"],
        "Fibre (%)": table["fibre_ftth_pct"],
    }
)
st.dataframe(
    shown,
    hide_index=True,
    placeholder="—",
    width="stretch",
    column_config={
        "Habitants": st.column_config.NumberColumn(format="localized"),
        "Besoin estimé": st.column_config.NumberColumn(format="localized"),
        "Besoin non couvert": st.column_config.NumberColumn(format="localized"),
        "Couverture (%)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f %%"),
        "Revenu médian (€/UC)": st.column_config.NumberColumn(format="localized"),
    },
)
st.download_button(
    "Télécharger le tableau (CSV)",
    # Names may come from a user's file: a cell starting with "=" must not become a formula.
    shown.map(lambda v: neutralise_formula(v) if isinstance(v, str) else v)
    .to_csv(sep=";", decimal=",", index=False)
    .encode("utf-8-sig"),
    file_name=f"besoin_{spec_label(spec)[:40]}.csv".replace(" ", "_").replace("/", "_"),
    mime="text/csv",
)

st.subheader("Lieux de médiation fixes")
if territory.fixed_sites:
    st.dataframe(
        pd.DataFrame(
            {
                "Lieu": [s.name for s in territory.fixed_sites],
                "Type": [KIND_LABELS.get(s.kind, s.kind) for s in territory.fixed_sites],
                "Commune": [names.get(s.code_insee, s.code_insee) for s in territory.fixed_sites],
                "Ce qui est proposé": [s.offer for s in territory.fixed_sites],
                "Jours": [s.days_open for s in territory.fixed_sites],
                "Équipement": [s.equipment for s in territory.fixed_sites],
                "Capacité relative": [s.capacity for s in territory.fixed_sites],
                "Source": [s.source for s in territory.fixed_sites],
            }
        ),
        hide_index=True,
        placeholder="—",
        width="stretch",
    )
else:
    st.info("Aucun lieu de médiation fixe connu dans ce territoire : tout le besoin reste à couvrir.")

with st.expander("Méthode et sources"):
    st.markdown(
        f"""
**Besoin estimé** = habitants × taux de besoin. Le taux combine trois groupes : les 65 ans et plus
({fr_pct(weights.rate_65p)} ont besoin d'aide), les moins de 65 ans sans diplôme
({fr_pct(weights.rate_no_diploma)}) et les autres habitants ({fr_pct(weights.rate_other)}), d'après
INSEE Première n° 1780 (2019) : 17 % des personnes de 15 ans ou plus sont en situation d'illectronisme,
64 % des 75 ans ou plus n'ont pas utilisé Internet dans l'année, et l'illectronisme est bien plus
fréquent sans diplôme et chez les ménages modestes. Il est ensuite ajusté par le revenu médian et le
taux de pauvreté (Filosofi 2021), l'éligibilité à la fibre (ARCEP) et la ruralité (grille de densité
INSEE), et par votre indicateur complémentaire le cas échéant. Ces poids sont des ordres de grandeur
à discuter localement.

**Couverture** : chaque lieu fixe accompagne environ {fr_int(weights.people_per_site)} personnes par an
(× sa capacité relative) ; cette offre se répartit entre les communes à moins de
{fr_int(weights.catchment_minutes)} minutes de route, pondérées par leur besoin et par la distance
(méthode des aires de chalandise flottantes à deux étapes, « E2SFCA », décroissance gaussienne). Les
France services itinérantes (bus) ne comptent pas comme lieux fixes : ce sont des moyens itinérants.

**Besoin non couvert** = besoin × (1 − couverture). Temps de trajet : distance à vol d'oiseau × 1,3
à 60 km/h. Sources : INSEE (COG 2026, populations légales 2023, recensements 2016 et 2021, Filosofi
2021, bassins de vie), IGN ADMIN EXPRESS, ANCT (France services 2024, conseillers numériques 2022),
ARCEP, monographie du territoire de Vierzon (2021).

**Les réglages**, leur valeur actuelle et d'où vient leur valeur par défaut :
"""
    )
    st.table(
        pd.DataFrame(
            {
                "Réglage": [info.label for info in WEIGHT_INFO],
                "Valeur": [_weight_text(info, getattr(weights, info.name)) for info in WEIGHT_INFO],
                "Par défaut": [_weight_text(info, getattr(NeedWeights(), info.name)) for info in WEIGHT_INFO],
                "Pourquoi": [info.explanation for info in WEIGHT_INFO],
                "Source": [info.source for info in WEIGHT_INFO],
            }
        ).set_index("Réglage")
    )
