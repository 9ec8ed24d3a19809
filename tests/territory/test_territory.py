"""Territories: embedded specs, fixed places, user files and their hostile variants."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from planner.errors import InputError, UnknownTerritoryError
from planner.inputs.communes import read_communes_file
from planner.model import Commune
from planner.territory.fixed_sites import all_fixed_sites, match_cnfs_commune
from planner.territory.region import commune_containing, region_frame
from planner.territory.specs import (
    DEFAULT_SPEC,
    VIERZON_EPCI,
    load_territory,
    load_territory_file,
    territory_choices,
)

DATA = Path(__file__).resolve().parents[1] / "data"


# ----------------------------------------------------------------------------- embedded specs


def test_region_has_1754_communes():
    assert len(region_frame()) == 1754
    assert region_frame()["code_insee"].is_unique


def test_vierzon_default_territory_has_34_communes_and_55012_inhabitants():
    territory = load_territory(DEFAULT_SPEC)
    assert DEFAULT_SPEC == "vierzon"
    assert len(territory.communes) == 34
    assert territory.population == 55_012
    assert {c.epci_siren for c in territory.communes} == set(VIERZON_EPCI)
    assert list(territory.codes) == sorted(territory.codes)


def test_spec_is_case_and_space_insensitive():
    assert load_territory("  Vierzon ").codes == load_territory("vierzon").codes


def test_communes_carry_raw_indicators():
    vierzon = load_territory("vierzon").commune("18279")
    assert vierzon.name == "Vierzon"
    ind = vierzon.indicators
    assert ind["pop_65p"] > 7000
    assert ind["part_65p_pct"] == pytest.approx(29.3)
    assert ind["revenu_median_uc_2021"] == 19130
    assert ind["fibre_ftth_pct"] == pytest.approx(96.7)
    assert "pop_15p_non_scol_sans_diplome_rp2016" in ind
    assert ind["ruralite_niveau"] in (0.0, 0.25, 0.5, 0.75, 1.0)


def test_bv2022_vierzon_is_the_insee_bassin():
    territory = load_territory("bv2022:18279")
    assert "Vierzon" in territory.name
    assert "18279" in territory.codes
    frame = region_frame()
    assert len(territory.communes) == int((frame["bv2022"] == "18279").sum())


def test_bv2012_differs_from_bv2022():
    assert set(load_territory("bv2012:18279").codes) != set(load_territory("bv2022:18279").codes)


def test_epci_list_is_the_union():
    one = load_territory("epci:200090561")
    two = load_territory("epci:200090561,244100806")
    assert set(one.codes) < set(two.codes)
    assert {c.epci_siren for c in two.communes} == {"200090561", "244100806"}
    assert "CC Vierzon-Sologne-Berry" in two.name


@pytest.mark.parametrize("spec", ["nowhere", "bv2022:99999", "bv2012:ABCDE", "epci:123456789", "epci:", ""])
def test_unknown_spec_raises_french_error(spec):
    with pytest.raises(UnknownTerritoryError, match=r"inconnu|aucun"):
        load_territory(spec)


def test_missing_file_spec_is_unknown():
    with pytest.raises(UnknownTerritoryError, match="introuvable"):
        load_territory("/nonexistent/communes.csv")


def test_file_spec_loads_a_user_file():
    path = DATA / "communes_fr_cp1252.csv"
    territory = load_territory(str(path))
    assert territory.spec == str(path)
    assert len(territory.communes) == 3


def test_territory_choices_start_with_vierzon_then_bassins_then_epci():
    choices = territory_choices()
    specs = [s for s, _ in choices]
    assert specs[0] == "vierzon"
    assert specs[-1] == "cvl"
    kinds = [s.split(":")[0] for s in specs[1:-1]]
    assert kinds == sorted(kinds, key=["bv2022", "bv2012", "epci"].index)
    assert len(set(specs)) == len(specs)
    assert all(label for _, label in choices)
    for spec in ("bv2022:18279", "bv2012:18279", "epci:200090561"):
        assert spec in specs


# ----------------------------------------------------------------------------- fixed sites


def test_vierzon_fixed_sites_include_the_monograph_actors():
    sites = load_territory("vierzon").fixed_sites
    names = " | ".join(s.name for s in sites)
    for expected in (
        "Grands Moulins",
        "Salbris",
        "Neuvy-sur-Barangeon",
        "Médiathèque",
        "CCAS",
        "PIJ",
        "AJCV",
    ):
        assert expected in names
    for expected in ("Str@t'Emploi", "Mission locale", "Pôle emploi"):
        assert expected in names
    epn = next(s for s in sites if "Grands Moulins" in s.name)
    assert epn.code_insee == "18103"
    assert "10 ordinateurs" in epn.equipment
    assert "mar" in epn.days_open and "ven" in epn.days_open
    assert "Monographie" in epn.source


def test_fixed_sites_lie_in_the_territory():
    territory = load_territory("vierzon")
    assert {s.code_insee for s in territory.fixed_sites} <= set(territory.codes)


def test_no_place_is_counted_twice():
    sites = all_fixed_sites()
    ids = [s.id for s in sites]
    assert len(ids) == len(set(ids))
    # curated records replace their France services / CNFS twins
    assert "fs:252" not in ids and "fs:1143" not in ids
    assert "cnfs:62aaff738255a806e299c6e3" not in ids
    # the CNFS "Maison France Services" of Salbris is the same desk as France services Salbris
    salbris = [s for s in load_territory("vierzon").fixed_sites if s.code_insee == "41232"]
    assert len(salbris) == 1


def test_mobile_france_services_are_not_fixed_coverage():
    ids = {s.id for s in all_fixed_sites()}
    assert "fs:1892" not in ids  # Bus France services Vierzon Sologne Berry
    assert "fs:2583" not in ids  # France services itinérante


def test_france_services_antenna_counts_half():
    antenna = next(s for s in all_fixed_sites() if s.id == "fs:230")
    assert antenna.capacity == 0.5


def test_cnfs_places_are_matched_to_a_commune():
    cnfs = [s for s in all_fixed_sites() if s.kind == "conseiller_numerique"]
    assert len(cnfs) > 50
    vierzon = [s for s in cnfs if s.code_insee == "18279"]
    assert vierzon, "CNFS places of Vierzon should be attached to 18279"


def test_cnfs_matching_by_name_then_outline():
    assert match_cnfs_commune("VIERZON", "18100", 47.2216, 2.0698) == ("18279", "nom")
    # a typo in the name ("BOUIRGES") falls back to the commune outline
    assert match_cnfs_commune("BOUIRGES", "18000", 47.104798, 2.405236) == ("18033", "contour")
    assert match_cnfs_commune("St Amand Montrond", "18200", 46.7219, 2.5067)[0] == "18197"


def test_point_in_outline():
    assert commune_containing(47.2214, 2.0697) == "18279"
    assert commune_containing(48.8566, 2.3522) is None  # Paris is outside the region


# ----------------------------------------------------------------------------- user files


@pytest.mark.parametrize("name", ["communes_fr_cp1252.csv", "communes_utf8_bom.csv"])
def test_french_csv_loads(name):
    territory = load_territory_file(DATA / name, name)
    assert territory.codes == ("18103", "18279", "41232")
    gracay = territory.commune("18103")
    assert gracay.name == "Graçay"
    assert gracay.lat == pytest.approx(47.1426)
    assert gracay.indicators["score_fragilite"] == pytest.approx(98.0)
    # embedded indicators complete the file for communes of the region
    assert "pop_65p" in gracay.indicators
    assert {s.code_insee for s in territory.fixed_sites} <= set(territory.codes)
    assert any("Grands Moulins" in s.name for s in territory.fixed_sites)


def test_bytes_upload_is_equivalent_to_a_path():
    data = (DATA / "communes_fr_cp1252.csv").read_bytes()
    assert (
        load_territory_file(data, "x.csv").codes
        == load_territory_file(DATA / "communes_fr_cp1252.csv", "x.csv").codes
    )


def test_comma_csv_with_english_aliases_and_outside_commune():
    territory = load_territory_file(DATA / "communes_comma.csv", "communes_comma.csv")
    montlucon = territory.commune("03185")
    assert montlucon.population == 34361
    assert "pop_65p" not in montlucon.indicators  # outside the region: nothing embedded
    assert "commentaire" not in montlucon.indicators  # a text column is not an indicator


def test_reading_a_file_gives_sorted_communes_and_the_territory_adds_the_sites():
    data = (
        b"code_insee;nom;population;lat;lon\n18279;Vierzon;25068;47,22;2,07\n18103;Gracay;1234;47,14;1,85\n"
    )
    communes = read_communes_file(data, "c.csv")
    assert all(isinstance(c, Commune) for c in communes)
    assert [c.code_insee for c in communes] == ["18103", "18279"]
    territory = load_territory_file(data, "c.csv")
    assert territory.communes == communes
    assert territory.fixed_sites and {s.code_insee for s in territory.fixed_sites} <= {"18103", "18279"}


def test_leading_zero_restored():
    data = b"code_insee;nom;population;lat;lon\n3185;Montlu\xe7on;34361;46,34;2,60\n"
    assert load_territory_file(data, "z.csv").codes == ("03185",)


def test_xlsx_loads():
    book = Workbook()
    sheet = book.active
    sheet.append(["Code INSEE", "Nom", "Population", "Latitude", "Longitude", "Score"])
    sheet.append(["18279", "Vierzon", 25068, 47.2214, 2.06967, 1.5])
    buffer = io.BytesIO()
    book.save(buffer)
    territory = load_territory_file(buffer.getvalue(), "communes.xlsx")
    assert territory.codes == ("18279",)
    assert territory.commune("18279").indicators["score"] == 1.5


def test_xlsx_formula_is_refused_with_row_and_column():
    book = Workbook()
    sheet = book.active
    sheet.append(["code_insee", "nom", "population", "lat", "lon"])
    sheet.append(["18279", "Vierzon", 25068, 47.2214, 2.06967])
    sheet.append(["18103", "Graçay", "=C2/10", 47.1426, 1.8456])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(InputError) as info:
        load_territory_file(buffer.getvalue(), "communes.xlsx")
    assert (info.value.file, info.value.row, info.value.column) == ("communes.xlsx", 3, "population")
    assert "formule" in str(info.value)


# One hostile file per rule: (file in tests/data, row, column, words the French message must hold).
# Row 1 is the header; ``None`` where the problem is the whole file.
BAD_FILES = [
    pytest.param("bad_missing_column.csv", 1, "lon", ("absente", "longitude"), id="missing-column"),
    pytest.param("bad_duplicate_column.csv", 1, "population", ("double",), id="duplicate-column"),
    pytest.param("bad_duplicate_insee.csv", 4, "code_insee", ("18279", "ligne 2"), id="duplicate-insee"),
    pytest.param("bad_malformed_insee.csv", 3, "code_insee", ("18X03",), id="malformed-insee"),
    pytest.param("bad_outside_france.csv", 3, "lat", ("hors de France",), id="outside-france"),
    pytest.param("bad_swapped_latlon.csv", 3, "lat", ("inversées",), id="swapped-lat-lon"),
    pytest.param("bad_negative_population.csv", 3, "population", ("négative",), id="negative-population"),
    pytest.param("bad_absurd_population.csv", 3, "population", ("invraisemblable",), id="absurd-population"),
    pytest.param("bad_empty.csv", None, None, ("vide",), id="empty-file"),
    pytest.param("bad_header_only.csv", None, None, ("aucune commune",), id="header-only"),
    pytest.param("bad_binary.csv", 3, None, ("encodage",), id="wrong-encoding"),
    pytest.param("bad_formula.csv", 3, "population", ("formule",), id="formula-in-cell"),
    pytest.param("bad_not_a_number.csv", 3, "score_fragilite", ("nombre attendu",), id="text-in-indicator"),
]


@pytest.mark.parametrize(("name", "row", "column", "words"), BAD_FILES)
def test_bad_file_is_refused_naming_file_row_and_column(name, row, column, words):
    with pytest.raises(InputError) as info:
        load_territory_file(DATA / name, name)
    err = info.value
    assert str(err).startswith(f"fichier « {name} »")
    assert (err.file, err.row, err.column) == (name, row, column)
    for word in words:
        assert word in err.message


def test_utf16_text_from_excel_loads():
    """Excel's « Texte Unicode » is UTF-16 with a byte-order mark: a normal French export."""
    territory = load_territory_file(DATA / "communes_utf16.csv", "communes_utf16.csv")
    assert territory.codes == ("18103", "18279", "41232") and territory.commune("18103").name == "Graçay"


