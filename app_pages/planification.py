"""Planification: resources, season, rules and requests, then « Planifier » runs the optimiser.

The settings are the territory's (stored for the coordination, :mod:`ui.workspace`): they come
back after a reload or a sign-in. With a plan in force, « Planifier » re-plans from it as the
« stabilité » setting says (:mod:`planner.optimise.stability`) and shows what moved and why.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import replace
from datetime import date, time
from pathlib import Path

import pandas as pd
import streamlit as st

from planner.errors import PlannerError
from planner.file_errors import reading
from planner.french import french_decimal, plan_status_fr
from planner.hosting.request_form import escape_markdown
from planner.inputs.tables import default_resources, load_requests
from planner.model import WEEKDAY_NAMES_FR, HostRequest, Rules
from planner.optimise import stability
from planner.problem import PlanningProblem, SolveParams
from planner.publish.report import CostRates
from planner.rules.adjust import replan_problem
from planner.rules.calendar import SCHOOL_ZONES, build_season, french_public_holidays, open_days
from ui import adjustments
from ui import data as ud
from ui import planning as up
from ui import workspace as uw
from ui.auth import current_role, require_role
from ui.changes import render_replan_report
from ui.plan_views import render_key_figures

HOW_IT_CHOOSES = up.HOW_IT_CHOOSES

# Widget values survive a visit to another page: Streamlit forgets the widgets it did not draw, so
# their values are copied to ``_pl_saved`` and put back before the widgets are drawn again.
_DEFAULT_START, _DEFAULT_END = up.default_season_dates()
_RULES = Rules()
DEFAULTS = {
    "pl_start": _DEFAULT_START,
    "pl_end": _DEFAULT_END,
    "pl_zone": "Aucune",
    "pl_k": _RULES.sessions_per_series,
    "pl_interval": _RULES.interval_days,
    "pl_tolerance": _RULES.interval_tolerance_days,
    "pl_threshold": _RULES.min_participants,
    "pl_catchment": int(_RULES.catchment_minutes),
    "pl_repeat": _RULES.repeat_value,
    "pl_travel": _RULES.travel_weight,
    "pl_priority": _RULES.priority,
    "pl_att_share": _RULES.attendance_share,
    "pl_att_half": int(_RULES.attendance_half_minutes),
    "pl_budget_kind": "Aucun",
    "pl_budget": 2000.0,
    "pl_alternatives": True,
    "pl_requests_only": False,
    "pl_keep_locks": True,
    "pl_time_limit": 30,
    "pl_gap": 0.5,
    "pl_seed": 0,
    "pl_stability": stability.DEFAULT_LEVEL,
}


def _stored(value):
    """A widget value as the settings store it (JSON: dates and times as text)."""
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):  # numpy / pandas scalars
        return value.item()
    if isinstance(value, list | tuple):
        return [_stored(v) for v in value]
    return value


def _widget_value(key: str, value):
    """Inverse of :func:`_stored` for the page's widgets."""
    if key in ("pl_start", "pl_end") and isinstance(value, str):
        return date.fromisoformat(value)
    return value


_settings = uw.settings()
_saved = st.session_state.setdefault(
    "_pl_saved",
    {k: _widget_value(k, v) for k, v in (_settings.get("widgets") or {}).items() if k in DEFAULTS},
)
for _key, _value in DEFAULTS.items():
    if _key in st.session_state:
        continue
    st.session_state[_key] = _saved.get(_key, _value)

st.title("Planification de la saison")
require_role("coordinator")
st.markdown(
    "Indiquez vos **moyens itinérants**, la **saison** et les **règles** d'un bon parcours, puis cliquez "
    "sur **Planifier** : l'outil cherche le plan qui sert le plus de besoin non couvert, avec de vrais "
    "parcours de plusieurs séances plutôt qu'une visite par village, d'abord là où les personnes sont les "
    "plus éloignées de l'aide."
)
with st.expander("Comment le plan choisit, et pourquoi"):
    st.markdown(HOW_IT_CHOOSES)

up.collect()

spec = ud.current_spec()
problem_msg = ud.load_error(spec)
if problem_msg:
    st.error(f"Le territoire ne peut pas être chargé : {problem_msg}")
    st.stop()
