"""CSV, JSON and GeoJSON exports read back; the export_plan entry point and its errors."""

from __future__ import annotations

import csv
import json

import pytest
from tiny_plan import DATES, tiny_matrix, tiny_needs, tiny_plan, tiny_territory

from planner.errors import InputError
from planner.plan_json import load_plan
from planner.publish import FORMATS, Publisher, export_plan, make_context, write


def _csv(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def test_csv_files_rows_and_neutralised_cells(ctx, tmp_path):
    paths = {p.name: p for p in write(ctx, "csv", tmp_path)}
    assert set(paths) == {
        "seances.csv",
        "parcours.csv",
        "feuilles_de_route.csv",
        "chiffres_cles.csv",
        "non_servis.csv",
    }
    sessions = _csv(paths["seances.csv"])
    assert len(sessions) == 10
    assert sessions[0]["Date"] == "2026-03-17"
    assert sessions[0]["Début"] == "09:00"
    assert sessions[0]["Commune"] == "Bréviande"
    unserved = _csv(paths["non_servis.csv"])
    assert unserved[0]["Raison"] == "'=1+1 trop peu de personnes"
    assert any(r["Lieu"].startswith("'=HYPERLINK") for r in sessions)
    for p in paths.values():
        for row in _csv(p):
            assert not any(v.startswith(("=", "+", "@")) for v in row.values())


def test_csv_keeps_negative_numbers_as_numbers():
    from planner.publish.csv import csv_value

    assert csv_value(-2.5) == "-2,5"
    assert csv_value("-2") == "'-2"


def test_json_export_round_trips(ctx, tmp_path):
    paths = write(ctx, "json", tmp_path)
    assert [p.name for p in paths] == ["plan_optimised.json", "plan_baseline.json"]
    back = load_plan(paths[0])
    assert back.sessions == ctx.plan.sessions
    assert back.series == ctx.plan.series
    assert load_plan(paths[1]).kind == "baseline"


def test_geojson_hosts_catchments_routes_and_sites(ctx, tmp_path):
    (path,) = write(ctx, "geojson", tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds.count("host") == 2
    assert kinds.count("catchment") == 4  # two origins per series
    assert kinds.count("route") == 5
    assert kinds.count("fixed_site") == 1
    host = next(f for f in data["features"] if f["properties"]["kind"] == "host")
    assert host["geometry"] == {"type": "Point", "coordinates": [2.1, 47.2]}
    assert host["properties"]["sessions"] == 5
    route = next(f for f in data["features"] if f["properties"]["kind"] == "route")
    assert route["geometry"]["coordinates"][0] == route["geometry"]["coordinates"][-1] == [2.0, 47.2]
    assert "02 48" not in path.read_text(encoding="utf-8")  # no contact data
    # every feature is labelled for a QGIS legend and every property is documented in the file
    assert {f["properties"]["couche"] for f in data["features"]} == {"Arrêt", "Rayon", "Tournée", "Lieu fixe"}
    for f in data["features"]:
        documented = set(data["proprietes"][f["properties"]["kind"]]) | set(data["proprietes"]["commun"])
        assert set(f["properties"]) <= documented


def test_geojson_a_day_in_the_base_commune_is_a_point_and_there_and_back_a_line(ctx, tmp_path):
    from dataclasses import replace

    from planner.model import Route

    plan = replace(
        ctx.plan,
        routes=(
            Route("bus1", DATES[0], ("18001", "18001", "18001"), 0.0, 0.0),
            Route("bus1", DATES[1], ("18001", "18002", "18001"), 20.0, 20.0),
        ),
    )
    (path,) = write(make_context(plan, territory=ctx.territory), "geojson", tmp_path)
    routes = [
        f
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]
        if f["properties"]["kind"] == "route"
    ]
    assert routes[0]["geometry"] == {"type": "Point", "coordinates": [2.0, 47.2]}
    assert routes[1]["geometry"]["type"] == "LineString"
    assert len(routes[1]["geometry"]["coordinates"]) == 3


def test_geojson_needs_the_territory(tmp_path):
    with pytest.raises(InputError, match="territoire"):
        export_plan(tiny_plan(), "geojson", tmp_path)


def test_unknown_format_is_a_french_error(tmp_path):
    with pytest.raises(InputError, match="format d'export inconnu"):
        export_plan(tiny_plan(), "docx", tmp_path)


PUBLISHER = Publisher(name="CC Test", siret="20000000100012")


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_plan_writes_every_format(fmt, tmp_path):
    paths = export_plan(
        tiny_plan(),
        fmt,
        tmp_path / fmt,
        territory=tiny_territory(),
        needs=tiny_needs(),
        matrix=tiny_matrix(),
        publisher=PUBLISHER,
    )
    assert paths and all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert all(p.parent == tmp_path / fmt for p in paths)


def test_make_context_takes_territory_needs_matrix_from_a_problem():
    from planner.model import Season
    from planner.problem import PlanningProblem

    plan = tiny_plan()
    problem = PlanningProblem(
        territory=tiny_territory(),
        needs=tiny_needs(),
        matrix=tiny_matrix(),
        resources=plan.resources,
        season=Season(plan.season.start, plan.season.end),
    )
    ctx = make_context(plan, problem=problem)
    assert ctx.report is not None
    assert ctx.name("18002") == "Bréviande"


def test_export_bytes_single_file_and_zip(ctx):
    import io
    import zipfile

    from planner.publish import export_bytes

    one = export_bytes(ctx, "xlsx", "bilan")
    assert one.name == "bilan.xlsx" and one.data[:2] == b"PK" and "spreadsheetml" in one.mime
    many = export_bytes(ctx, "ics", "bilan")
    assert many.name == "bilan_ics.zip" and many.mime == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(many.data)).namelist()
    assert sorted(names) == [
        "calendrier_breviande_18002.ics",
        "calendrier_dampierre-test_18004.ics",
        "calendrier_moyen_bus1.ics",
    ]


def test_report_bytes_is_the_funder_report_alone(ctx):
    import io

    import pypdf

    from planner.publish import report_bytes

    f = report_bytes(ctx)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(f.data)).pages)
    assert "Bilan du plan" in text and "Feuille de route" not in text


def test_host_files_give_one_communes_calendar_and_poster(ctx):
    import io

    import icalendar
    import pypdf

    from planner.publish import host_files

    cal, poster = host_files(ctx, "18004")
    assert cal.name == "calendrier_dampierre-test_18004.ics"
    assert len(icalendar.Calendar.from_ical(cal.data).walk("VEVENT")) == 5
    reader = pypdf.PdfReader(io.BytesIO(poster.data))
    assert len(reader.pages) == 1 and "Dampierre-Test" in reader.pages[0].extract_text()


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_plan_exports_without_error(fmt, tmp_path):
    from dataclasses import replace

    empty = replace(tiny_plan(), series=(), sessions=(), routes=())
    paths = export_plan(
        empty,
        fmt,
        tmp_path,
        territory=tiny_territory(),
        needs=tiny_needs(),
        matrix=tiny_matrix(),
        publisher=PUBLISHER,
    )
    assert paths and all(p.stat().st_size > 0 for p in paths)