def test_alias_columns_for_the_same_field_are_duplicates():
    data = b"code_insee;nom;name;population;lat;lon\n18279;Vierzon;Vierzon;25068;47,22;2,07\n"
    with pytest.raises(InputError, match="double"):
        load_territory_file(data, "alias.csv")


def test_negative_number_is_not_a_formula():
    data = b"code_insee;nom;population;lat;lon;ecart\n18279;Vierzon;25068;47,22;2,07;-3,5\n"
    assert load_territory_file(data, "neg.csv").commune("18279").indicators["ecart"] == -3.5


def test_town_hall_coordinates_do_not_swallow_a_nearby_place():
    # curated Vierzon actors sit at the town hall point (approximate); the CNFS place at the
    # town hall itself is a different service and must stay
    ids = {s.id for s in load_territory("vierzon").fixed_sites}
    assert "cnfs:62ab1c8e8255a806e299c905" in ids  # COMMUNE DE VIERZON
    assert len(ids) == 15


def test_region_spec_is_the_whole_region():
    region = load_territory("cvl")
    assert len(region.communes) == 1754
    assert territory_choices()[-1][0] == "cvl"


# ----------------------------------------------------------------------------- command line

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", "territory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_json_shape():
    done = _cli("vierzon", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"territory", "communes", "fixed_sites"}
    assert payload["territory"] == {
        "spec": "vierzon",
        "name": payload["territory"]["name"],
        "communes": 34,
        "population": 55012,
    }
    assert len(payload["communes"]) == 34
    assert set(payload["communes"][0]) == {
        "code_insee",
        "name",
        "population",
        "lat",
        "lon",
        "need",
        "coverage",
        "unmet_need",
    }
    assert set(payload["fixed_sites"][0]) == {"id", "name", "kind", "code_insee", "lat", "lon"}
    for c in payload["communes"]:
        assert c["unmet_need"] == pytest.approx(c["need"] * (1 - c["coverage"]), abs=c["need"] * 1e-4 + 0.02)


