"""Exports of a plan with permanences and home visits: day sheets, posters, calendars, tables."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import icalendar
import pypdf
import pytest

from planner.model import DOMICILE, PERMANENCE, HostRequest
from planner.optimise.services import solve_services
from planner.plan_json import plan_from_dict
from planner.problem import SolveParams
from planner.publish import export_plan, make_context
from planner.publish.ics import host_calendar
from planner.publish.pdf import day_sheets, poster
from planner.publish.tables import calendar_rows, day_sheet_rows, series_rows
from tests.builders import vierzon_problem


@pytest.fixture(scope="module")
def served():
    p = vierzon_problem()
    bus = replace(p.resources[0], services=(PERMANENCE, DOMICILE), permanence_rhythm="2e mardi du mois")
    p = replace(p, resources=(bus,), requests=(HostRequest("18100", home_visits=2),))  # Genouilly
    plan = solve_services(p, SolveParams(time_limit_s=20, workers=1, seed=0))
    return p, plan, make_context(plan, problem=p)


def _text(pdf) -> str:
    reader = pypdf.PdfReader(io.BytesIO(bytes(pdf.output())))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_day_sheets_say_how_many_home_visits_and_no_address(served) -> None:
    _, _, ctx = served
    rows = day_sheet_rows(ctx)
    home = [r for r in rows if "à domicile" in r["Parcours"]]
    assert [r["Parcours"] for r in home] == ["2 visites à domicile à Genouilly"]
    assert home[0]["Lieu"].startswith("à domicile")
    text = _text(day_sheets(ctx, "bus-1"))
    assert "2 visites à domicile à Genouilly" in text


def test_permanence_poster_prints_the_rhythm(served) -> None:
    _, plan, ctx = served
    host = next(s.host for s in plan.series if s.service == PERMANENCE)
    text = _text(poster(ctx, host))
    assert "Permanence numérique" in text and "tous les 2es mardis du mois" in text
    assert "Inscription" not in text  # no registration for a drop-in permanence


def test_calendars_and_tables_name_the_service(served) -> None:
    _, plan, ctx = served
    perm = next(s for s in plan.series if s.service == PERMANENCE)
    cal = host_calendar(ctx, perm.host)
    summaries = {str(e["summary"]) for e in cal.walk("VEVENT")}
    assert any(t.startswith("Permanence numérique – ") for t in summaries)
    assert {r["Prestation"] for r in calendar_rows(ctx)} == {"permanence", "visites à domicile"}
    rhythms = {r["Rythme"] for r in series_rows(ctx) if r["Prestation"] == "permanence"}
    assert rhythms == {"tous les 2es mardis du mois"}


def test_every_export_format_writes_and_json_reloads(served, tmp_path) -> None:
    p, plan, _ = served
    paths = []
    for fmt in ("csv", "xlsx", "json", "ics", "pdf"):
        paths += export_plan(plan, fmt, tmp_path / fmt, problem=p)
    data = json.loads(next(x for x in paths if x.suffix == ".json").read_text(encoding="utf-8"))
    assert plan_from_dict(data).series == plan.series
    assert icalendar.Calendar.from_ical(next(x for x in paths if x.suffix == ".ics").read_bytes())
    posters = [x.name for x in paths if x.name.startswith("affiche_")]
    only_visits = not any(s.host == "18100" and s.service != DOMICILE for s in plan.sessions)
    assert posters and only_visits != any("genouilly" in n for n in posters)  # visits get no poster


def test_a_home_visit_event_has_no_address(served) -> None:
    _, _, ctx = served
    from planner.publish.ics import resource_calendar

    events = [e for e in resource_calendar(ctx, "bus-1").walk("VEVENT") if "domicile" in str(e["summary"])]
    assert events and all(str(e["location"]) == "À domicile, Genouilly" for e in events)


def test_a_permanence_is_a_mediation_place_but_not_a_full_parcours(served) -> None:
    from planner.publish.report import full_series_ids, series_hosts

    _, plan, _ = served
    assert full_series_ids(plan) == set()  # no parcours in this plan
    perm_hosts = {s.host for s in plan.series if s.service == PERMANENCE}
    assert set(series_hosts(plan)) == perm_hosts  # six monthly dates: a place to go; visits are not


def test_lieux_export_lists_permanences_as_individual_help_and_no_home_visit(served) -> None:
    from planner.lieux_standard import row_errors
    from planner.publish.common import Publisher
    from planner.publish.lieux import lieux_rows

    p, plan, _ = served
    ctx = make_context(plan, problem=p, publisher=Publisher(name="CC Test", siret="200000001 00012"))
    rows = lieux_rows(ctx)
    assert row_errors(rows) == []
    perm_hosts = {s.host for s in plan.series if s.service == PERMANENCE}
    assert {r["code_insee"] for r in rows} == perm_hosts  # Genouilly's home visits are not a place
    assert all(r["modalites_accompagnement"] == "Accompagnement individuel" for r in rows)
    assert all("permanence" in r["presentation_resume"] for r in rows)
