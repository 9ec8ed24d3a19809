"""The « Réalisé » section of the funder report: planned vs done, with definitions.

Written into the report of :mod:`planner.publish.pdf` when the export context carries what
happened (:attr:`planner.publish.common.ExportContext.realised`). Counts only: the realised
data hold no name.
"""

from __future__ import annotations

from fpdf.fonts import FontFace

from planner.french import french_decimal
from planner.realised.figures import figures_frame, measurement_note, realised_figures, series_realised
from planner.realised.outcome import CANCEL_REASONS

WIDTHS = (100.0, 40.0, 40.0)


def has_realised(ctx) -> bool:
    """True when something is recorded for a session of the context's plan."""
    return ctx.realised is not None and bool(ctx.realised.for_plan(ctx.plan).outcomes)


def realised_section(pdf, ctx) -> None:
    """Write « Réalisé » into ``pdf`` (a :class:`planner.publish.pdf._Doc`)."""
    from planner.publish.pdf import FONT, GREY, HEAD_FILL

    plan, realised = ctx.plan, ctx.realised
    fig = realised_figures(plan, realised, ctx.report, ctx.rates)
    pdf.add_page()
    pdf.heading("Réalisé : ce qui s'est vraiment passé", level=1)
    pdf.line_text(
        "Séances tenues et participants, saisis par la coordination ou importés (export de la Coop de la "
        "médiation numérique, feuilles de présence) : effectifs seulement, aucun nom n'est conservé. "
        "Le coût est rapporté aux personnes formées, pas aux personnes « touchées ».",
        9,
    )
    pdf.line_text(measurement_note(fig), 9, color=GREY)
    if fig.cancel_reasons:
        pdf.line_text(
            "Séances annulées : "
            + ", ".join(f"{CANCEL_REASONS[k]} ({n})" for k, n in sorted(fig.cancel_reasons.items()))
            + ".",
            9,
        )
    pdf.ln(1)
    frame = figures_frame(fig, formatted=True)
    definition = FontFace(size_pt=7, color=GREY)
    pdf.set_font(FONT, "", 9)
    with pdf.table(
        col_widths=WIDTHS,
        width=sum(WIDTHS),
        text_align=("LEFT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
        line_height=4.6,
        align="LEFT",
    ) as table:
        table.row(("Indicateur", "Prévu", "Réalisé"))
        for _, r in frame.iterrows():
            unit = f" {r['Unité']}" if r["Unité"] else ""
            row = table.row()
            row.cell(str(r["Indicateur"]), style=FontFace(emphasis="BOLD"))
            for v in (r["Prévu"], r["Réalisé"]):
                row.cell("" if v in (None, "—") else f"{v}{unit}")
            table.row().cell(str(r["Définition"]), colspan=3, style=definition, align="LEFT")
    pdf.heading("Par parcours", level=2, size=11)
    widths = (70.0, 32.0, 39.0, 39.0)
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
        line_height=4.4,
        align="LEFT",
    ) as table:
        table.row(("Commune d'accueil", "Séances tenues", "Participants par séance", "Personnes formées"))
        for x in series_realised(plan, realised):
            table.row(
                (
                    ctx.name(x.host),
                    f"{x.held} / {x.planned_sessions}",
                    f"{french_decimal(x.per_session, 1)} (prévu {x.planned_group})",
                    french_decimal(x.trained) + ("" if x.measured or not x.held else " (estimé)"),
                )
            )