territory = ud.get_territory(spec)
matrix = ud.get_matrix(spec)
needs = ud.get_needs(spec, ud.current_weights())
_adjusted = adjustments.stored()  # accepted after a season (Tournée, « Réalisé »): never silent
needs = _adjusted.apply_needs(needs)
if _adjusted.need_factors:
    st.caption(
        f"Ajustements acceptés après la saison passée (Tournée, onglet « Réalisé ») : le besoin de "
        f"{len(_adjusted.need_factors)} commune(s) est corrigé pour ce calcul."
    )
labels = up.commune_labels(territory)
names = {c.code_insee: c.name for c in territory.communes}
st.caption(
    f"Territoire : **{ud.spec_label(spec)}** — {len(territory.communes)} communes, "
    f"{french_decimal(territory.population)} habitants. Pour en changer : page Territoire."
)

# ------------------------------------------------------------------------------- 1. resources
st.subheader("1. Moyens itinérants")
st.caption(
    "Un **bus** (environ 12 places, a besoin d'une prise électrique chez l'hôte) ou une **équipe** de "
    "médiateurs avec ordinateurs et tablettes (moins de places, plusieurs séances plus courtes). "
    "Ajoutez une ligne avec le « + » en bas du tableau ; une case vide prend la valeur par défaut du type."
)
resources_key = f"pl_res_editor_{spec}"


def _rows_from_settings(rows: list[dict]) -> list[dict]:
    """Stored rows back to editor rows (times as :class:`datetime.time`)."""
    out = []
    for row in rows:
        row = dict(row)
        for col in ("Début", "Fin"):
            if isinstance(row.get(col), str):
                try:
                    row[col] = time.fromisoformat(row[col])
                except ValueError:
                    row[col] = None
        out.append(row)
    return out


if resources_key not in st.session_state:
    # first visit, back from another page, a reload: start from the last table (this session's,
    # else the one stored for the territory, else one bus)
    saved = st.session_state.get(f"pl_res_rows_{spec}")
    if saved is None and _settings.get("resources"):
        saved = _rows_from_settings(_settings["resources"])
    if saved is None:
        saved = up.resource_rows(default_resources(territory), labels)
    st.session_state[f"pl_res_base_{spec}"] = up.resource_frame(saved)
edited = st.data_editor(
    st.session_state[f"pl_res_base_{spec}"],
    key=resources_key,
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    placeholder="—",
    column_config={
        "Identifiant": None,  # kept for the plans that refer to it, never shown
        "Nom": st.column_config.TextColumn(
            help="Le nom du moyen sur les plannings, les affiches et les messages (« Bus numérique », « Équipe nord »)."
        ),
        "Type": st.column_config.SelectboxColumn(options=list(up.KIND_CODES), default="bus", required=True),
        "Places": st.column_config.NumberColumn(min_value=1, max_value=200, step=1, help="Bus : 12."),
        "Base": st.column_config.SelectboxColumn(
            options=sorted(labels.values()), help="Commune d'où part et où revient le moyen chaque jour."
        ),
        "Jours": st.column_config.MultiselectColumn(
            options=list(WEEKDAY_NAMES_FR), help="Jours de tournée (par défaut mardi et vendredi)."
        ),
        "Début": st.column_config.TimeColumn(format="HH:mm", help="Départ possible de la base."),
        "Fin": st.column_config.TimeColumn(format="HH:mm", help="Retour à la base au plus tard."),
        "Séances/jour": st.column_config.NumberColumn(
            min_value=1, max_value=12, step=1, help="Bus : 2 (matin et après-midi)."
        ),
        "Durée (min)": st.column_config.NumberColumn(
            min_value=30, max_value=600, step=15, help="Durée d'une séance (3 h par défaut)."
        ),
        "Électricité": st.column_config.CheckboxColumn(
            help="Le moyen a besoin d'un branchement électrique chez l'hôte (le bus)."
        ),
        "Public": st.column_config.SelectboxColumn(
            options=list(up.PUBLIC_LABELS.values()),
            help="À qui s'adressent ses ateliers : cela règle qui vient des communes voisines "
            "(les aînés isolés se déplacent encore moins, les jeunes en recherche d'emploi davantage).",
        ),
        "Prestation": st.column_config.SelectboxColumn(
            options=list(up.SERVICE_MIXES),
            help="Parcours d'ateliers en groupe, permanences (un arrêt régulier pour une aide individuelle), "
            "ou les deux : permanence le matin, parcours l'après-midi ; avec ou sans visites à domicile "
            "(le nombre demandé par commune vient des demandes).",
        ),
        "Rythme": st.column_config.TextColumn(
            help="Rythme des permanences : « mensuel », « tous les 15 jours », « hebdomadaire » (le plan "
            "choisit le jour et la semaine) ou imposé, par exemple « 2e mardi du mois »."
        ),
    },
)
rows = edited.to_dict("records")
st.session_state[f"pl_res_rows_{spec}"] = rows

