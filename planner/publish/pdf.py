"""PDF exports (fpdf2, DejaVu Sans embedded from ``data/fonts``): the funder report, day sheets
(one page per resource-day, one file per resource) and a one-page large-print poster per host
commune.

The fonts are shipped in ``data/fonts`` (licence alongside) so that no system file is read.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from planner import DATA_DIR
from planner.french import WEEKDAY_NAMES_FR, french_decimal
from planner.model import DOMICILE, PERMANENCE, Session
from planner.publish.common import (
    DEFAULT_AUDIENCE,
    DEFAULT_TOPICS,
    ExportContext,
    day_stops,
    fr_date,
    fr_slot,
    fr_time,
    home_visits_phrase,
    relay_after,
    resource_days,
    resource_label,
    rhythm_of,
    series_label,
    series_of,
    series_size,
    sessions_by_series,
    slug,
    with_names,
)
from planner.publish.report import (
    CO2_SOURCE,
    HEADLINE_KEYS,
    SAUPOUDRAGE_NOTE,
    epci_frame,
    format_figure,
    key_figures,
)

FONT_DIR = DATA_DIR / "fonts"
FONT = "DejaVu"
INK = (30, 30, 30)
ACCENT = (31, 111, 139)
GREY = (100, 100, 100)
HEAD_FILL = (221, 231, 240)
HIGHLIGHT = (255, 243, 214)


class _Doc(FPDF):
    """A4 document with DejaVu Sans and a French footer."""

    def __init__(self, title: str, footer: bool = True) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_lang("fr-FR")  # screen readers and text extraction read the PDF as French
        self.set_author("Aller-vers")
        self.set_creator("Aller-vers")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=15)
        self._footer = footer
        self.set_text_color(*INK)

    def footer(self) -> None:
        if not self._footer:
            return
        self.set_y(-11)
        self.set_font(FONT, "", 7)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"Aller-vers – {self.title} – page {self.page_no()}", align="C")
        self.set_text_color(*INK)

    @property
    def usable_width(self) -> float:
        """Width between the left and right margins (mm)."""
        return self.w - self.l_margin - self.r_margin

    def fit_size(self, texts: Sequence[str], style: str, size: float, width: float, floor: float) -> float:
        """Largest font size ≤ ``size`` (steps of 0.5, not below ``floor``) at which every text fits."""
        while size > floor:
            self.set_font(FONT, style, size)
            if all(self.get_string_width(t) <= width for t in texts):
                return size
            size = max(floor, size - 0.5)
        return floor

    def line_text(
        self, text: str, size: float = 10, style: str = "", h: float | None = None, color=INK
    ) -> None:
        """A left-aligned paragraph that wraps within the margins, then a new line."""
        self.set_font(FONT, style, size)
        self.set_text_color(*color)
        self.multi_cell(0, h or size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)

    def fitted_line(self, text: str, size: float, style: str = "", floor: float = 8, color=INK) -> None:
        """One line shrunk to fit the usable width (down to ``floor``); wraps if it still does not fit."""
        size = self.fit_size([text], style, size, self.usable_width, floor)
        self.line_text(text, size, style, h=size * 0.5, color=color)

    def heading(self, text: str, size: float = 14, level: int = 0) -> None:
        """A section title, also a bookmark of the PDF's outline."""
        self.ln(2)
        self.start_section(text, level=level)
        self.line_text(text, size, "B", color=ACCENT)
        self.ln(1)


