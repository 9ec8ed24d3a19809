"""« Ma tournée actuelle » : load the tour a coordinator runs today, score it, compare it, improve it.

The page (``app_pages/ma_tournee.py``) reads widgets and calls these functions; the Bilan calls
:func:`render_bilan_comparison`. The session keeps:

- ``current_tour`` — the :class:`~planner.tours.score.ScoredTour` as it stands (after the changes
  adopted), and ``current_tour_plan`` its plan;
- ``current_tour_loaded`` — the tour as loaded (« Revenir à la tournée chargée »);
- ``current_tour_compare`` — the optimised plan and the saupoudrage on the same days;
- ``current_tour_adopted`` — the French texts of the changes adopted, in order.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import streamlit as st

from planner import DATA_DIR
from planner.errors import PlannerError
from planner.file_errors import reading
from planner.french import french_decimal
from planner.hosting.request_form import escape_markdown
from planner.plan_json import plan_to_dict
from planner.rules.calendar import build_season
from planner.tours.compare import Comparison, notes, rows, same_days, with_tour
from planner.tours.improve import Change, propose, stops
from planner.tours.load import load_tour
from planner.tours.score import ScoredTour, TourOptions, score_tour

SAMPLE = DATA_DIR / "tournee_exemple.csv"
SAMPLE_SPEC = "vierzon"
TOUR_KEY = "current_tour"
PLAN_KEY = "current_tour_plan"
LOADED_KEY = "current_tour_loaded"
COMPARE_KEY = "current_tour_compare"
ADOPTED_KEY = "current_tour_adopted"
_CHANGES_KEY = "_current_tour_changes"
_UPLOAD_SEEN = "_current_tour_upload"

#: The rules of the checker in French words (:data:`planner.rules.check.RULES`).
RULE_LABELS = {
    "series_shape": "Forme des parcours (séances, rythme hebdomadaire)",
    "closed_dates": "Jours fermés",
    "resource_calendar": "Jours et horaires du moyen",
    "no_overlap_and_travel": "Trajets et chevauchements",
    "seats_and_threshold": "Places et seuil d'ouverture",
    "participants_allocation": "Participants comptés",
    "attendance": "Venue des voisins",
    "km_budget": "Budget kilométrique",
    "must_host": "Communes imposées",
    "locked_unchanged": "Arrêts annoncés",
    "power": "Électricité",
    "hosts_allowed": "Communes d'accueil autorisées",
    "reported_gap": "Écart annoncé",
    "routes_consistent": "Tournées journalières",
}


# ---------------------------------------------------------------------------- loading


def load(data: bytes, name: str, spec: str, start: date, end: date) -> ScoredTour:
    """Read and score a tour file on territory ``spec`` over the season ``start`` → ``end``.

    Raises
    ------
    PlannerError
        A French message naming the file, the line and the column.
    """
    from ui import data as ud

    territory = ud.get_territory(spec)
    season = build_season(start, end)
    with reading(name, data):
        tour = load_tour(data, territory, season, filename=name)
    needs = ud.get_needs(spec, ud.current_weights()) if tour.plan is None else None
    return score_tour(tour, territory, TourOptions(matrix=ud.get_matrix(spec), needs=needs))


def keep(scored: ScoredTour, *, compare: bool = True) -> None:
    """Make ``scored`` the session's current tour (and its comparison on the same days)."""
    st.session_state[TOUR_KEY] = scored
    st.session_state[PLAN_KEY] = scored.plan
    st.session_state[LOADED_KEY] = scored
    st.session_state[ADOPTED_KEY] = []
    st.session_state.pop(_CHANGES_KEY, None)
    st.session_state.pop(COMPARE_KEY, None)
    if compare:
        with st.spinner("Plan optimisé et saupoudrage sur les mêmes journées…"):
            try:
                st.session_state[COMPARE_KEY] = same_days(scored)
            except PlannerError as exc:  # the tour stays loaded and scored
                st.warning(f"Comparaison sur les mêmes journées impossible : {escape_markdown(str(exc))}")