def test_cli_weight_option_changes_the_need():
    base = json.loads(_cli("epci:200070571", "--json").stdout)
    more = json.loads(_cli("epci:200070571", "--json", "--weight", "rate_65p=0.9").stdout)
    assert sum(c["need"] for c in more["communes"]) > sum(c["need"] for c in base["communes"])


def test_cli_user_file_and_user_indicator():
    done = _cli(
        str(DATA / "communes_fr_cp1252.csv"),
        "--json",
        "--weight",
        "user_indicator=score_fragilite",
        "--weight",
        "user_weight=1",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["territory"]["communes"] == 3


def test_cli_help_explains_every_weight_with_its_source():
    from planner.territory.need import WEIGHT_INFO

    done = _cli("--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    for info in WEIGHT_INFO:
        assert f"{info.name} = " in text
        assert f"{info.explanation} Source : {info.source}." in text


def test_cli_text_table():
    done = _cli("vierzon")
    assert done.returncode == 0
    assert "34 communes" in done.stdout and "Vierzon" in done.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("atlantide", "--json"), "territoire inconnu"),
        ((str(DATA / "bad_duplicate_insee.csv"), "--json"), "ligne 4"),
        (("vierzon", "--weight", "nope=1"), "poids inconnu"),
    ],
)
def test_cli_errors_are_one_french_line(args, expected):
    done = _cli(*args)
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Erreur : ") and expected in lines[0]


