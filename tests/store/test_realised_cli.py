"""``python -m planner realised …`` on both backends, and the issue's first « done when »:

a realistic Coop-shaped export, with names in it, imports into a Vierzon plan, matches its
sessions, lists the unmatched, and stores no name.

The plan is ``tests/data/plan_vierzon_petit.json``: P1 at Massay (Tuesdays 3–31 March 2026,
9:30), P2 at Thénioux (same Tuesdays, 14:00; postal code 18100, shared with Vierzon and three
other communes), P3 at Pierrefitte-sur-Sauldre (Fridays 6 March – 3 April, 9:30).
"""

import json
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import inspect, select, table, text

from planner.cli import main
from planner.plan_json import load_plan
from planner.store import realised as store
from tests.realised.coop_export import MEDIATOR, CoopActivity, Person, write_coop_export

PLAN = Path(__file__).resolve().parent.parent / "data" / "plan_vierzon_petit.json"
TUESDAYS = [datetime(2026, 3, 3) + timedelta(days=7 * i) for i in range(5)]
FRIDAYS = [datetime(2026, 3, 6) + timedelta(days=7 * i) for i in range(5)]

MASSAY_GROUP = [
    Person("Josiane Pétillon", "18120 Massay", "70 ans et plus", "Féminin", "Retraité"),
    Person("Marcel Dubreuil", "18310 Dampierre-en-Graçay", "60 - 69 ans", "Masculin", "Retraité"),
    Person("Ginette Lavaud-Brissac", "18120 Massay", "70 ans et plus", "Féminin", "Retraité"),
    Person("Raymond Quillet", "18120 Massay", "60 - 69 ans", "Masculin", "Sans emploi"),
    Person("Odette Chaumereuil", "18310 Saint-Outrille", "70 ans et plus", "Féminin", "Retraité"),
    Person("Bénéficiaire anonyme"),
]
THENIOUX_GROUP = [
    Person("Huguette Marsaudon", "18100 Thénioux", "70 ans et plus", "Féminin", "Retraité"),
    Person("Fernand Bouzillé", "18100 THENIOUX", "60 - 69 ans", "Masculin", "Retraité"),
    Person("Solange Vrignaud", "18100 Vierzon", "40 - 59 ans", "Féminin", "En emploi"),
    Person("Bénéficiaire anonyme"),
]
PIERREFITTE_PEOPLE = [
    Person("Lucienne Gaborit", "41300 Pierrefitte-sur-Sauldre", "70 ans et plus", "Féminin", "Retraité"),
    Person("Aimé Tessereau", "41300 Orçay", "60 - 69 ans", "Masculin", "Retraité"),
]
SECRETS = [
    *(p.name for p in MASSAY_GROUP + THENIOUX_GROUP + PIERREFITTE_PEOPLE if p.name != "Bénéficiaire anonyme"),
    *MEDIATOR,
    "Féminin",
    "Masculin",
    "Retraité",
    "Sans emploi",
    "En emploi",
    "dossier CAF",
]


def realistic_export(path: Path) -> Path:
    """A season of activities as a conseiller numérique would have recorded them in the Coop."""
    rows = []
    massay = "Mairie de Massay, 18120 Massay"
    for i, day in enumerate(TUESDAYS):  # P1: 5 workshops, a core of 4 faithful people
        people = (
            MASSAY_GROUP[:4] + ([MASSAY_GROUP[4]] if i < 2 else []) + ([MASSAY_GROUP[5]] if i == 0 else [])
        )
        notes = "Mme Pétillon : dossier CAF à finir" if i == 1 else ""
        rows.append(CoopActivity(day, massay, people, notes=notes, title=f"Module {i + 1}"))
    for day in TUESDAYS[:4]:  # P2: the 5th session is not recorded yet
        rows.append(CoopActivity(day, "18100 Thénioux", THENIOUX_GROUP, channel="Autre lieu"))
    for day in FRIDAYS:  # P3: one individual support per person
        for person in PIERREFITTE_PEOPLE:
            rows.append(
                CoopActivity(
                    day,
                    "Mairie, 41300 Pierrefitte-sur-Sauldre",
                    [person],
                    kind="Accompagnement individuel",
                    title="",
                )
            )
    rows += [
        CoopActivity(
            TUESDAYS[1], "Médiathèque, 18100 Vierzon", [THENIOUX_GROUP[2]], kind="Accompagnement individuel"
        ),
        CoopActivity(
            TUESDAYS[1],
            "Structure employeuse : Médiathèque, 18100 Vierzon",
            [MASSAY_GROUP[1]],
            channel="À distance",
        ),
        CoopActivity(datetime(2026, 3, 19), massay, [MASSAY_GROUP[0]], kind="Accompagnement individuel"),
        CoopActivity(
            TUESDAYS[2], "Salle polyvalente, 18100 Vierzonville", [MASSAY_GROUP[3]], channel="Autre lieu"
        ),
    ]
    return write_coop_export(path, rows)


def _fold(text_: str) -> str:
    return unicodedata.normalize("NFKD", text_).encode("ascii", "ignore").decode().casefold()


def stored_texts(engine) -> list[str]:
    """Every text value of every table of the database."""
    out = []
    with engine.connect() as conn:
        for name in inspect(engine).get_table_names():
            for row in conn.execute(select(text("*")).select_from(table(name))):
                out += [v for v in row if isinstance(v, str)]
    return out