def adopt(change: Change) -> None:
    """Adopt one proposed change: the changed tour becomes the current one."""
    st.session_state[TOUR_KEY] = change.result
    st.session_state[PLAN_KEY] = change.result.plan
    st.session_state.setdefault(ADOPTED_KEY, []).append(change.text)
    st.session_state.pop(_CHANGES_KEY, None)


def reset() -> None:
    """Back to the tour as loaded."""
    loaded = st.session_state.get(LOADED_KEY)
    if loaded is not None:
        st.session_state[TOUR_KEY] = loaded
        st.session_state[PLAN_KEY] = loaded.plan
        st.session_state[ADOPTED_KEY] = []
        st.session_state.pop(_CHANGES_KEY, None)


def load_upload(upload, spec: str, start: date, end: date) -> None:
    """Score an uploaded file once (a rerun with the same file keeps the tour and its changes)."""
    if upload is None:
        return
    data = upload.getvalue()
    seen = (upload.name, len(data), hash(data), spec, start, end)
    if st.session_state.get(_UPLOAD_SEEN) == seen:
        return
    st.session_state[_UPLOAD_SEEN] = seen
    try:
        keep(load(data, upload.name, spec, start, end))
    except PlannerError as exc:
        st.error(escape_markdown(str(exc)))


def load_sample(start: date, end: date) -> None:
    """The shipped sample tour (a made-up monthly rotation on the Vierzon territory)."""
    keep(load(SAMPLE.read_bytes(), SAMPLE.name, SAMPLE_SPEC, start, end))


# ---------------------------------------------------------------------------- figures


def comparison_frame(comparison: Comparison) -> pd.DataFrame:
    """The three plans side by side, one row per figure."""
    table = rows(comparison)
    frame = pd.DataFrame({"Indicateur": [label for label, _ in table]})
    for i, label in enumerate(comparison.plans):
        frame[label] = [values[i] for _, values in table]
    return frame


def violations_frame(scored: ScoredTour) -> pd.DataFrame:
    """The rules the tour breaks, one line each (French)."""
    return pd.DataFrame(
        {
            "Règle": [RULE_LABELS.get(v.rule, v.rule) for v in scored.violations],
            "Ce qui ne va pas": [v.message for v in scored.violations],
        }
    )


def stops_frame(scored: ScoredTour) -> pd.DataFrame:
    """The stops of the tour: where, when, how many passages, people, announced or not."""
    people = {x.id: x.participants for x in scored.plan.series}
    return pd.DataFrame(
        {
            "Arrêt": [s.label for s in stops(scored)],
            "Passages": [s.sessions for s in stops(scored)],
            "Personnes": [sum(people.get(i, 0) for i in s.series) for s in stops(scored)],
            "Annoncé": ["oui" if s.locked else "non" for s in stops(scored)],
        }
    )


def render_figures(scored: ScoredTour) -> None:
    """The tour's key figures (same definitions as every plan's)."""
    m = scored.plan.metrics
    cols = st.columns(5)
    cols[0].metric(
        "Valeur de la tournée",
        french_decimal(m.objective, 1),
        help="L'objectif de l'optimiseur : personnes servies, pondérées par le besoin non couvert de leur "
        "commune et la priorité aux moins couverts.",
    )
    cols[1].metric("Personnes servies", french_decimal(m.participants))
    cols[2].metric("Séances", french_decimal(m.sessions))
    cols[3].metric("Kilomètres", french_decimal(m.km))
    cols[4].metric("Règles enfreintes", french_decimal(len(scored.violations)))


def render_comparison(comparison: Comparison, key: str) -> None:
    """The comparison table on the same days, with what to know to read it."""
    st.dataframe(comparison_frame(comparison), hide_index=True, width="stretch", key=key)
    for note in notes(comparison):
        st.caption(note)