def test_thousands_separator_is_accepted():
    data = "code_insee;nom;population;lat;lon\n18279;Vierzon;25\u202f068;47,22;2,07\n".encode()
    assert load_territory_file(data, "p.csv").population == 25068


HEADER = b"code_insee;nom;population;lat;lon\n"
BAD_ROWS = [
    pytest.param(b"18279;Vierzon;25,5;47,22;2,07\n", 2, "population", "non entière", id="decimal-population"),
    pytest.param(
        b"18279;Vierzon;25068;47,22;2,07\n18103;Gra\x81ay;1234;47,14;1,85\n",
        3,
        None,
        "encodage",
        id="bad-byte",
    ),
    pytest.param(b"18279;Vierzon;25068;;2,07\n", 2, "lat", "latitude manquante", id="missing-latitude"),
    pytest.param(b"18279;;25068;47,22;2,07\n", 2, "nom", "nom de commune manquant", id="missing-name"),
]


@pytest.mark.parametrize(("rows", "row", "column", "words"), BAD_ROWS)
def test_bad_row_is_refused_naming_row_and_column(rows, row, column, words):
    with pytest.raises(InputError, match=words) as info:
        load_territory_file(HEADER + rows, "c.csv")
    assert (info.value.file, info.value.row, info.value.column) == ("c.csv", row, column)