# ------------------------------------------------------------------------------- 2. season
st.subheader("2. Saison")
c1, c2, c3 = st.columns(3)
start = c1.date_input("Début de saison", key="pl_start", format="DD/MM/YYYY")
end = c2.date_input("Fin de saison", key="pl_end", format="DD/MM/YYYY")
zone = c3.selectbox(
    "Vacances scolaires",
    ["Aucune", *SCHOOL_ZONES],
    key="pl_zone",
    format_func=lambda z: "Ne pas fermer" if z == "Aucune" else f"Fermer pendant celles de la zone {z}",
    help="Le Centre-Val de Loire (académie d'Orléans-Tours) est en zone B.",
)
st.caption(
    "Les jours fériés sont fermés d'office. Fermez aussi les vacances scolaires si votre public ou vos "
    "salles en dépendent, et ajoutez vos propres fermetures (congés de l'équipe, entretien du bus…)."
)
holidays = french_public_holidays(start, end) if end >= start else {}
with st.expander(f"Jours fériés de la saison ({len(holidays)})", expanded=False):
    if holidays:
        st.dataframe(
            pd.DataFrame(
                {"Date": [d.strftime("%d/%m/%Y") for d in holidays], "Jour férié": list(holidays.values())}
            ),
            hide_index=True,
            placeholder="—",
            width="stretch",
        )
    else:
        st.write("Aucun jour férié dans cette période.")
closed_key = "pl_closed_editor"
if closed_key not in st.session_state:
    stored_closed = st.session_state.get("pl_closed_rows")
    if stored_closed is None:
        stored_closed = [
            {"Date": pd.Timestamp(r["Date"]), "Motif": r.get("Motif") or ""}
            for r in _settings.get("closed") or []
            if r.get("Date")
        ]
    st.session_state["pl_closed_base"] = pd.DataFrame(stored_closed, columns=["Date", "Motif"]).astype(
        {"Date": "datetime64[ns]", "Motif": "str"}
    )
closed_edit = st.data_editor(
    st.session_state["pl_closed_base"],
    key=closed_key,
    num_rows="dynamic",
    hide_index=True,
    placeholder="—",
    column_config={
        "Date": st.column_config.DateColumn("Fermeture", format="DD/MM/YYYY"),
        "Motif": st.column_config.TextColumn(help="Par exemple : congés de l'équipe."),
    },
)
st.session_state["pl_closed_rows"] = closed_edit.to_dict("records")
extra_closed: dict[date, str] = {}
for r in st.session_state["pl_closed_rows"]:
    d = r.get("Date")
    if d is None or pd.isna(d):
        continue
    d = pd.Timestamp(d).date()
    reason = r.get("Motif")
    extra_closed[d] = str(reason) if isinstance(reason, str) and reason.strip() else "Fermeture"