def _sentence(text: str) -> str:
    """``"plus de créneau"`` → ``"Plus de créneau."``."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _write(pdf: FPDF, path: Path) -> Path:
    pdf.output(str(path))
    return path


# ---------------------------------------------------------------- funder report
def _epci_table(pdf: _Doc, epci) -> None:
    """Figures by EPCI as a table (fpdf2's table API; abbreviations explained under it)."""
    cols = [
        ("EPCI", "EPCI", 62),
        ("Communes", "Communes", 16),
        ("Population", "Population", 18),
        ("Besoin non couvert", "Besoin n.c.", 18),
        ("Personnes accompagnées (plan)", "Pers. plan", 17),
        ("Personnes accompagnées (saupoudrage)", "Pers. saup.", 17),
        ("Zones blanches (avant)", "ZB avant", 16),
        ("Zones blanches (plan)", "ZB plan", 16),
    ]
    cols = [c for c in cols if c[0] in epci.columns]
    pdf.ln(2)
    pdf.set_font(FONT, "", 7.5)
    heads = FontFace(emphasis="BOLD", fill_color=HEAD_FILL, size_pt=7)
    with pdf.table(
        col_widths=[w for *_, w in cols],
        width=sum(w for *_, w in cols),
        text_align=["LEFT"] + ["RIGHT"] * (len(cols) - 1),
        headings_style=heads,
        line_height=4.5,
        align="LEFT",
    ) as table:
        table.row([head for _, head, _ in cols])
        for _, r in epci.iterrows():
            table.row([str(r[key]) if key == "EPCI" else french_decimal(float(r[key])) for key, _, _ in cols])
    pdf.line_text(
        "Besoin n.c. : besoin non couvert ; Pers. : personnes accompagnées ; saup. : saupoudrage ; "
        "ZB : communes en zone blanche.",
        7,
        color=GREY,
    )


FIGURE_WIDTHS = (93.0, 29.0, 29.0, 29.0)
FIGURE_HEADS = ("Indicateur", "Plan", "Saupoudrage", "Avant le plan")


def _headline(pdf: _Doc, figures, has_baseline: bool) -> None:
    """The comparison a funder reads first: people trained by a full series, plan vs saupoudrage."""
    by_key = {f.key: f for f in figures}
    pdf.heading("L'essentiel : des personnes formées, pas seulement touchées", level=1)
    half = pdf.usable_width / 2
    for key in HEADLINE_KEYS:
        f = by_key[key]
        pdf.line_text(f.label, 11, "B")
        values = [("Plan", f.plan)] + ([("Saupoudrage", f.baseline)] if has_baseline else [])
        size = pdf.fit_size([f"{name} : {format_figure(f, v)}" for name, v in values], "B", 16, half - 2, 10)
        pdf.set_font(FONT, "B", size)
        for i, (name, v) in enumerate(values):
            pdf.set_text_color(*(ACCENT if i == 0 else GREY))
            pdf.cell(half, size * 0.55, f"{name} : {format_figure(f, v)}")
        pdf.set_text_color(*INK)
        pdf.ln(size * 0.55 + 1)
    pdf.ln(1)
    pdf.line_text(SAUPOUDRAGE_NOTE, 9, color=GREY)


def _story(pdf: _Doc, ctx: ExportContext) -> None:
    """What the plan achieves that saupoudrage does not (:mod:`planner.publish.story`), in sentences."""
    from planner.publish.story import funders_story, story_sentences

    pdf.heading("Ce que le plan apporte que le saupoudrage n'apporte pas", level=1, size=12)
    for line in story_sentences(funders_story(ctx.plan, ctx.report, ctx.baseline, ctx.rates)):
        pdf.line_text(f"• {line}", 9.5)
    pdf.line_text(
        "Les parts du besoin se comparent en points ; le coût est rapporté aux personnes formées, pas aux "
        "personnes « touchées ».",
        8,
        color=GREY,
    )


def _figures_table(pdf: _Doc, figures) -> None:
    """Key figures, one row each (label, values), the definition in a row under it (table API)."""
    headline = FontFace(emphasis="BOLD", fill_color=HIGHLIGHT)
    definition = FontFace(size_pt=7, color=GREY)
    pdf.set_font(FONT, "", 9)
    with pdf.table(
        col_widths=FIGURE_WIDTHS,
        width=sum(FIGURE_WIDTHS),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
        line_height=4.6,
        align="LEFT",
    ) as table:
        table.row(FIGURE_HEADS)
        for f in figures:
            style = headline if f.key in HEADLINE_KEYS else None
            row = table.row(style=style)
            row.cell(f.label, style=FontFace(emphasis="BOLD", fill_color=HIGHLIGHT if style else None))
            for v in (f.plan, f.baseline, f.before):
                row.cell(format_figure(f, v) if v is not None else "")
            table.row().cell(f.definition, colspan=4, style=definition, align="LEFT")


def _reason_groups(ctx: ExportContext) -> list[tuple[str, str, list]]:
    """Unserved communes grouped by reason (names, not ids), the largest unmet need first."""
    groups: dict[tuple[str, str], list] = {}
    for u in sorted(ctx.plan.unserved, key=lambda u: -u.unmet_need):
        key = (with_names(_sentence(u.reason), ctx.plan), with_names(_sentence(u.what_would_help), ctx.plan))
        groups.setdefault(key, []).append(u)
    ordered = sorted(groups.items(), key=lambda kv: -sum(u.unmet_need for u in kv[1]))
    return [(reason, help_, members) for (reason, help_), members in ordered]


def _unserved_section(pdf: _Doc, ctx: ExportContext) -> None:
    pdf.heading("Communes non servies et pourquoi", level=1)
    for reason, help_, members in _reason_groups(ctx):
        if pdf.will_page_break(16):
            pdf.add_page()
        need = sum(u.unmet_need for u in members)
        pdf.line_text(
            f"{reason.rstrip('.')} — {len(members)} commune{'s' if len(members) > 1 else ''}, "
            f"besoin non couvert {french_decimal(need)}",
            9,
            "B",
        )
        names = ", ".join(
            f"{u.name or ctx.name(u.code_insee)} ({french_decimal(u.unmet_need)})" for u in members
        )
        pdf.line_text(names, 8.5)
        if help_:
            pdf.line_text(f"Ce qui changerait : {help_}", 8.5, color=GREY)
        pdf.ln(1)


def funder_report(ctx: ExportContext) -> FPDF:
    """The funder report: key figures with definitions, charts, map, figures by EPCI, unserved."""
    plan = ctx.plan
    territory_name = ctx.territory.name if ctx.territory else plan.territory_spec
    pdf = _Doc("Bilan pour les financeurs")
    pdf.add_page()
    pdf.start_section("Bilan du plan")
    pdf.line_text("Bilan du plan de médiation numérique itinérante", 18, "B", color=ACCENT)
    pdf.ln(1)
    pdf.line_text(f"Territoire : {territory_name}", 11)
    pdf.line_text(f"Saison : du {fr_date(plan.season.start)} au {fr_date(plan.season.end)}", 11)
    moyens = ", ".join(f"{r.label or r.id} ({r.seats} places)" for r in plan.resources)
    pdf.line_text(f"Moyens itinérants : {moyens}", 11)
    pdf.ln(2)
    pdf.line_text(
        "Le plan regroupe les journées du moyen itinérant en parcours de plusieurs ateliers au même endroit, "
        "là où le besoin non couvert est le plus fort. Chaque chiffre est comparé au « saupoudrage » "
        "(une séance par commune, à tour de rôle) calculé sur les mêmes journées.",
        9.5,
    )
    rc = ctx.report
    if rc is None:
        pdf.heading("Chiffres du plan", level=1)
        m = plan.metrics
        for label, value in (
            ("Personnes suivant un parcours complet", m.participants_full_series),
            ("Personnes touchées (séances isolées comprises)", m.participants),
            ("Séances", m.sessions),
            ("Kilomètres", round(m.km)),
        ):
            pdf.line_text(f"{label} : {value}", 11)
        return pdf
    figures = key_figures(plan, rc, ctx.baseline, ctx.rates)
    _headline(pdf, figures, ctx.baseline is not None)
    _story(pdf, ctx)
    pdf.heading("Chiffres clés", level=1)
    _figures_table(pdf, figures)
    pdf.ln(1)
    r = ctx.rates
    pdf.line_text(
        f"Taux retenus : {french_decimal(r.eur_per_km, 2)} € par km, {french_decimal(r.eur_per_hour)} € par heure "
        f"mobilisée, {french_decimal(r.fuel_l_per_100km, 1)} L/100 km. CO2 : {CO2_SOURCE}.",
        7.5,
        color=GREY,
    )

    from planner.publish.pdf_realised import has_realised, realised_section

    if has_realised(ctx):
        realised_section(pdf, ctx)

    from planner.publish.charts import epci_png, lorenz_png, map_png

    plans = {"Plan": plan}
    if ctx.baseline is not None:
        plans["Saupoudrage"] = ctx.baseline
    pdf.add_page()
    pdf.heading("Équité entre communes", level=1)
    pdf.line_text(
        "Plus la courbe est proche de la diagonale, plus le service est réparti selon le besoin. "
        "L'indice de Gini mesure l'écart : 0 = parfaitement proportionnel, 1 = tout dans une commune.",
        9,
    )
    pdf.image(io.BytesIO(lorenz_png(plans, rc)), w=140)
    pdf.heading("Par EPCI", level=1)
    pdf.image(io.BytesIO(epci_png(plan, rc, ctx.baseline)), w=170)
    _epci_table(pdf, epci_frame(plan, rc, ctx.baseline))
    pdf.add_page()
    pdf.heading("Carte avant / après : lieux de médiation et zones blanches", level=1)
    pdf.line_text(
        "Zone blanche : commune à plus de 20 minutes de route de tout lieu de médiation (lieu fixe ou "
        "commune qui accueille un parcours complet ; une visite isolée ne fait pas un lieu où revenir).",
        9,
    )
    pdf.image(io.BytesIO(map_png(plan, rc, ctx.baseline)), w=180)
    if plan.unserved:
        _unserved_section(pdf, ctx)
    return pdf


# ---------------------------------------------------------------- day sheets
def _distinct_stops(stops: Sequence[str]) -> list[str]:
    """Route stops without consecutive repeats (a session in the base commune is no extra trip)."""
    return [c for i, c in enumerate(stops) if i == 0 or c != stops[i - 1]]


def _day_page(pdf: _Doc, ctx: ExportContext, resource: str, day: date, sessions: Sequence[Session]) -> None:
    plan = ctx.plan
    k = series_size(plan)
    participants = {s.id: s.participants for s in plan.series}
    route = next((r for r in plan.routes if r.resource == resource and r.date == day), None)
    res = next((r for r in plan.resources if r.id == resource), None)
    pdf.add_page()
    pdf.start_section(fr_date(day).capitalize())
    pdf.line_text(f"Feuille de route – {resource_label(plan, resource)}", 16, "B", color=ACCENT)
    pdf.line_text(fr_date(day).capitalize(), 14, "B")
    pdf.ln(1)
    if res is not None:
        pdf.line_text(
            f"Départ de la base : {ctx.name(res.base)} (journée {fr_time(res.day_start)} – {fr_time(res.day_end)})",
            10,
        )
    if route is not None:
        pdf.line_text(
            f"Itinéraire : {' → '.join(ctx.name(c) for c in _distinct_stops(route.stops))} – {route.km:.0f} km, "
            f"{route.drive_minutes:.0f} min de route",
            10,
        )
    for order, (s, count) in enumerate(day_stops(sessions), start=1):
        host = ctx.host(s.host)
        pdf.ln(3)
        end = sessions[list(sessions).index(s) + count - 1].end
        pdf.line_text(f"{order}. {fr_time(s.start)} – {fr_time(end)} : {ctx.name(s.host)}", 13, "B")
        if s.service == DOMICILE:
            # a number, never a person: the addresses stay with the mairie or the CCAS
            pdf.line_text(home_visits_phrase(count, ctx.name(s.host)), 10, "B")
            pdf.line_text(
                "Adresses : auprès de la mairie ou du CCAS (elles ne figurent pas dans le plan).", 10
            )
            if host.contact_line:
                pdf.line_text(f"Contact : {host.contact_line}", 10)
            continue
        pdf.line_text(f"Lieu : {ctx.place(s.host)}", 10)
        if s.service == PERMANENCE:
            pdf.line_text(
                f"{series_label(plan, s.series, ctx.name)} – passage {s.index}/{k.get(s.series, 1)}"
                + (" (verrouillé)" if s.locked else ""),
                10,
            )
            pdf.line_text(f"Personnes attendues sur la saison : {participants.get(s.series, '—')}", 10)
        else:
            pdf.line_text(
                f"{series_label(plan, s.series, ctx.name)} – séance {s.index}/{k.get(s.series, 1)}"
                + (" (verrouillée)" if s.locked else ""),
                10,
            )
            if k.get(s.series) == len(DEFAULT_TOPICS) and 1 <= s.index <= len(DEFAULT_TOPICS):
                pdf.line_text(f"Thème : {DEFAULT_TOPICS[s.index - 1]}", 10)
            pdf.line_text(f"Participants attendus : {participants.get(s.series, '—')}", 10)
        if host.contact_line:
            pdf.line_text(f"Contact sur place : {host.contact_line}", 10)
        relay = relay_after(ctx, s.host)
        if relay:
            pdf.line_text(f"À dire aux participants — {relay}", 10)
        pdf.line_text("Présents : ______    Absents : ______    Remarques : ____________________________", 10)
    pdf.ln(4)
    pdf.line_text("Retour à la base en fin de journée.", 9, color=GREY)


def day_sheets(ctx: ExportContext, resource: str) -> FPDF:
    """Day sheets of one resource: one page per working day."""
    pdf = _Doc(f"Feuilles de route – {resource_label(ctx.plan, resource)}")
    days = [(d, ss) for r, d, ss in resource_days(ctx.plan) if r == resource]
    for day, sessions in days:
        _day_page(pdf, ctx, resource, day, sessions)
    if not days:
        pdf.add_page()
        pdf.line_text(f"Aucune journée planifiée pour « {resource_label(ctx.plan, resource)} ».", 12)
    return pdf


# ---------------------------------------------------------------- poster
POSTER_BOTTOM = 287.0  # mm: lowest line of text on the A4 poster (10 mm from the edge)
POSTER_MIN_SCALE = 0.5


def _draw_poster(pdf: _Doc, ctx: ExportContext, host: str, sessions: Sequence[Session], scale: float) -> None:
    """Draw one parcours' poster on a new page, every type size multiplied by ``scale``."""
    name = ctx.name(host)
    details = ctx.host(host)
    k = len(sessions)
    first = sessions[0]
    rhythm = rhythm_of(series_of(ctx.plan).get(first.series)) if first.service == PERMANENCE else None
    pdf.add_page()
    pdf.start_section(
        f"{WEEKDAY_NAMES_FR[first.date.weekday()].capitalize()} {fr_time(first.start)} – {k} atelier{'s' if k > 1 else ''}"
    )
    width = pdf.usable_width
    # Header band: the title and the commune's name, each shrunk to the width if needed.
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 48, style="F")
    pdf.set_xy(pdf.l_margin, 10)
    pdf.set_text_color(255, 255, 255)
    title = "Permanence numérique" if first.service == PERMANENCE else "Ateliers numériques"
    pdf.set_font(FONT, "B", pdf.fit_size([title], "B", 30, width, 16))
    pdf.cell(width, 14, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    where = f"à {name}"
    pdf.set_font(FONT, "B", pdf.fit_size([where], "B", 22, width, 11))
    pdf.cell(width, 12, where, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_y(54)
    n = max(1, k)
    body = (17 if n <= 6 else 14) * scale
    gap = (5 if n <= 6 else 2) * scale
    what = (
        f"Une aide individuelle, sans rendez-vous, {rhythm.poster_fr} de {fr_time(first.start)} à "
        f"{fr_time(first.end)} : démarches en ligne, courriels, smartphone, ordinateur."
        if first.service == PERMANENCE and rhythm is not None
        else f"Un parcours de {k} ateliers, le {WEEKDAY_NAMES_FR[first.date.weekday()]} "
        f"{'matin' if first.start.hour < 12 else 'après-midi'}, pour apprendre pas à pas : ordinateur, "
        "tablette, smartphone, courriel, démarches en ligne."
        if k > 1
        else "Un atelier pour se familiariser avec l'ordinateur, la tablette et les démarches en ligne."
    )
    pdf.line_text(what, body, h=body * 0.48)
    pdf.ln(gap)
    pdf.line_text("Pour qui ?", body + 1, "B", color=ACCENT)
    pdf.line_text(details.audience or DEFAULT_AUDIENCE, body - 2, h=(body - 2) * 0.48)
    pdf.ln(gap)
    pdf.line_text("Quand ?", body + 1, "B", color=ACCENT)
    # Every date line in the same size: the largest at which the longest one fits the width.
    lines = [f"• {fr_slot(s)}" for s in sessions]
    date_size = (21 if n <= 6 else max(11, 21 - (n - 6) * 1.1)) * scale
    date_size = pdf.fit_size(lines, "B", date_size, width, min(date_size, 10))
    for line in lines:
        pdf.line_text(line, date_size, "B", h=date_size * 0.5)
    if first.service == PERMANENCE:
        pdf.line_text("Venez quand vous voulez, avec vos papiers et vos identifiants.", body - 3)
    elif k > 1:
        pdf.line_text("Venez à toutes les séances : chaque atelier s'appuie sur le précédent.", body - 3)
    pdf.ln(gap)
    pdf.line_text("Où ?", body + 1, "B", color=ACCENT)
    pdf.line_text(ctx.place(host), body, h=body * 0.48)
    pdf.ln(gap)
    if first.service != PERMANENCE:
        pdf.line_text("Inscription", body + 1, "B", color=ACCENT)
        pdf.line_text(
            details.registration or f"Auprès de la mairie de {name}. Places limitées.", body, h=body * 0.48
        )
    pdf.ln(gap + 2 * scale)
    pdf.set_font(FONT, "B", 34 * scale)
    pdf.set_text_color(*ACCENT)
    pdf.cell(width, 16 * scale, "GRATUIT", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.line_text(
        "Ordinateurs et tablettes fournis. Vous pouvez venir avec votre téléphone ou votre tablette.",
        body - 3,
        h=(body - 3) * 0.5,
    )
    pdf.ln(gap)
    contact = details.contact_line or f"Mairie de {name}"
    pdf.line_text(f"Contact : {contact}", body - 1, "B")
    relay = relay_after(ctx, host)
    if relay:
        pdf.ln(gap / 2)
        pdf.line_text(relay, body - 3, h=(body - 3) * 0.5, color=ACCENT)


def _poster_doc(title: str) -> _Doc:
    pdf = _Doc(title, footer=False)
    pdf.set_auto_page_break(False)
    return pdf


def _fitting_scale(ctx: ExportContext, host: str, sessions: Sequence[Session]) -> float:
    """Largest type scale (steps of 5 %, down to half size) at which the poster fits its page."""
    scale = 1.0
    while scale > POSTER_MIN_SCALE:
        scratch = _poster_doc("essai")
        _draw_poster(scratch, ctx, host, sessions, scale)
        if scratch.get_y() <= POSTER_BOTTOM:
            return scale
        scale = round(scale - 0.05, 2)
    return POSTER_MIN_SCALE


def poster(ctx: ExportContext, host: str) -> FPDF:
    """Large-print posters of a host commune: one page per parcours (what, for whom, dates, place,
    registration, and where to go afterwards).

    A commune hosting several parcours gets one page for each, so each group reads its own five
    dates in large type. Every line fits the width between the margins and each poster stays on
    one page: when the text runs below :data:`POSTER_BOTTOM`, it is drawn again with every type
    size 5 % smaller, down to half size.
    """
    pdf = _poster_doc(f"Affiche – {ctx.name(host)}")
    groups = [
        ss
        for ss in sessions_by_series(ctx.plan).values()
        if ss and ss[0].host == host and ss[0].service != DOMICILE  # a home visit has no poster
    ]
    groups.sort(key=lambda ss: (ss[0].date, ss[0].start))
    for sessions in groups:
        _draw_poster(pdf, ctx, host, sessions, _fitting_scale(ctx, host, sessions))
    if not groups:
        pdf.add_page()
        pdf.line_text(f"Aucun atelier n'est prévu à {ctx.name(host)} dans ce plan.", 16)
    return pdf


# ---------------------------------------------------------------- files
def write_pdf(ctx: ExportContext, out_dir: str | Path) -> list[Path]:
    """Write the funder report, one day-sheet file per resource and one poster per host commune."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [_write(funder_report(ctx), out / "rapport_financeurs.pdf")]
    for r in ctx.plan.resources:
        paths.append(_write(day_sheets(ctx, r.id), out / f"feuilles_de_route_{slug(r.id)}.pdf"))
    for host in sorted({s.host for s in ctx.plan.sessions if s.service != DOMICILE}):
        paths.append(_write(poster(ctx, host), out / f"affiche_{slug(ctx.name(host))}_{host}.pdf"))
    return paths
