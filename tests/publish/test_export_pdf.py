"""PDF exports read back with pypdf: report, day sheets, one-page posters with every date."""

from __future__ import annotations

import pypdf
import pytest
from tiny_plan import DATES, HOSTS

from planner.publish import make_context, write
from planner.publish.common import fr_date


def _text(path) -> tuple[int, str]:
    reader = pypdf.PdfReader(path)
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def test_files_report_one_per_resource_and_one_per_host(ctx, tmp_path):
    names = sorted(p.name for p in write(ctx, "pdf", tmp_path))
    assert names == [
        "affiche_breviande_18002.pdf",
        "affiche_dampierre-test_18004.pdf",
        "feuilles_de_route_bus1.pdf",
        "rapport_financeurs.pdf",
    ]


def test_poster_is_one_page_with_commune_every_date_place_and_contact(ctx, tmp_path):
    write(ctx, "pdf", tmp_path)
    pages, text = _text(tmp_path / "affiche_breviande_18002.pdf")
    assert pages == 1
    assert "Bréviande" in text
    for d in DATES:
        assert f"{fr_date(d)}, de 9 h à 12 h" in text
    assert "GRATUIT" in text
    assert "Salle des fêtes" in text
    assert "En mairie, au 02 48 00 00 01" in text
    assert "mairie@breviande.test" in text


def test_poster_without_host_details_falls_back_to_the_town_hall(tmp_path, ctx):
    bare = make_context(ctx.plan, territory=ctx.territory)
    write(bare, "pdf", tmp_path)
    _, text = _text(tmp_path / "affiche_dampierre-test_18004.pdf")
    assert "Mairie de Dampierre-Test" in text and text.count("Dampierre-Test, Dampierre-Test") == 0
    assert "Auprès de la mairie de Dampierre-Test" in text
    for d in DATES:
        assert fr_date(d) in text


def test_a_commune_with_two_parcours_gets_one_poster_for_each(ctx, tmp_path):
    from dataclasses import replace

    moved = tuple(replace(s, host="18002") for s in ctx.plan.sessions)  # both series at B: 10 sessions
    plan = replace(ctx.plan, sessions=moved)
    write(make_context(plan, territory=ctx.territory, hosts=HOSTS), "pdf", tmp_path)
    reader = pypdf.PdfReader(tmp_path / "affiche_breviande_18002.pdf")
    assert len(reader.pages) == 2
    morning, afternoon = (p.extract_text() for p in reader.pages)
    assert "le mardi matin" in morning and "le mardi après-midi" in afternoon
    for d in DATES:
        assert f"{fr_date(d)}, de 9 h à 12 h" in morning and f"{fr_date(d)}, de 14 h à 17 h" in afternoon
    # « Où ? » names the commune once
    assert morning.count("Bréviande") == 2  # in the title band and once in « Où ? »
    assert [o.title for o in reader.outline] == ["Mardi 9 h – 5 ateliers", "Mardi 14 h – 5 ateliers"]


def test_day_sheets_one_page_per_resource_day(ctx, tmp_path):
    write(ctx, "pdf", tmp_path)
    pages, text = _text(tmp_path / "feuilles_de_route_bus1.pdf")
    assert pages == len(DATES)
    assert "Mardi 17 mars 2026" in text
    assert "Bréviande" in text and "Dampierre-Test" in text
    assert "séance 1/5 (verrouillée)" in text
    assert "Mme Martin" in text


def test_funder_report_has_figures_baseline_and_charts(ctx, tmp_path):
    write(ctx, "pdf", tmp_path)
    reader = pypdf.PdfReader(tmp_path / "rapport_financeurs.pdf")
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Territoire test" in text
    assert "Saupoudrage" in text
    assert "Personnes suivant un parcours complet" in text
    assert "Indice de Gini" in text
    assert "arrêté du 26 avril 2017" in text
    images = sum(len(p.images) for p in reader.pages)
    assert images == 3  # Lorenz curve, EPCI bars, before/after map
    # The funder report never shows contact data.
    assert "Mme Martin" not in text and "02 48 00 00 01" not in text


# ---------------------------------------------------------------- every line fits its page
MM = 72 / 25.4  # PDF points per mm


def _measure():
    """An fpdf2 document with the report's fonts, to measure strings as fpdf2 lays them out."""
    from fpdf import FPDF

    from planner.publish.pdf import FONT, FONT_DIR

    doc = FPDF(unit="pt")
    doc.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    doc.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    doc.add_page()
    return doc, FONT