# ------------------------------------------------------------------------------- 3. rules
st.subheader("3. Règles d'un bon parcours")
c1, c2, c3 = st.columns(3)
k = c1.number_input("Séances par parcours", 1, 30, key="pl_k")
c1.caption(
    "5 par défaut : les 5 modules de l'EPN de Graçay (ordinateur, courriel, sites publics, réseaux, risques)."
)
interval = c2.number_input("Intervalle entre séances (jours)", 1, 60, key="pl_interval")
c2.caption("7 par défaut : même jour, même heure chaque semaine, pour que les habitudes se prennent.")
tolerance = c3.number_input("Tolérance sur l'intervalle (jours)", 0, 60, key="pl_tolerance")
c3.caption("7 par défaut : un jour fermé repousse la séance d'une semaine au plus.")
c1, c2, c3 = st.columns(3)
threshold = c1.number_input("Seuil d'ouverture (participants)", 1, 200, key="pl_threshold")
c1.caption("6 par défaut : « au-delà d'un seuil l'action n'est plus efficace » — en deçà non plus.")
catchment = c2.number_input("Rayon d'attraction (minutes de route)", 1, 120, key="pl_catchment")
c2.caption(
    "15 min par défaut : les participants viennent de la commune d'accueil et des voisines à moins de 15 min."
)
repeat = c3.slider("Rendement décroissant", 0.0, 1.0, step=0.05, key="pl_repeat")
c3.caption(
    "0,5 par défaut : un 2ᵉ parcours dans la même commune vaut moitié moins qu'un 1ᵉʳ ailleurs à besoin égal."
)
st.markdown("**Aller vers les personnes les plus éloignées de l'aide**")
c1, c2, c3 = st.columns(3)
priority = c1.slider("Priorité aux moins couverts", 0.0, 20.0, step=0.5, key="pl_priority")
c1.caption(
    f"{french_decimal(_RULES.priority, 0)} par défaut : une personne d'une commune qu'aucun lieu fixe ne couvre "
    "compte 3 fois une personne d'une commune entièrement couverte (Graçay, couverte à 44 %, 0,71 fois). "
    "0 : la couverture ne compte pas."
)
att_share = c2.slider("Voisins qui viennent juste à côté", 0.05, 1.0, step=0.05, key="pl_att_share")
c2.caption(
    "0,6 par défaut : un parcours recrute d'abord dans sa commune ; d'une voisine toute proche ne vient "
    "que cette part de ce qui viendrait chez elle (il faut déjà trouver qui vous emmène)."
)
att_half = c3.number_input("Minutes qui divisent par deux la venue", 1, 60, key="pl_att_half")
c3.caption(
    "8 min par défaut : la part des voisins qui viennent baisse de moitié toutes les 8 minutes de route."
)
st.dataframe(
    up.attendance_frame(float(att_share), float(att_half), float(catchment)),
    hide_index=True,
    width="stretch",
)
st.caption(
    "Part des personnes d'une commune voisine qui viendraient à un parcours selon la route (rayon : "
    f"{int(catchment)} min pour tous publics). Ces personnes comptent aussi pour cette part : le bus est fait "
    "pour aller vers celles qui ne se déplacent pas. Réglages raisonnés à partir d'études sur la santé et la "
    "mobilité des aînés, pas des mesures : notez la commune des participants pendant une saison pour les ajuster."
)
c1, c2, c3 = st.columns(3)
travel_weight = c1.number_input("Poids des kilomètres", 0.0, 10.0, step=0.01, format="%.2f", key="pl_travel")
c1.caption(
    "0 par défaut : les kilomètres ne retirent jamais une commune au profit d'une autre, ils départagent "
    "seulement des plans de même valeur. Avec 0,02, 50 km d'aller-retour depuis la base (comptés séance par "
    "séance, comme pour le budget) coûtent autant qu'une personne servie."
)
budget_kind = c2.radio(
    "Budget de la saison", ["Aucun", "En km", "En euros"], key="pl_budget_kind", horizontal=True
)
budget_value = c3.number_input(
    "Montant du budget",
    0.0,
    1_000_000.0,
    step=100.0,
    key="pl_budget",
    disabled=budget_kind == "Aucun",
)
_eur_km = CostRates().eur_per_km
km_budget = 0.0
if budget_kind == "En km":
    km_budget = float(budget_value)
elif budget_kind == "En euros":
    km_budget = float(budget_value) / _eur_km
c2.caption(
    "Chaque séance compte un aller-retour depuis la base (les tournées, qui enchaînent deux communes, roulent "
    f"moins). En euros : à {french_decimal(_eur_km, 2)} € le km (carburant, entretien)"
    + (f", soit {french_decimal(km_budget, 0)} km." if budget_kind == "En euros" else ".")
)

# ------------------------------------------------------------------------------- 4. requests
st.subheader("4. Demandes d'accueil")
st.caption(
    "Les demandes acceptées (page Demandes) donnent aux communes d'accueil leurs jours possibles, leurs dates "
    "impossibles, la présence d'une prise électrique et le nombre de participants attendus."
)
db_requests: tuple[HostRequest, ...] = ()
try:
    from planner.store.repo import accepted_host_requests

    db_requests = accepted_host_requests(up.engine())
except PlannerError as exc:
    st.warning(f"Demandes indisponibles : {exc}")