def test_realistic_coop_export_imports_matches_lists_and_stores_no_name(cli_db, tmp_path, capsys):
    path = realistic_export(tmp_path / "export-activites-coop.xlsx")
    assert main(["realised", "import", str(path), "--plan", str(PLAN)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "23 activités lues (export de la Coop de la médiation numérique) : 19 rattachées à 14 séances "
        "(14 tenues, 0 annulée), 4 non rattachées, 0 ambiguë."
    )
    assert "Aucun nom n'est conservé" in out
    assert (
        "« Médiathèque, 18100 Vierzon », 1 participant : Vierzon n'accueille aucune séance de ce plan" in out
    )
    assert "accompagnement à distance" in out
    assert "aucune séance prévue à Massay le jeudi 19 mars 2026" in out
    assert "« Salle polyvalente, 18100 Vierzonville » : commune ambiguë" in out and "Thénioux (18263)" in out

    plan = load_plan(PLAN)
    version = store.find_plan_version(cli_db, plan)
    season = store.realised_for_version(cli_db, version)
    by_series = {}
    for s in plan.sessions:
        if s.uid in season.outcomes:
            by_series.setdefault(s.series, []).append(season.outcomes[s.uid].participants)
    assert by_series == {"P1": [6, 5, 4, 4, 4], "P2": [4, 4, 4, 4], "P3": [2, 2, 2, 2, 2]}
    massay_first = season.outcomes[next(s.uid for s in plan.sessions if s.series == "P1" and s.index == 1)]
    assert dict(massay_first.residence) == {"18140": 3, "18085": 1, "18228": 1}  # one anonymous: unknown
    assert dict(massay_first.age_bands) == {"70+": 3, "60-69": 2}
    thenioux = season.outcomes[next(s.uid for s in plan.sessions if s.series == "P2" and s.index == 1)]
    assert dict(thenioux.residence) == {"18263": 2, "18279": 1}  # « 18100 Thénioux » is not Vierzon
    p1 = season.attendance["P1"]
    assert dict(p1.by_sessions) == {5: 4, 2: 1} and p1.anonymous == 1
    assert set(season.attendance) == {"P1", "P2", "P3"}

    texts = [_fold(t) for t in stored_texts(cli_db)]
    assert any("mediatheque, 18100 vierzon" in t for t in texts)  # the scan reads what was stored
    for secret in SECRETS:
        for part in [_fold(secret), *(_fold(w) for w in secret.split() if len(w) > 3)]:
            assert not any(part in t for t in texts if part), f"« {secret} » est arrivé dans la base"


def test_list_json_after_import(cli_db, tmp_path, capsys):
    path = realistic_export(tmp_path / "coop.xlsx")
    assert main(["realised", "import", str(path), "--plan", str(PLAN)]) == 0
    capsys.readouterr()
    assert main(["realised", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 14 and {d["source"] for d in data} == {"coop"}
    first = min(data, key=lambda d: (d["date"], d["series"]))
    assert first == first | {
        "series": "P1",
        "host": "18140",
        "date": "2026-03-03",
        "held": True,
        "participants": 6,
    }
    assert main(["realised", "list"]) == 0
    assert "mardi 3 mars 2026, Massay, parcours P1 : 6 participants" in capsys.readouterr().out


def test_sheet_import_then_excel_export(cli_db, tmp_path, capsys):
    sheet = tmp_path / "presences.csv"
    sheet.write_bytes(
        "Date;Commune;Participants;Annulation;70 ans et plus\n"
        "03/03/2026;Massay;9;;5\n"
        "10/03/2026;Massay;;panne du bus;\n".encode("cp1252")
    )
    assert main(["realised", "import", str(sheet), "--plan", str(PLAN)]) == 0
    assert "2 rattachées à 2 séances (1 tenue, 1 annulée)" in capsys.readouterr().out
    out = tmp_path / "realise.xlsx"
    assert main(["realised", "export", str(out), "--plan", str(PLAN)]) == 0
    wb = load_workbook(out)
    summary = {row[0]: row for row in wb["Synthèse"].values}
    assert summary["Séances"][1:3] == (15, 1) and summary["Séances annulées"][2] == 1
    assert summary["Coût estimé"][2] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["realised", "import", "absent.xlsx", "--plan", str(PLAN)],
            "Erreur : fichier « absent.xlsx » : fichier introuvable\n",
        ),
        (
            ["realised", "import", str(PLAN), "--plan", "absent.json"],
            "Erreur : fichier « absent.json » : fichier introuvable\n",
        ),
        (
            ["realised", "export", "x.csv", "--plan", str(PLAN)],
            "Erreur : fichier « x.csv » : extension non reconnue : .xlsx attendu\n",
        ),
    ],
)
def test_errors_are_one_french_line(cli_db, args, message, capsys):
    assert main(args) == 2
    assert capsys.readouterr().err == message


def test_bad_cell_stores_nothing(cli_db, tmp_path, capsys):
    sheet = tmp_path / "p.csv"
    sheet.write_text(
        "date;commune;participants\n03/03/2026;Massay;9\n10/03/2026;Massay;neuf\n", encoding="utf-8"
    )
    assert main(["realised", "import", str(sheet), "--plan", str(PLAN)]) == 2
    assert capsys.readouterr().err == (
        "Erreur : fichier « p.csv », ligne 3, colonne « participants » : nombre entier attendu, lu « neuf »\n"
    )
    assert store.list_outcomes(cli_db) == () and store.list_imports(cli_db) == ()
