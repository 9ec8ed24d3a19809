"""The itinerant stops in the national standard of mediation places: validated by the reference
Table Schema validator (frictionless) against the shipped schema, ``horaires`` parsed by an
OpenStreetMap opening_hours parser, and read back."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

import frictionless
import opening_hours
import pytest
from tiny_plan import DATES

from planner import DATA_DIR
from planner.errors import InputError
from planner.lieux_standard import SCHEMA_FILE
from planner.lieux_standard import opening_hours as osm_hours
from planner.publish import Publisher, make_context, write
from planner.publish.lieux import lieux_rows
from planner.territory.fixed_sites import read_lieux_file

SHARED = Path("/work/shared/data/standards/schema-lieux-mediation-numerique-v1.0.2.json")
PUBLISHER = Publisher(name="CC Test-en-Berry", siret="200000001 00012", phone="02 48 00 00 00")


@pytest.fixture
def lieux(ctx, tmp_path):
    ctx = make_context(
        ctx.plan, territory=ctx.territory, hosts=dict(ctx.hosts), publisher=PUBLISHER, previous=ctx.previous
    )
    (path,) = write(ctx, "lieux", tmp_path)
    return ctx, path


def validate(path: Path) -> frictionless.Report:
    """The reference validator, on a file and the shipped schema (both given as trusted local files)."""
    schema = frictionless.Schema.from_descriptor(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    return frictionless.Resource(path.name, basepath=str(path.parent), schema=schema).validate()


def test_the_export_is_valid_against_the_shipped_schema(lieux):
    _, path = lieux
    report = validate(path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 2  # one lieu per stop: Bréviande and Dampierre


def test_a_broken_row_is_what_the_reference_validator_refuses(lieux, tmp_path):
    """The validation above can fail: the same file with its SIRET cut is refused."""
    _, path = lieux
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text(encoding="utf-8").replace("20000000100012", "2000"), encoding="utf-8")
    report = validate(bad)
    assert not report.valid
    assert {e[1] for e in report.flatten(["rowNumber", "fieldName"])} == {"pivot"}


def test_each_stop_has_its_dates_as_opening_hours_and_the_required_fields(lieux):
    ctx, _ = lieux
    rows = {r["code_insee"]: r for r in lieux_rows(ctx, updated=date(2026, 3, 1))}
    breviande = rows["18002"]
    assert breviande["itinerance"] == "Itinérant"
    assert breviande["structure_parente"] == "CC Test-en-Berry" and breviande["pivot"] == "20000000100012"
    assert breviande["telephone"] == "+33248000000" and breviande["date_maj"] == "2026-03-01"
    assert (
        breviande["adresse"] == "1 place de l'Église" and breviande["complement_adresse"] == "Salle des fêtes"
    )
    assert rows["18004"]["complement_adresse"].startswith("'=HYPERLINK")  # a formula stays text
    assert "Dans un atelier collectif" in breviande["modalites_accompagnement"]
    assert breviande["frais_a_charge"] == "Gratuit"
    hours = opening_hours.OpeningHours(breviande["horaires"])
    assert opening_hours.validate(breviande["horaires"])
    for d in DATES:
        assert hours.is_open(datetime(d.year, d.month, d.day, 10, 0))
        assert not hours.is_open(datetime(d.year, d.month, d.day, 13, 0))
    assert not hours.is_open(datetime(2026, 3, 18, 10, 0))  # the Wednesday after: no bus
    assert len(breviande["presentation_resume"]) <= 280


def test_two_slots_on_one_day_are_one_rule():
    text = osm_hours(
        [
            (date(2027, 1, 5), *t)
            for t in (
                (datetime(1, 1, 1, 14).time(), datetime(1, 1, 1, 17).time()),
                (datetime(1, 1, 1, 9).time(), datetime(1, 1, 1, 12).time()),
            )
        ]
    )
    assert text == "2027 Jan 05 09:00-12:00,14:00-17:00"
    assert opening_hours.validate(text)


def test_without_siret_the_export_says_what_is_missing(ctx, tmp_path):
    with pytest.raises(InputError, match="SIRET"):
        write(ctx, "lieux", tmp_path)
    with pytest.raises(InputError, match="SIRET ou RNA invalide"):
        Publisher(name="x", siret="123")


def test_the_export_reads_back_as_itinerant_stops_not_fixed_coverage(lieux):
    _, path = lieux
    back = read_lieux_file(path)
    assert back.fixed == ()
    assert sorted(s.code_insee for s in back.itinerant) == ["18002", "18004"]
    site = next(s for s in back.itinerant if s.code_insee == "18002")
    assert site.name == "Bus numérique – arrêt de Bréviande"
    assert (site.lat, site.lon) == pytest.approx((47.2, 2.1))


def test_the_shipped_schema_is_the_published_one_with_its_licence():
    if SHARED.exists():
        assert (
            hashlib.sha256(SCHEMA_FILE.read_bytes()).digest() == hashlib.sha256(SHARED.read_bytes()).digest()
        )
    readme = (DATA_DIR / "standards" / "README.md").read_text(encoding="utf-8")
    assert "etalab-2.0" in readme and "La MedNum" in readme
    assert "schema-lieux-mediation-numerique-v1.0.2.json" in (DATA_DIR / "SOURCES.md").read_text(
        encoding="utf-8"
    )