except Exception as exc:  # a database problem must not hide the rest of the page
    st.warning(
        f"Base de données indisponible ({type(exc).__name__}) : les demandes enregistrées ne sont pas lues."
    )


def _request_rows(requests: tuple[HostRequest, ...], source: str) -> list[dict]:
    return [
        {
            "Inclure": True,
            "Source": source,
            "Demande": q.id,
            "Commune": names.get(q.code_insee, q.code_insee),
            "Lieu": q.venue,
            "Jours": ", ".join(WEEKDAY_NAMES_FR[d] for d in q.weekdays) or "tous",
            "Prise électrique": "oui" if q.has_power else "non",
            "Participants attendus": "" if q.expected_participants is None else str(q.expected_participants),
            "Dates impossibles": len(q.blackout_dates),
        }
        for q in requests
    ]


uploaded = st.file_uploader(
    "Ou importer un fichier de demandes (CSV ou JSON, 20 Mo au plus)",
    type=["csv", "json", "txt"],
    key="pl_requests_file",
    help="Colonnes : code_insee, venue, weekdays (mar,ven), blackout_dates (AAAA-MM-JJ;…), has_power, "
    "expected_participants.",
)
file_requests: tuple[HostRequest, ...] = ()
if uploaded is not None:
    suffix = Path(uploaded.name).suffix or ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(uploaded.name).stem + suffix)
        path.write_bytes(uploaded.getvalue())
        try:
            with reading(uploaded.name, path):
                file_requests = load_requests(path)
        except PlannerError as exc:
            st.error(f"Fichier de demandes refusé : {escape_markdown(str(exc))}")
    outside = [q for q in file_requests if q.code_insee not in names]
    if outside:
        st.warning(
            f"{len(outside)} demande(s) du fichier concernent des communes hors du territoire et sont ignorées "
            f"({', '.join(q.code_insee for q in outside[:5])}…)."
        )
        file_requests = tuple(q for q in file_requests if q.code_insee in names)
all_requests = [(q, "base") for q in db_requests if q.code_insee in names] + [
    (q, "fichier") for q in file_requests
]
included: list[HostRequest] = []
if all_requests:
    req_frame = pd.DataFrame(
        [
            r
            for q, src in all_requests
            for r in _request_rows((q,), "base de données" if src == "base" else "fichier")
        ]
    )
    req_edit = st.data_editor(
        req_frame,
        key=f"pl_requests_editor_{len(all_requests)}",
        hide_index=True,
        disabled=[c for c in req_frame.columns if c != "Inclure"],
        column_config={
            "Inclure": st.column_config.CheckboxColumn(help="Décochez pour ignorer cette demande.")
        },
    )
    included = [q for (q, _), keep in zip(all_requests, req_edit["Inclure"], strict=True) if bool(keep)]
else:
    st.info("Aucune demande acceptée pour ce territoire : toutes les communes sont des hôtes possibles.")
requests_only = st.checkbox(
    "N'aller que dans les communes qui ont fait une demande",
    key="pl_requests_only",
    help="Sinon, toute commune du territoire peut accueillir un parcours ; les demandes ajoutent leurs contraintes.",
)

# ------------------------------------------------------------------------------- 5. solve
st.subheader("5. Calcul")
c1, c2, c3 = st.columns(3)
time_limit = c1.number_input(
    "Temps de calcul maximal (secondes)",
    1,
    600,
    key="pl_time_limit",
    help="Le calcul s'arrête avant s'il prouve que le plan est optimal (ou à 0,5 % près).",
)
gap_pct = c2.number_input(
    "S'arrêter à (%) du meilleur plan possible",
    0.0,
    20.0,
    step=0.1,
    key="pl_gap",
    help="0,5 % par défaut : le calcul s'arrête dès qu'il prouve que son plan est à 0,5 % au plus du meilleur possible.",
)
seed = c3.number_input(
    "Variante du calcul",
    0,
    10_000,
    key="pl_seed",
    help="Mêmes réglages et même numéro de variante : même plan. Un autre numéro peut donner un plan "
    "différent de même qualité.",
)

current = st.session_state.get(up.PLAN_KEY)
if current is not None and current.territory_spec != spec:
    current = None
