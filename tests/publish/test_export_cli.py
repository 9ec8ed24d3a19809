"""``python -m planner export`` on a hand-made plan of the default territory (vierzon)."""

from __future__ import annotations

import shutil
from pathlib import Path

import icalendar
import openpyxl
import pypdf

from planner.cli import main
from planner.hosting.request_form import RequestForm, RequestRecord
from planner.plan_json import load_plan
from planner.publish.common import HostDetails, fr_date, hosts_from_requests

DATA = Path(__file__).resolve().parents[1] / "data"
PLAN = DATA / "plan_vierzon_petit.json"
BASELINE = DATA / "plan_vierzon_saupoudrage.json"


def test_cli_ics_uses_territory_names(tmp_path, capsys):
    assert main(["export", str(PLAN), "--format", "ics", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "4 fichier(s) écrit(s)" in out
    cal = icalendar.Calendar.from_ical((tmp_path / "calendrier_massay_18140.ics").read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == 5
    assert all("Massay" in str(e["location"]) for e in events)
    assert (
        len(icalendar.Calendar.from_ical((tmp_path / "calendrier_moyen_bus.ics").read_bytes()).walk("VEVENT"))
        == 15
    )


def test_cli_pdf_with_baseline_writes_report_day_sheets_and_posters(tmp_path):
    args = ["export", str(PLAN), "-f", "pdf", "-o", str(tmp_path), "--baseline", str(BASELINE)]
    assert main(args) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "affiche_massay_18140.pdf",
        "affiche_pierrefitte-sur-sauldre_41176.pdf",
        "affiche_thenioux_18263.pdf",
        "feuilles_de_route_bus.pdf",
        "rapport_financeurs.pdf",
    ]
    plan = load_plan(PLAN)
    reader = pypdf.PdfReader(tmp_path / "affiche_pierrefitte-sur-sauldre_41176.pdf")
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Pierrefitte-sur-Sauldre" in text
    for s in plan.sessions:
        if s.host == "41176":
            assert fr_date(s.date) in text
    report = "\n".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "rapport_financeurs.pdf").pages)
    assert "Vierzon" in report and "Saupoudrage" in report


def test_cli_xlsx_key_figures_compare_with_the_baseline_file(tmp_path):
    assert main(["export", str(PLAN), "-f", "xlsx", "-o", str(tmp_path), "--baseline", str(BASELINE)]) == 0
    wb = openpyxl.load_workbook(tmp_path / "plan_optimised.xlsx")
    rows = list(wb["Chiffres clés"].iter_rows(values_only=True))
    by_label = {r[0]: r for r in rows[1:]}
    full = by_label["Personnes suivant un parcours complet"]
    assert full[1] == 33 and full[2] == 0
    epci = [r[0] for r in list(wb["Par EPCI"].iter_rows(values_only=True))[1:]]
    assert "CC de la Sologne des Rivières" in epci


def test_cli_missing_plan_is_a_french_error(tmp_path, capsys):
    assert main(["export", str(tmp_path / "absent.json"), "-f", "json", "-o", str(tmp_path)]) == 2
    assert "fichier introuvable" in capsys.readouterr().err


def test_cli_plan_of_unknown_territory_is_a_french_error(tmp_path, capsys):
    bad = tmp_path / "plan.json"
    shutil.copy(PLAN, bad)
    bad.write_text(
        bad.read_text(encoding="utf-8").replace('"territory": "vierzon"', '"territory": "nulle-part"'),
        encoding="utf-8",
    )
    assert main(["export", str(bad), "-f", "csv", "-o", str(tmp_path / "out")]) == 2
    assert "territoire inconnu" in capsys.readouterr().err


def _record(id_: int, status: str, venue: str, phone: str = "") -> RequestRecord:
    form = RequestForm(
        code_insee="18140",
        venue=venue,
        address="Place de la mairie",
        publics=("seniors", "tout public"),
        promoter="La mairie",
        contact_name="M. Petit",
        contact_phone=phone,
    )
    return RequestRecord(id=id_, form=form, status=status)


def test_hosts_from_requests_prefers_the_scheduled_request():
    hosts = hosts_from_requests(
        [
            _record(1, "scheduled", "Salle polyvalente", "02 48 00 00 09"),
            _record(2, "submitted", "Autre salle"),
        ]
    )
    h = hosts["18140"]
    assert h.venue == "Salle polyvalente"
    assert h.registration == "La mairie, au 02 48 00 00 09"
    assert h.audience.startswith("Pour seniors")
    assert h.contact_line == "M. Petit · 02 48 00 00 09"


def test_cli_reads_venues_and_contacts_from_the_database(tmp_path):
    from planner.store.db import open_store
    from planner.store.repo import submit_request

    url = f"sqlite:///{tmp_path / 'demandes.db'}"
    engine = open_store(url)
    submit_request(engine, _record(0, "submitted", "Salle des associations", "02 48 11 22 33").form, "test")
    assert (
        main(["export", str(PLAN), "-f", "pdf", "-o", str(tmp_path / "out"), "--db", url, "--no-baseline"])
        == 0
    )
    text = pypdf.PdfReader(tmp_path / "out" / "affiche_massay_18140.pdf").pages[0].extract_text()
    assert "Salle des associations" in text
    assert "02 48 11 22 33" in text
    # Without --db, no contact data at all.
    assert main(["export", str(PLAN), "-f", "pdf", "-o", str(tmp_path / "bare"), "--no-baseline"]) == 0
    bare = pypdf.PdfReader(tmp_path / "bare" / "affiche_massay_18140.pdf").pages[0].extract_text()
    assert "02 48 11 22 33" not in bare and "Mairie de Massay" in bare
    assert HostDetails().contact_line == ""


def test_cli_ics_with_previous_publication_cancels_what_is_gone(tmp_path):
    from dataclasses import replace

    from planner.plan_json import save_plan

    plan = load_plan(PLAN)
    dropped = plan.sessions[-1]
    newer = replace(plan, sessions=plan.sessions[:-1])
    save_plan(newer, tmp_path / "new.json")
    out = tmp_path / "out"
    args = ["export", str(tmp_path / "new.json"), "-f", "ics", "-o", str(out), "--previous", str(PLAN)]
    assert main(args) == 0
    cal = icalendar.Calendar.from_ical((out / "calendrier_moyen_bus.ics").read_bytes())
    by_uid = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert len(by_uid) == 15
    assert str(by_uid[f"{dropped.uid}@aller-vers"]["status"]) == "CANCELLED"
    assert sum(str(e.get("status")) == "CANCELLED" for e in by_uid.values()) == 1