def render_violations(scored: ScoredTour) -> None:
    """What the tour breaks, listed (never fixed silently)."""
    if not scored.violations:
        st.success("La tournée respecte toutes les règles.")
        return
    counts = violations_frame(scored)["Règle"].value_counts()
    st.markdown(
        f"**{len(scored.violations)} règle(s) enfreinte(s)** — "
        + " ; ".join(f"{escape_markdown(r)} : {n}" for r, n in counts.items())
    )
    with st.expander("Le détail, ligne par ligne"):
        st.dataframe(violations_frame(scored), hide_index=True, width="stretch")
    st.caption(
        "Ces écarts sont listés, jamais corrigés en silence : la tournée est mesurée telle qu'elle est."
    )


def current_changes(scored: ScoredTour, locked: list[tuple]) -> list[Change]:
    """The proposed changes of the current tour (computed once per tour state and locks)."""
    key = (id(scored), tuple(sorted(locked)))
    cached = st.session_state.get(_CHANGES_KEY)
    if cached is not None and cached[0] == key:
        return cached[1]
    with st.spinner("Recherche des meilleurs changements…"):
        changes = propose(scored, locked=locked)
    st.session_state[_CHANGES_KEY] = (key, changes)
    return changes


def render_changes(scored: ScoredTour) -> None:
    """« Améliorer ma tournée » : locks, the proposed changes with an « Adopter » button each."""
    all_stops = [s for s in stops(scored) if not s.locked]
    announced = [s.label for s in stops(scored) if s.locked]
    if announced:
        st.caption("Arrêts annoncés (gardés tels quels) : " + ", ".join(announced) + ".")
    labels = {s.label: s.key for s in all_stops}
    kept = st.multiselect(
        "Autres arrêts à garder tels quels (déjà annoncés)", list(labels), key="mt_locks", placeholder="aucun"
    )
    changes = current_changes(scored, [labels[k] for k in kept])
    if not changes:
        st.info("Aucun changement simple n'améliore la tournée sans enfreindre une règle de plus.")
        return
    st.caption(
        "Chaque gain est mesuré en recalculant toute la tournée changée, avec la même mesure que "
        "l'optimiseur : l'adopter donne exactement les chiffres annoncés."
    )
    for i, c in enumerate(changes):
        col1, col2 = st.columns([6, 1])
        col1.markdown(f"{i + 1}. {escape_markdown(c.text)}")
        if col2.button("Adopter", key=f"mt_adopt_{i}", help="Appliquer ce changement à la tournée"):
            adopt(c)
            st.rerun()


def render_adopted() -> None:
    """The changes adopted so far, and the way back."""
    adopted = st.session_state.get(ADOPTED_KEY) or []
    if not adopted:
        return
    loaded: ScoredTour = st.session_state[LOADED_KEY]
    now: ScoredTour = st.session_state[TOUR_KEY]
    st.markdown(
        f"**Changements adoptés : {len(adopted)}** — valeur {french_decimal(loaded.objective, 1)} → "
        f"{french_decimal(now.objective, 1)}"
    )
    for text in adopted:
        st.markdown(f"- {escape_markdown(text)}")
    if st.button("Revenir à la tournée chargée", key="mt_reset"):
        reset()
        st.rerun()


def plan_json_bytes(scored: ScoredTour) -> bytes:
    """The tour's plan JSON, with the rules it breaks (what ``python -m planner score`` writes)."""
    from planner.commands.score import violations_dict

    data = plan_to_dict(scored.plan) | {"violations": violations_dict(scored)}
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def current_comparison() -> Comparison | None:
    """The comparison on the same days, with the tour as it stands now."""
    comparison = st.session_state.get(COMPARE_KEY)
    scored = st.session_state.get(TOUR_KEY)
    if comparison is None or scored is None:
        return None
    return with_tour(comparison, scored)


def render_bilan_comparison() -> None:
    """For the Bilan: the current tour, the optimised plan and the saupoudrage on the same days
    (when a tour was loaded on « Ma tournée actuelle »)."""
    comparison = current_comparison()
    if comparison is None:
        st.caption(
            "Pour comparer avec la tournée que vous faites aujourd'hui, chargez-la sur la page "
            "« Ma tournée actuelle »."
        )
        return
    st.subheader("Tournée actuelle, plan optimisé et saupoudrage, sur les mêmes journées")
    render_comparison(comparison, key="bilan_tour_comparison")
