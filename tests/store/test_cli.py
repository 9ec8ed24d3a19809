"""``python -m planner requests …`` and ``access …`` on both backends (through DATABASE_URL)."""

import csv
import io
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from planner.cli import main
from planner.errors import AccessDenied
from planner.store import access, repo

HEADER = "code_insee;venue;weekdays;blackout_dates;has_power;expected_participants;contact_name;contact_email"
CODES = ("18103", "18279", "18033", "18197", "18004", "18012", "18023", "18036", "18050", "18059")


def future(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def write_requests(path, n=10, bad_row=None, bad_email="pas-un-email"):
    lines = [HEADER]
    for i in range(n):
        email = bad_email if i == bad_row else f"mairie{i}@exemple.fr"
        lines.append(
            f"{CODES[i % len(CODES)]};Salle {i};mar,ven;{future(40 + i)};oui;{6 + i};Contact {i};{email}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_then_list_json(cli_db, tmp_path, capsys):
    path = write_requests(tmp_path / "demandes.csv")
    assert main(["requests", "import", str(path)]) == 0
    assert "10 demandes importées" in capsys.readouterr().out
    assert main(["requests", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["venue"] for d in data] == [f"Salle {i}" for i in range(10)]
    assert data[0]["status"] == "submitted" and data[0]["weekdays"] == [1, 4]
    assert data[0]["contact_email"] == "mairie0@exemple.fr"
    assert main(["requests", "list", "--json", "--no-contact"]) == 0
    assert "contact_email" not in json.loads(capsys.readouterr().out)[0]


def test_import_with_a_bad_row_7_stores_nothing(cli_db, tmp_path, capsys):
    path = write_requests(tmp_path / "demandes.csv", bad_row=6)
    assert main(["requests", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "ligne 8" in err and "adresse e-mail invalide" in err and "demandes.csv" in err
    assert repo.list_requests(cli_db) == ()


def test_import_with_a_past_date_stores_nothing(cli_db, tmp_path, capsys):
    path = tmp_path / "demandes.csv"
    path.write_text(f"{HEADER}\n18103;Salle;mar;{future(10)};oui;8;;\n18279;Salle;mar;2020-01-07;oui;8;;\n")
    assert main(["requests", "import", str(path)]) == 2
    assert "déjà passée : 07/01/2020" in capsys.readouterr().err
    assert repo.list_requests(cli_db) == ()


def test_import_excel_and_accept(cli_db, tmp_path, capsys):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append(["18103", "Salle des fêtes", "mar", "", "oui", "8", "", ""])
    sheet.append(["18279", "Médiathèque", "ven", future(30), "non", "", "", ""])
    path = tmp_path / "demandes.xlsx"
    book.save(path)
    assert main(["requests", "import", str(path), "--accept", "--reason", "reçue par téléphone"]) == 0
    hosts = repo.accepted_host_requests(cli_db)
    assert [(h.code_insee, h.has_power) for h in hosts] == [("18103", True), ("18279", False)]


def test_export_neutralises_formulas(cli_db, tmp_path, capsys):
    path = tmp_path / "demandes.csv"
    path.write_text(f'{HEADER}\n18103;"=HYPERLINK(""http://x"")";mar;;oui;8;@SUM(1);\n', encoding="utf-8")
    assert main(["requests", "import", str(path)]) == 0
    out = tmp_path / "export.csv"
    assert main(["requests", "export", str(out)]) == 0
    row = next(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert row["venue"] == '\'=HYPERLINK("http://x")'
    assert row["contact_name"] == "'@SUM(1)"
    stored = repo.list_requests(cli_db)[0]
    assert stored.form.venue == '=HYPERLINK("http://x")'  # stored as typed, neutralised on export


def test_delete_command(cli_db, tmp_path, capsys):
    assert main(["requests", "import", str(write_requests(tmp_path / "d.csv", n=2))]) == 0
    first = repo.list_requests(cli_db)[0].id
    assert main(["requests", "delete", str(first)]) == 0
    assert [r.form.venue for r in repo.list_requests(cli_db)] == ["Salle 1"]
    assert main(["requests", "delete", "9999"]) == 2
    assert "introuvable" in capsys.readouterr().err


def test_access_link_prints_a_working_url_and_revoke_disables_it(cli_db, capsys):
    access.set_password(cli_db, "coordinator", "un-mot-de-passe-solide")
    assert (
        main(["access", "link", "18103", "--expires-days", "10", "--base-url", "https://av.example.fr"]) == 0
    )
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://av.example.fr/?jeton=")
    token = url.split("jeton=")[1]
    assert access.resolve_commune_token(cli_db, token).code_insee == "18103"
    assert main(["access", "revoke", "18103"]) == 0
    assert "1 lien(s) révoqué(s)" in capsys.readouterr().out
    with pytest.raises(AccessDenied, match="lien révoqué"):
        access.resolve_commune_token(cli_db, token)
    assert main(["access", "list"]) == 0
    assert "révoqué" in capsys.readouterr().out


def test_access_link_rejects_bad_input(cli_db, capsys):
    access.set_password(cli_db, "coordinator", "un-mot-de-passe-solide")
    assert main(["access", "link", "1810"]) == 2
    assert "code INSEE invalide" in capsys.readouterr().err
    assert main(["access", "link", "18103", "--expires-days", "0"]) == 2
    assert "durée de validité invalide" in capsys.readouterr().err
    assert access.list_links(cli_db) == []


def test_access_password_from_stdin(cli_db, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("un-mot-de-passe-solide\n"))
    assert main(["access", "password"]) == 0
    assert access.check_password(cli_db, "un-mot-de-passe-solide") == "coordinator"


def test_access_link_is_refused_in_local_mode(cli_db, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml with an [auth] section here
    monkeypatch.setattr("planner.commands.access.SECRETS_FILES", (tmp_path / ".streamlit" / "secrets.toml",))
    assert main(["access", "link", "18103"]) == 2
    err = capsys.readouterr().err
    assert "mode local" in err and "aucun lien de commune ne peut être créé" in err
    assert access.list_links(cli_db) == []
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[auth]\nredirect_uri = "x"\n')
    assert main(["access", "link", "18103"]) == 0  # OIDC sign-in protects the dashboard
    (tmp_path / ".streamlit" / "secrets.toml").unlink()
    monkeypatch.setenv("ALLER_VERS_COORDINATOR_PASSWORD", "un-mot-de-passe-solide")
    assert main(["access", "link", "18103"]) == 0
    monkeypatch.delenv("ALLER_VERS_COORDINATOR_PASSWORD")
    access.set_password(cli_db, "coordinator", "un-mot-de-passe-solide")
    assert main(["access", "link", "18103"]) == 0
    assert len(access.list_links(cli_db)) == 3


def test_publish_command_publishes_and_prints_feed_addresses(tmp_path, monkeypatch, capsys):
    from planner.cli import main
    from planner.store import publications

    db = tmp_path / "cli.sqlite"
    monkeypatch.setenv("ALLER_VERS_DB_PATH", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    plan = Path(__file__).resolve().parents[1] / "data" / "plan_vierzon_petit.json"
    assert main(["publish", str(plan), "--label", "annoncé"]) == 0
    assert "Plan publié" in capsys.readouterr().out
    assert main(["publish", "--list"]) == 0
    assert "« annoncé »" in capsys.readouterr().out
    assert main(["publish", "--moyen", "bus", "--base-url", "https://av.example"]) == 0
    url, webcal = capsys.readouterr().out.split()
    assert url.startswith("https://av.example/calendrier/") and webcal.startswith("webcal://av.example/")
    from planner.store.db import dispose_engine, open_store

    engine = open_store()
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert publications.resolve_feed(engine, token).target == "bus"
    assert main(["publish"]) == 2
    assert "indiquez le plan" in capsys.readouterr().err
    dispose_engine()
