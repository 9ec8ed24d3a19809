"""PNG charts for the PDF funder report (matplotlib, Agg backend, no display needed).

The interactive charts of the Bilan page are Altair (``ui/bilan_charts.py``); these are their
printed counterparts: the Lorenz curve, people reached by EPCI, and a before/after map of
mediation places and white zones drawn on the commune outlines.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Polygon as MplPolygon

from planner.model import Plan
from planner.publish.report import (
    ReportContext,
    epci_frame,
    lorenz_frame,
    plan_hosts,
    series_hosts,
    white_zones,
)

PLAN_COLOR = "#1f6f8b"
BASELINE_COLOR = "#e07a5f"
SITE_COLOR = "#3d405b"
WHITE_COLOR = "#f2cc8f"


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def lorenz_png(plans: Mapping[str, Plan], ctx: ReportContext) -> bytes:
    """Lorenz curves of service relative to unmet need, one per plan, with the equality line."""
    df = lorenz_frame(plans, ctx)
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    ax.plot(
        [0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="Égalité (proportionnel au besoin)"
    )
    colors = [PLAN_COLOR, BASELINE_COLOR, "#81b29a"]
    for i, (label, part) in enumerate(df.groupby("Plan", sort=False)):
        ax.plot(
            part["Part du besoin"],
            part["Part du service"],
            marker="o",
            markersize=3,
            color=colors[i % 3],
            label=str(label),
        )
    ax.set_xlabel("Part cumulée du besoin non couvert (communes les moins servies d'abord)")
    ax.set_ylabel("Part cumulée des personnes accompagnées")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title("Courbe de Lorenz du service rapporté au besoin")
    return _png(fig)


def epci_png(plan: Plan, ctx: ReportContext, baseline: Plan | None = None) -> bytes:
    """Horizontal bars: people reached by EPCI, plan and baseline."""
    df = epci_frame(plan, ctx, baseline)
    fig, ax = plt.subplots(figsize=(6.5, 0.6 + 0.55 * max(1, len(df))))
    y = range(len(df))
    h = 0.4 if baseline is not None else 0.7
    ax.barh(
        [i + (h / 2 if baseline is not None else 0) for i in y],
        df["Personnes accompagnées (plan)"],
        height=h,
        color=PLAN_COLOR,
        label="Plan",
    )
    if baseline is not None:
        ax.barh(
            [i - h / 2 for i in y],
            df["Personnes accompagnées (saupoudrage)"],
            height=h,
            color=BASELINE_COLOR,
            label="Saupoudrage",
        )
    ax.set_yticks(list(y), [str(e) for e in df["EPCI"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Personnes touchées (séances isolées comprises)")
    ax.legend(
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22 - 0.1 / max(1, len(df))),
        ncol=2,
        frameon=False,
    )
    ax.set_title("Personnes touchées par EPCI (séances isolées comprises)")
    return _png(fig)


def _outlines(ctx: ReportContext) -> list[list[tuple[float, float]]]:
    """Outer rings of the territory's communes, when the outlines file knows them."""
    try:
        from planner.territory.region import commune_outlines

        features = commune_outlines()["features"]
    except Exception:  # outlines are decoration: the map stays readable without them
        return []
    codes = set(ctx.territory.codes)
    rings = []
    for f in features:
        if f["properties"].get("code_insee") not in codes:
            continue
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings.extend([tuple(p) for p in poly[0]] for poly in polys)
    return rings


def map_png(plan: Plan, ctx: ReportContext, baseline: Plan | None = None) -> bytes:
    """Side-by-side maps: before any plan, with the baseline (if any), with the plan.

    Dark squares are fixed places, blue discs host communes (a full series makes a mediation
    place; a single visit does not), sand-coloured discs white zones.
    """
    k = plan.rules.sessions_per_series
    panels: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [("Avant (lieux fixes seuls)", (), ())]
    if baseline is not None:
        panels.append(("Saupoudrage", plan_hosts(baseline), series_hosts(baseline, k)))
    panels.append(("Plan", plan_hosts(plan), series_hosts(plan, k)))
    rings = _outlines(ctx)
    fig, axes = plt.subplots(1, len(panels), figsize=(4.0 * len(panels), 4.4))
    axes = list(axes) if len(panels) > 1 else [axes]
    lons = [c.lon for c in ctx.territory.communes]
    lats = [c.lat for c in ctx.territory.communes]
    by_code = {c.code_insee: c for c in ctx.territory.communes}
    for ax, (title, hosts, places) in zip(axes, panels, strict=True):
        white = set(white_zones(ctx, places))
        for ring in rings:
            ax.add_patch(
                MplPolygon(ring, closed=True, facecolor="#f4f4f4", edgecolor="#b0b0b0", linewidth=0.4)
            )
        wx = [by_code[c].lon for c in white]
        wy = [by_code[c].lat for c in white]
        ax.scatter(lons, lats, s=6, color="#9a9a9a", zorder=2)
        ax.scatter(wx, wy, s=60, color=WHITE_COLOR, edgecolor="#b5651d", zorder=3, label="Zone blanche")
        sx = [s.lon for s in ctx.territory.fixed_sites]
        sy = [s.lat for s in ctx.territory.fixed_sites]
        ax.scatter(sx, sy, s=30, marker="s", color=SITE_COLOR, zorder=4, label="Lieu fixe")
        full = [h for h in places if h in by_code]
        once = [h for h in hosts if h in by_code and h not in set(places)]
        ax.scatter(
            [by_code[h].lon for h in full],
            [by_code[h].lat for h in full],
            s=45,
            color=PLAN_COLOR,
            edgecolor="white",
            zorder=5,
            label="Parcours complet (lieu de médiation)",
        )
        ax.scatter(
            [by_code[h].lon for h in once],
            [by_code[h].lat for h in once],
            s=45,
            facecolor="none",
            edgecolor=PLAN_COLOR,
            linewidth=1.5,
            zorder=5,
            label="Visite isolée",
        )
        ax.set_title(f"{title}\n{len(white)} zone(s) blanche(s)", fontsize=9)
        ax.set_aspect(1 / 0.68)  # ~1/cos(47°): keeps distances right at this latitude
        ax.set_xticks([])
        ax.set_yticks([])
        pad = 0.03
        ax.set_xlim(min(lons) - pad, max(lons) + pad)
        ax.set_ylim(min(lats) - pad, max(lats) + pad)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.subplots_adjust(bottom=0.12)
    return _png(fig)
