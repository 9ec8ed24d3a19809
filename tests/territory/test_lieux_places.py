"""Fixed places from a file in the national standard of mediation places count for coverage."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from planner.errors import InputError
from planner.lieux_standard import field_names
from planner.territory.fixed_sites import read_lieux_file, with_fixed_places
from planner.territory.need import compute_need
from planner.territory.specs import load_territory, with_lieux

DATA = Path(__file__).resolve().parents[1] / "data"
PARTNERS = DATA / "lieux_partenaires.csv"  # Lury-sur-Arnon (fixed), Quincy (no INSEE code), Massay (bus stop)


def test_fixed_rows_are_places_and_itinerant_rows_are_not():
    places = read_lieux_file(PARTNERS)
    assert [s.code_insee for s in places.fixed] == ["18134", "18190"]
    assert [s.code_insee for s in places.itinerant] == ["18140"]
    lury, quincy = places.fixed
    assert (
        lury.name == "Médiathèque de Lury-sur-Arnon" and lury.days_open == "mar 14:00-18:00; sam 09:00-12:00"
    )
    assert (lury.lat, lury.lon) == pytest.approx((47.1385, 2.0498))
    # Quincy has no INSEE code nor coordinates: found by name and postcode, placed at its town hall
    vierzon = load_territory("vierzon")
    assert (quincy.lat, quincy.lon) == (vierzon.commune("18190").lat, vierzon.commune("18190").lon)


def test_places_from_the_file_raise_coverage_where_they_are():
    base = load_territory("vierzon")
    more = with_fixed_places(base, read_lieux_file(PARTNERS).fixed)
    assert len(more.fixed_sites) == len(base.fixed_sites) + 2
    before, after = compute_need(base), compute_need(more)
    for code in ("18134", "18190"):
        assert after[code].coverage > before[code].coverage
        assert after[code].unmet_need < before[code].unmet_need
    assert not any(s.code_insee == "18140" and s.id.startswith("lieux:") for s in more.fixed_sites)
    # adding the same file twice adds nothing more
    assert with_fixed_places(more, read_lieux_file(PARTNERS).fixed).fixed_sites == more.fixed_sites


def test_the_spec_option_and_the_cli(tmp_path):
    spec = with_lieux("vierzon", PARTNERS)
    territory = load_territory(spec)
    assert any(s.name == "Point numérique du CCAS de Quincy" for s in territory.fixed_sites)
    assert territory.spec == spec
    done = subprocess.run(
        [sys.executable, "-m", "planner", "territory", "vierzon", "--lieux", str(PARTNERS), "--json"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0 and "Médiathèque de Lury-sur-Arnon" in done.stdout


def test_an_excel_extract_with_a_title_row_reads_too():
    book = Workbook()
    sheet = book.active
    sheet.append(["Extrait de la cartographie nationale – septembre 2026"])
    sheet.append([])
    sheet.append(list(field_names()))
    row = {name: "" for name in field_names()}
    row.update(id="x1", nom="EPN de Vouzeron", code_insee=18290, itinerance="Fixe|Itinérant")
    sheet.append([row[n] for n in field_names()])
    data = io.BytesIO()
    book.save(data)
    places = read_lieux_file(data.getvalue(), "extrait.xlsx")
    assert [s.code_insee for s in places.fixed] == ["18290"]  # fixed and itinerant: a fixed place


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"nom": "Lieu", "commune": "Atlantide", "code_postal": "18120"}, "commune", "introuvable"),
        ({"nom": "Lieu"}, "code_insee", "ni code INSEE"),
        ({"nom": "Lieu", "code_insee": "1810"}, "code_insee", "01810"),
        ({"nom": "Lieu", "code_insee": "18279", "itinerance": "Mobile"}, "itinerance", "schéma national"),
        ({"nom": "Lieu", "code_insee": "18279", "latitude": "quarante-sept"}, "latitude", "nombre attendu"),
    ],
)
def test_a_row_that_cannot_be_placed_is_refused_naming_line_and_column(tmp_path, cells, column, words):
    row = {name: "" for name in field_names()}
    row.update(cells)
    path = tmp_path / "lieux.csv"
    path.write_text(
        ";".join(field_names()) + "\n" + ";".join(row[n] for n in field_names()) + "\n", encoding="cp1252"
    )
    with pytest.raises(InputError, match=words) as info:
        read_lieux_file(path)
    assert (info.value.file, info.value.row, info.value.column) == ("lieux.csv", 2, column)