def _overflows(path, margin_mm: float = 15.0, bottom_mm: float = 5.0) -> list[str]:
    """Text runs of the PDF that pass the right margin, start left of the left one or fall off
    the bottom, measured from the text positions written in the file (pypdf) and the font's own
    widths (fpdf2)."""
    doc, font = _measure()
    bad = []
    for page_no, page in enumerate(pypdf.PdfReader(path).pages, start=1):
        right = float(page.mediabox.width) - margin_mm * MM

        def visit(text, cm, tm, font_dict, size, page_no=page_no, right=right):
            if not text.strip():
                return
            bold = "Bold" in str((font_dict or {}).get("/BaseFont", ""))
            doc.set_font(font, "B" if bold else "", size)
            x, y = tm[4] + cm[4], tm[5] + cm[5]
            end = x + doc.get_string_width(text.rstrip())
            if end > right + 0.5 or x < margin_mm * MM - 0.5 or y < bottom_mm * MM:
                bad.append(f"p{page_no} x={x:.0f} end={end:.0f} y={y:.0f} {size}pt: {text!r}")

        page.extract_text(visitor_text=visit)
    return bad


def _long_names_plan(ctx, host_name: str, n_sessions: int):
    """The tiny plan with ``n_sessions`` afternoon sessions (14 h 05–17 h 05, long French dates)
    at host 18002, renamed ``host_name``."""
    from dataclasses import replace
    from datetime import date, time, timedelta

    communes = tuple(
        replace(c, name=host_name) if c.code_insee == "18002" else c for c in ctx.territory.communes
    )
    territory = replace(ctx.territory, communes=communes)
    first = date(2027, 9, 22)  # a Wednesday in September: among the longest French dates
    sessions = tuple(
        replace(
            s, host="18002", date=first + timedelta(days=7 * (i // 2)), start=time(14, 5), end=time(17, 5)
        )
        for i, s in enumerate((ctx.plan.sessions * 2)[:n_sessions])
    )
    return replace(ctx.plan, sessions=sessions), territory


def test_old_poster_layout_would_overflow_the_margin(tmp_path):
    """The check itself catches a date line in 21 pt bold wider than the page."""
    from fpdf import FPDF

    from planner.publish.pdf import _Doc

    pdf: FPDF = _Doc("essai", footer=False)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 21)
    pdf.cell(0, 10, "• mercredi 22 septembre 2027, de 14 h 05 à 17 h 05")
    pdf.output(str(tmp_path / "bad.pdf"))
    assert len(_overflows(tmp_path / "bad.pdf")) == 1


@pytest.mark.parametrize("name", ["Saint-Hilaire-de-Court", "Neuvy-sur-Barangeon"])
@pytest.mark.parametrize("n_sessions", [5, 10])
def test_poster_lines_fit_the_width_and_one_page(ctx, tmp_path, name, n_sessions):
    plan, territory = _long_names_plan(ctx, name, n_sessions)
    hosts = {"18002": HOSTS["18002"]}
    paths = write(make_context(plan, territory=territory, hosts=hosts), "pdf", tmp_path)
    poster_path = next(p for p in paths if p.name.startswith("affiche_") and p.name.endswith("_18002.pdf"))
    pages, text = _text(poster_path)
    assert pages == 2  # two parcours at this commune: one poster each
    assert f"à {name}" in text
    assert text.count("de 14 h 05 à 17 h 05") == n_sessions
    for d in sorted({s.date for s in plan.sessions}):
        assert fr_date(d) in text
    assert _overflows(poster_path) == []
    assert "GRATUIT" in text and "Contact : " in text  # the last lines were drawn on the page


def test_poster_keeps_large_print_when_there_is_room(ctx, tmp_path):
    plan, territory = _long_names_plan(ctx, "Saint-Hilaire-de-Court", 5)
    path = write(make_context(plan, territory=territory, hosts=HOSTS), "pdf", tmp_path)
    poster_path = next(p for p in path if p.name.endswith("_18002.pdf"))
    sizes = []
    for page in pypdf.PdfReader(poster_path).pages:
        page.extract_text(
            visitor_text=lambda t, cm, tm, fd, size: sizes.append((t, size)) if t.startswith("•") else None
        )
    assert len(sizes) == 5
    assert min(s for _, s in sizes) >= 16  # shrunk only as far as the width needs, still large


def test_day_sheets_and_report_text_stays_within_the_margins(ctx, tmp_path):
    plan, territory = _long_names_plan(ctx, "Saint-Hilaire-de-Court", 10)
    c = make_context(
        plan, territory=territory, needs=ctx.needs, matrix=ctx.matrix, baseline=ctx.baseline, hosts=HOSTS
    )
    write(c, "pdf", tmp_path)
    for name in ("feuilles_de_route_bus1.pdf", "rapport_financeurs.pdf"):
        assert _overflows(tmp_path / name) == [], name


def test_funder_report_leads_with_full_series_and_explains_saupoudrage(ctx, tmp_path):
    from planner.publish.report import SAUPOUDRAGE_NOTE

    write(ctx, "pdf", tmp_path)
    text = " ".join(pypdf.PdfReader(tmp_path / "rapport_financeurs.pdf").pages[0].extract_text().split())
    first = text.index("Personnes suivant un parcours complet")
    assert first < text.index("Part du besoin non couvert servie par des parcours complets")
    assert first < text.index("Personnes touchées (séances isolées comprises)")
    assert "Saupoudrage : 0 pers." in text  # one-off visits train nobody
    assert " ".join(SAUPOUDRAGE_NOTE.split()[:12]) in text


def test_day_sheet_route_does_not_repeat_the_base(ctx, tmp_path):
    from dataclasses import replace

    route = replace(ctx.plan.routes[0], stops=("18001", "18001", "18002", "18001"))
    plan = replace(ctx.plan, routes=(route, *ctx.plan.routes[1:]))
    write(make_context(plan, territory=ctx.territory, hosts=HOSTS), "pdf", tmp_path)
    _, text = _text(tmp_path / "feuilles_de_route_bus1.pdf")
    assert "Aubigny-Test → Bréviande → Aubigny-Test – 60 km" in " ".join(text.split())


def test_poster_with_long_texts_shrinks_to_stay_on_one_page(ctx, tmp_path):
    from dataclasses import replace

    plan, territory = _long_names_plan(ctx, "Saint-Hilaire-de-Court", 10)
    wordy = replace(
        HOSTS["18002"],
        venue="Salle polyvalente Jean-Baptiste-Poquelin, au premier étage de la médiathèque intercommunale",
        audience="Toute personne qui veut être plus à l'aise avec le numérique : " * 4,
        registration="Inscription obligatoire auprès du secrétariat de mairie, du lundi au vendredi. " * 3,
    )
    write(make_context(plan, territory=territory, hosts={"18002": wordy}), "pdf", tmp_path)
    path = tmp_path / "affiche_saint-hilaire-de-court_18002.pdf"
    pages, text = _text(path)
    assert pages == 2  # one poster per parcours, each on its page
    assert _overflows(path) == []
    assert text.count("de 14 h 05 à 17 h 05") == 10
    assert "Contact : " in text


def test_pdfs_are_tagged_french_and_carry_bookmarks(ctx, tmp_path):
    write(ctx, "pdf", tmp_path)
    for name in ("rapport_financeurs.pdf", "feuilles_de_route_bus1.pdf", "affiche_breviande_18002.pdf"):
        reader = pypdf.PdfReader(tmp_path / name)
        assert reader.trailer["/Root"]["/Lang"] == "fr-FR", name
        assert reader.outline, name
    report = [
        o.title
        for o in pypdf.PdfReader(tmp_path / "rapport_financeurs.pdf").outline
        if not isinstance(o, list)
    ]
    assert report[0] == "Bilan du plan"
    titles = str(pypdf.PdfReader(tmp_path / "rapport_financeurs.pdf").outline)
    for section in ("Chiffres clés", "Équité entre communes", "Par EPCI", "Communes non servies et pourquoi"):
        assert section in titles
    days = [o.title for o in pypdf.PdfReader(tmp_path / "feuilles_de_route_bus1.pdf").outline]
    assert days == [fr_date(d).capitalize() for d in DATES]


def test_reasons_are_grouped_and_name_resources_not_ids(ctx, tmp_path):
    from dataclasses import replace

    from planner.model import Unserved

    reason = "plus de créneau libre le mardi (bus1)"
    unserved = (
        Unserved("18003", 20.0, reason, "ajouter une journée à bus1", name="Cerbois-Test"),
        Unserved("18005", 10.0, reason, "ajouter une journée à bus1", name="Épineuil-Test"),
    )
    c = make_context(
        replace(ctx.plan, unserved=unserved),
        territory=ctx.territory,
        needs=ctx.needs,
        matrix=ctx.matrix,
        baseline=ctx.baseline,
    )
    write(c, "pdf", tmp_path)
    text = " ".join(_text(tmp_path / "rapport_financeurs.pdf")[1].split())
    assert "bus1" not in text
    assert text.count("Plus de créneau libre le mardi (Bus numérique)") == 1  # one group, not one line each
    assert "2 communes" in text and "Cerbois-Test (20), Épineuil-Test (10)" in text


def test_posters_and_day_sheets_say_where_to_go_afterwards(ctx, tmp_path):
    write(ctx, "pdf", tmp_path)
    _, poster = _text(tmp_path / "affiche_dampierre-test_18004.pdf")
    poster = " ".join(poster.split())
    # the only fixed place is the EPN at Aubigny-Test, 30 min from Dampierre-Test on the tiny line
    assert "Et après ? EPN d'Aubigny (Aubigny-Test), à 30 min" in poster
    _, sheets = _text(tmp_path / "feuilles_de_route_bus1.pdf")
    assert "Et après ? EPN d'Aubigny (Aubigny-Test), à 10 min" in " ".join(sheets.split())  # from Bréviande
