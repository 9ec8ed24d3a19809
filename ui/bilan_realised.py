"""Planned vs done, drawn on Tournée and Bilan: the realised figures of one plan.

What happened is read from the database (:mod:`planner.store.realised`) for the plan's stored
version; the figures are those of :mod:`planner.realised.figures` (counts only, never a name).
Kept apart from the pages so that Bilan's other sections and this one merge independently.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from planner.french import french_decimal
from planner.model import Plan
from planner.publish.report import CostRates, ReportContext
from planner.realised.figures import (
    RealisedFigures,
    figures_frame,
    measurement_note,
    origins_frame,
    realised_figures,
    series_frame,
)
from planner.realised.outcome import CANCEL_REASONS
from planner.realised.places import region_places
from planner.realised.season import RealisedSeason

log = logging.getLogger(__name__)

PLAN_KEY = "plan"
VERSION_KEY = "plan_version_id"


def namer(names: Mapping[str, str]) -> Callable[[str], str]:
    """``code_insee -> name``: the territory's names first, the region's for the others."""
    places = region_places()
    return lambda code: names.get(code) or places.name(code)


def plan_version(engine, plan: Plan) -> int | None:
    """The stored version ``plan`` belongs to: the session's current one, or the one with its content."""
    from planner.store import realised as store

    if st.session_state.get(PLAN_KEY) is plan and st.session_state.get(VERSION_KEY) is not None:
        return int(st.session_state[VERSION_KEY])
    try:
        return store.find_plan_version(engine, plan)
    except Exception:  # the figures of the plan must not depend on the database
        log.error("finding the plan version failed:\n%s", traceback.format_exc())
        return None


def load_realised(engine, plan: Plan) -> tuple[int | None, RealisedSeason]:
    """The plan's version and what happened to its sessions (empty when nothing is stored)."""
    from planner.store import realised as store

    version = plan_version(engine, plan)
    if version is None:
        return None, RealisedSeason()
    try:
        return version, store.realised_for_version(engine, version, plan)
    except Exception:
        log.error("reading the realised failed:\n%s", traceback.format_exc())
        return version, RealisedSeason()


def _n(value: float | None, decimals: int = 0, unit: str = "") -> str:
    text = french_decimal(value, decimals)
    return f"{text} {unit}" if unit and text != "—" else text


def render_metrics(fig: RealisedFigures) -> None:
    """Four tiles: sessions held, participants per session, people trained, cost per person trained."""
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(
        "Séances tenues",
        f"{fig.held} / {fig.planned_sessions}",
        help=f"{fig.cancelled} annulée(s), {fig.not_recorded} non renseignée(s).",
    )
    c2.metric(
        "Participants par séance",
        _n(fig.per_session, 1),
        delta=f"prévu : {_n(fig.planned_per_session, 1)}",
        delta_color="off",
        delta_arrow="off",
        help="Participants des séances tenues / séances tenues ; prévu : taille de groupe attendue pour ces séances.",
    )
    c3.metric(
        "Personnes formées",
        _n(fig.trained),
        delta=f"prévu : {_n(fig.planned_trained)}",
        delta_color="off",
        delta_arrow="off",
        help="Venues à la plupart des séances d'un parcours (4 sur 5) ; voir la définition dans le tableau.",
    )
    c4.metric(
        "Coût par personne formée",
        _n(fig.cost_per_trained, 0, "€"),
        delta=f"prévu : {_n(fig.planned_cost_per_trained, 0, '€')}",
        delta_color="off",
        delta_arrow="off",
        help="Coût des séances qui ont mobilisé le moyen (tenues, ou sans participant) et de leurs tournées, "
        "divisé par les personnes formées — pas par les personnes « touchées ».",
    )


def render_planned_vs_done(
    plan: Plan,
    realised: RealisedSeason,
    ctx: ReportContext | None,
    rates: CostRates | None,
    names: Mapping[str, str],
    *,
    key: str,
    excel: bool = True,
) -> RealisedFigures:
    """Planned vs done: tiles, overall table, per parcours, origins, cancellations, Excel export."""
    name = namer(names)
    fig = realised_figures(plan, realised, ctx, rates)
    if not realised.for_plan(plan).outcomes:
        st.info(
            "Rien n'est encore enregistré pour ce plan : saisissez les séances tenues ou importez un export "
            "de la Coop de la médiation numérique (ou une feuille de présence) dans Tournée, onglet « Réalisé »."
        )
        return fig
    render_metrics(fig)
    st.caption(measurement_note(fig))
    if fig.completion_rate is not None:
        st.markdown(
            f"Taux d'achèvement des parcours terminés : **{_n(fig.completion_rate * 100, 0, '%')}** "
            "des personnes identifiées venues au moins une fois."
        )
    if fig.cancel_reasons:
        st.markdown(
            "Séances annulées : "
            + ", ".join(f"{CANCEL_REASONS[k]} ({n})" for k, n in sorted(fig.cancel_reasons.items()))
            + "."
        )
    st.dataframe(figures_frame(fig, formatted=True), hide_index=True, width="stretch", placeholder="—")
    with st.expander("Par parcours : prévu et réalisé"):
        st.dataframe(
            series_frame(plan, realised, name),
            hide_index=True,
            width="stretch",
            placeholder="—",
            column_config={"Parcours": None, "code_insee": None},
        )
    with st.expander("D'où viennent les participants, au regard de ce que le plan supposait"):
        origins = origins_frame(plan, realised, name)
        if origins.empty:
            st.write("Aucune séance tenue.")
        else:
            st.caption(
                "Personnes par séance tenue, par commune de résidence, en moyenne par parcours ; prévu : ce que le "
                "plan attendait de chaque commune pour les mêmes parcours."
            )
            st.dataframe(
                origins, hide_index=True, width="stretch", placeholder="—", column_config={"code_insee": None}
            )
    if excel:
        from planner.realised.workbook import realised_xlsx

        st.download_button(
            "Prévu et réalisé (Excel)",
            data=lambda: realised_xlsx(plan, realised, ctx, rates, name=name),
            file_name=f"aller-vers_{plan.territory_spec}_realise.xlsx".replace("/", "_").replace(":", "_"),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_realised_xlsx",
            on_click="ignore",
        )
    return fig


def sessions_table(plan: Plan, realised: RealisedSeason, names: Mapping[str, str]) -> pd.DataFrame:
    """Per session, planned and done (the table of the realised export), for display."""
    from planner.realised.figures import sessions_frame

    return sessions_frame(plan, realised, namer(names))


def render_bilan_section(plan: Plan, ctx: ReportContext, rates: CostRates) -> RealisedSeason:
    """Bilan's « Prévu et réalisé » section (counts only, shown to funders too); returns the realised."""
    from ui.auth import store as app_store

    st.subheader("Prévu et réalisé")
    st.caption(
        "Ce qui s'est vraiment passé, séance par séance, saisi ou importé par la coordination (effectifs "
        "seulement : aucun nom n'est conservé), à côté de ce que le plan prévoyait."
    )
    try:
        engine = app_store()
    except Exception:
        log.error("opening the store failed:\n%s", traceback.format_exc())
        st.caption("Réalisé indisponible : la base de données ne répond pas.")
        return RealisedSeason()
    _, realised = load_realised(engine, plan)
    names = {c.code_insee: c.name for c in ctx.territory.communes}
    render_planned_vs_done(plan, realised, ctx, rates, names, key="bilan")
    return realised