current_locks = [s for s in current.sessions if s.locked] if current is not None else []
keep_locks = False
level = stability.level(st.session_state["pl_stability"])
if current is not None:
    st.markdown("**Le plan actuel** — un nouveau calcul repart de lui :")
    c1, c2 = st.columns([2, 1])
    level = stability.level(
        c1.selectbox(
            "Stabilité",
            [x.key for x in stability.LEVELS],
            format_func=lambda key: stability.level(key).label,
            key="pl_stability",
            help="Les séances verrouillées (annoncées) ne bougent jamais. "
            + " ".join(f"« {x.label} » : {x.help}" for x in stability.LEVELS),
        )
    )
    c1.caption(level.help)
    if current_locks:
        keep_locks = c2.checkbox(
            f"Garder les {len(current_locks)} séance(s) verrouillée(s)",
            key="pl_keep_locks",
            help="Les séances déjà annoncées restent telles quelles ; le reste est replanifié avec les nouveaux réglages.",
        )


_saved.update({_key: st.session_state[_key] for _key in DEFAULTS if _key in st.session_state})
if current_role() == "coordinator":
    stored_now = {
        "widgets": {k: _stored(st.session_state[k]) for k in DEFAULTS if k in st.session_state},
        "resources": [{k: _stored(v) for k, v in r.items()} for r in rows],
        "closed": [
            {"Date": _stored(pd.Timestamp(r["Date"]).date()), "Motif": _stored(r.get("Motif")) or ""}
            for r in st.session_state["pl_closed_rows"]
            if r.get("Date") is not None and not pd.isna(r.get("Date"))
        ],
    }
    uw.save_settings(spec, {k: v for k, v in stored_now.items() if _settings.get(k) != v})


def _compare(alternatives, kept) -> None:
    """The plans of the frontier side by side, with a button to keep each."""
    st.subheader("Trois plans pour choisir")
    st.caption(
        "Chaque plan est le meilleur pour sa façon de peser les choses. « Valeur selon vos réglages » les mesure "
        "tous avec vos réglages : le plan équilibré y est le meilleur, les deux autres montrent ce que coûte "
        "d'aller plus loin vers les moins couverts, ou de rouler moins."
    )
    rows = up.comparison_rows(alternatives)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    same = [a.key for a in alternatives if a.plan.rules == kept.rules and a.plan.sessions == kept.sessions]
    # kept, then edited by hand (Tournée): the table shows it as computed, and keeping a plan
    # of the three would drop those edits — said before the click, not found out after
    edited = None if same else next((a.key for a in alternatives if a.plan.rules == kept.rules), None)
    if edited is not None:
        st.warning(
            "Le plan gardé a été modifié à la main depuis (Tournée) : le tableau montre les plans tels "
            "que calculés. Garder l'un d'eux remplace vos modifications (elles restent dans l'onglet "
            "« Versions » de la Tournée)."
        )
    for col, a in zip(st.columns(len(alternatives)), alternatives, strict=True):
        col.caption(a.explanation)
        if a.key in same:  # the saved copy of it
            col.success(f"Plan gardé : {a.label}", icon=":material/check:")
        elif a.key == edited:
            col.info(f"Plan gardé : {a.label}, modifié à la main depuis", icon=":material/edit:")
            col.button(
                f"Revenir à « {a.label} » sans les modifications",
                key=f"pl_keep_{a.key}",
                on_click=_keep,
                args=(a.key,),
            )
        else:
            col.button(f"Garder « {a.label} »", key=f"pl_keep_{a.key}", on_click=_keep, args=(a.key,))


def _keep(key: str) -> None:
    """« Garder »: the kept plan, and its rules in the settings above, so that « Planifier » here
    plans with the rules « Replanifier » (Tournée) keeps (before, it went back to the settings shown,
    without the kept plan's km weight or priority)."""
    up.keep_alternative(key)
    rules = st.session_state[up.PLAN_KEY].rules
    st.session_state["pl_travel"] = rules.travel_weight
    st.session_state["pl_priority"] = rules.priority


