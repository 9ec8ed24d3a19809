"""Charts and map layers of the Bilan page: Lorenz curve, people by EPCI, before/after maps.

Altair charts take the tables of :mod:`planner.publish.report`; the maps are offline pydeck decks
(``map_provider=None``) on the commune outlines of :mod:`ui.maps`. Every map record carries
``name`` and ``tip`` for the shared tooltip.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import pydeck as pdk

from planner.model import Plan
from planner.publish.report import ReportContext, minutes_to_places, plan_hosts, series_hosts
from ui import maps

PLAN_COLOR = "#1f6f8b"
BASELINE_COLOR = "#e07a5f"
WHITE_RGB = (242, 204, 143)
SITE_RGB = (61, 64, 91)
HOST_RGB = (31, 111, 139)
SERIES_COLORS = {"Plan": PLAN_COLOR, "Saupoudrage": BASELINE_COLOR, "Égalité": "#9a9a9a"}


def lorenz_chart(lorenz: pd.DataFrame) -> alt.LayerChart:
    """Lorenz curves (columns ``Plan``, ``Part du besoin``, ``Part du service``) over the diagonal."""
    lorenz = lorenz.astype({"Plan": object})  # Vega-Lite reads pandas 3 ``str`` columns badly
    names = list(dict.fromkeys(lorenz["Plan"]))
    x = alt.X("Part du besoin:Q", title="Part cumulée du besoin non couvert", axis=alt.Axis(format="%"))
    y = alt.Y("Part du service:Q", title="Part des personnes accompagnées", axis=alt.Axis(format="%"))
    diagonal = (
        alt.Chart(pd.DataFrame({"Part du besoin": [0.0, 1.0], "Part du service": [0.0, 1.0]}))
        .mark_line(strokeDash=[4, 4], color="#9a9a9a")
        .encode(x=x, y=y)
    )
    curves = (
        alt.Chart(lorenz)
        .mark_line(point=True)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "Plan:N",
                scale=alt.Scale(domain=names, range=[SERIES_COLORS.get(n, "#81b29a") for n in names]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("Plan:N"),
                alt.Tooltip("Part du besoin:Q", format=".0%"),
                alt.Tooltip("Part du service:Q", format=".0%"),
            ],
        )
    )
    return (diagonal + curves).properties(height=360)


def epci_chart(epci: pd.DataFrame) -> alt.Chart:
    """Grouped bars of people reached by EPCI, plan against baseline (when the column exists)."""
    labels = {"Personnes accompagnées (plan)": "Plan", "Personnes accompagnées (saupoudrage)": "Saupoudrage"}
    cols = [c for c in labels if c in epci]
    long = epci.melt(id_vars=["EPCI"], value_vars=cols, var_name="Série", value_name="Personnes")
    long["Plan"] = long["Série"].map(labels)
    long = long.drop(columns="Série")
    long = long.astype({"EPCI": object, "Plan": object})  # Vega-Lite reads pandas 3 ``str`` columns badly
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("EPCI:N", title=None, axis=alt.Axis(labelLimit=260)),
            yOffset=alt.YOffset("Plan:N"),
            x=alt.X("Personnes:Q", title="Personnes touchées (séances isolées comprises)"),
            color=alt.Color(
                "Plan:N",
                scale=alt.Scale(domain=["Plan", "Saupoudrage"], range=[PLAN_COLOR, BASELINE_COLOR]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["EPCI:N", "Plan:N", alt.Tooltip("Personnes:Q", format=",.0f")],
        )
        .properties(height=alt.Step(22), title="Personnes accompagnées par EPCI")
    )


def _fmt_minutes(m: float) -> str:
    return "aucun lieu" if m == float("inf") else f"{m:.0f} min".replace(".", ",")


def white_zone_records(ctx: ReportContext, places: tuple[str, ...]) -> list[dict]:
    """Communes beyond 20 minutes of every mediation place, as map points."""
    minutes = minutes_to_places(ctx, places)
    out = []
    for c in ctx.territory.communes:
        m = minutes[c.code_insee]
        if m > 20.0 + 1e-9:
            out.append(
                {
                    "lon": c.lon,
                    "lat": c.lat,
                    "name": f"{c.name} — zone blanche",
                    "tip": f"Lieu de médiation le plus proche : {_fmt_minutes(m)} de route",
                }
            )
    return out


def site_records(ctx: ReportContext) -> list[dict]:
    """Fixed mediation places as map points."""
    return [{"lon": s.lon, "lat": s.lat, "name": s.name, "tip": s.kind} for s in ctx.territory.fixed_sites]


def host_records(plan: Plan, ctx: ReportContext) -> list[dict]:
    """Host communes of a plan; ``full`` tells a full series (a mediation place) from a single visit."""
    full = set(series_hosts(plan))
    by_code = {c.code_insee: c for c in ctx.territory.communes}
    counts: dict[str, int] = {}
    for s in plan.sessions:
        counts[s.host] = counts.get(s.host, 0) + 1
    out = []
    for code in plan_hosts(plan):
        c = by_code.get(code)
        if c is None:
            continue
        kind = "parcours complet" if code in full else "visite isolée"
        out.append(
            {
                "lon": c.lon,
                "lat": c.lat,
                "name": c.name,
                "tip": f"{counts[code]} séance(s) – {kind}",
                "full": code in full,
            }
        )
    return out


def before_after_deck(ctx: ReportContext, plan: Plan | None) -> pdk.Deck:
    """Offline map of mediation places and white zones: before any plan (``plan=None``) or with it."""
    places = series_hosts(plan) if plan is not None else ()
    layers = [
        maps.outline_layer(ctx.territory.codes, layer_id="outlines"),
        maps.points_layer(
            white_zone_records(ctx, places), color=WHITE_RGB, radius_m=1500, layer_id="white_zones"
        ),
        maps.points_layer(site_records(ctx), color=SITE_RGB, radius_m=600, layer_id="fixed_sites"),
    ]
    if plan is not None:
        hosts = host_records(plan, ctx)
        layers.append(
            maps.points_layer(
                [h for h in hosts if h["full"]], color=HOST_RGB, radius_m=900, layer_id="series_hosts"
            )
        )
        once = [h for h in hosts if not h["full"]]
        if once:
            layers.append(
                maps.points_layer(once, color=(224, 122, 95), radius_m=600, layer_id="single_visits")
            )
    return maps.make_deck(layers, maps.view_for(ctx.territory, width_px=450, height_px=420))
