"""PDF exports read back with pypdf: report, day sheets, one-page posters with every date."""

from __future__ import annotations

import pypdf
from tiny_plan import DATES, HOSTS

from planner.export import make_context, write
from planner.export.common import fr_date


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
    assert "Mairie, Dampierre-Test" in text
    assert "Auprès de la mairie de Dampierre-Test" in text
    for d in DATES:
        assert fr_date(d) in text


def test_poster_with_many_dates_still_fits_one_page(ctx, tmp_path):
    from dataclasses import replace

    moved = tuple(replace(s, host="18002") for s in ctx.plan.sessions)  # 10 sessions at B
    plan = replace(ctx.plan, sessions=moved)
    write(make_context(plan, territory=ctx.territory, hosts=HOSTS), "pdf", tmp_path)
    pages, text = _text(tmp_path / "affiche_breviande_18002.pdf")
    assert pages == 1
    assert text.count("mardi 17 mars 2026") == 2


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