def _build() -> tuple[PlanningProblem | None, up.Validation | None, SolveParams | None, list[str]]:
    """Everything the solve needs, or the French errors that prevent it."""
    try:
        resources = up.resources_from_rows(rows, labels)
        season = build_season(
            start, end, extra_closed=extra_closed, school_zone=None if zone == "Aucune" else zone
        )
        rules = Rules(
            sessions_per_series=int(k),
            interval_days=int(interval),
            interval_tolerance_days=int(tolerance),
            min_participants=int(threshold),
            catchment_minutes=float(catchment),
            repeat_value=float(repeat),
            travel_weight=float(travel_weight),
            priority=float(priority),
            attendance_share=float(att_share),
            attendance_half_minutes=float(att_half),
            km_budget=float(km_budget),
        )
        params = SolveParams(time_limit_s=float(time_limit), gap=float(gap_pct) / 100.0, seed=int(seed))
        check = up.validate_settings(resources, season, rules, included, requests_only)
        if not check.ok:
            return None, check, None, []
        problem = PlanningProblem(
            territory=territory,
            needs=needs,
            matrix=matrix,
            resources=resources,
            season=season,
            rules=rules,
            requests=tuple(included),
            requests_only=bool(requests_only),
        )
        if current is not None:  # a re-plan: keep what the stability setting keeps
            problem = replan_problem(
                problem, current, keep_value=level.keep_value, frozen_before=date.today()
            )
            if not keep_locks:
                problem = replace(problem, locked=(), accepted=())
            from ui.realised_entry import lock_held_sessions

            problem = lock_held_sessions(problem, current)  # held sessions are history: always kept
        return problem, check, params, []
    except PlannerError as exc:
        return None, None, None, [str(exc)]


problem, check, params, errors = _build()
if errors:
    st.error("Réglage à corriger avant de planifier : " + errors[0])
if check is not None:
    for msg in check.errors:
        st.error(msg)
    for msg in check.warnings:
        st.warning(msg)
if problem is not None:
    r0 = problem.resources
    days = sum(len(open_days(problem.season, r.weekdays)) for r in r0)
    st.caption(
        f"{len(r0)} moyen(s), {days} journées de tournée possibles du {start:%d/%m/%Y} au {end:%d/%m/%Y} "
        f"({len(problem.season.closed_dates)} jours fermés), {len(problem.requests)} demande(s) incluse(s)."
    )

alternatives_wanted = st.checkbox(
    "Proposer aussi deux autres plans pour choisir : « au plus près des moins couverts » et « le moins de km »",
    key="pl_alternatives",
    help="Trois calculs au lieu d'un. Les trois plans s'affichent côte à côte ; un clic garde celui que vous retenez.",
)

job = up.current_job()
running = job is not None and not job.done
if st.button(
    "Planifier",
    type="primary",
    icon=":material/directions_bus:",
    disabled=problem is None or running,
    key="pl_plan",
    help="Lance l'optimisation et calcule aussi, pour comparer, le plan « saupoudrage » (une visite par commune).",
):
    label = "Plan de saison" if current is None else f"Nouveau calcul ({level.label.lower()})"
    job = up.start_job(
        problem,
        params,
        label=label,
        alternatives=bool(alternatives_wanted),
        previous=current,
        need_factors=_adjusted.need_factors,
    )
    running = True

if job is not None and not job.collected:
    up.show_progress(job)
    running = False
    up.collect(job)

plan = st.session_state.get(up.PLAN_KEY)
failure = up.last_error()
if failure and not running:
    st.error(f"Le calcul n'a pas abouti : {failure}")
if plan is not None and not running:
    baseline = st.session_state.get(up.BASELINE_KEY)
    st.success(
        ("Plan précédent conservé : " if failure else "Plan prêt : ")
        + f"{len(plan.series)} parcours, {plan.metrics.sessions} séances, "
        f"{french_decimal(plan.metrics.participants)} participants attendus "
        f"(état du calcul : {plan_status_fr(plan.metrics)})."
    )
    for warning in plan.metrics.warnings:  # a resource that can hold no parcours, and why
        st.warning(warning[:1].upper() + warning[1:])
    render_key_figures(plan, baseline)
    alternatives = st.session_state.get(up.ALTERNATIVES_KEY) or []
    if alternatives:
        _compare(alternatives, plan)
    if job is not None and job.previous is not None and job.plan is plan:
        render_replan_report(job.previous, plan, job.problem, labels)
    uw.show_conflict(spec, "pl")
    if st.session_state.get("version_error"):
        st.warning(f"Le plan n'a pas été enregistré dans l'historique : {st.session_state['version_error']}")
    st.page_link(
        "app_pages/tournee.py", label="Voir la tournée, la carte et le calendrier", icon=":material/map:"
    )
