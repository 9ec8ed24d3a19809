"""The Coop de la médiation numérique's activity export, read as it comes, names dropped."""

from datetime import datetime

import pytest

from planner.errors import InputError
from planner.realised.coop import coop_sheet, read_coop
from planner.realised.importing import read_activities
from planner.realised.reading import read_sheets
from tests.realised.coop_export import MEDIATOR, CoopActivity, Person, write_coop_export

JOSIANE = Person("Josiane Pétillon", "18120 Massay", "70 ans et plus", "Féminin", "Retraité")
MARCEL = Person("Marcel Dubreuil", "18310 Dampierre-en-Graçay", "60 - 69 ans", "Masculin", "Retraité")
ANONYMOUS = Person("")
LOST = Person("Yvette Carrouge", "18100 Vierzonville", "Non communiqué", "Féminin", "Sans emploi")


def _read(tmp_path, activities):
    path = write_coop_export(tmp_path / "coop-export.xlsx", activities)
    return read_activities(path)


def test_table_is_found_under_metadata_and_filter_rows(tmp_path):
    path = write_coop_export(
        tmp_path / "e.xlsx", [CoopActivity(datetime(2026, 3, 3), "18120 Massay", [JOSIANE])]
    )
    sheet = coop_sheet(read_sheets(path))
    assert sheet is not None and sheet.name == "Activités"
    assert sheet.rows[0][0] == "Informations export"  # metadata above the table
    (a,) = read_coop(sheet, "e.xlsx").activities
    assert a.row == sheet.rows.index(next(r for r in sheet.rows if r[0] == "Date")) + 2


def test_multiline_cells_become_counts(tmp_path):
    file = _read(
        tmp_path,
        [
            CoopActivity(
                datetime(2026, 3, 3), "Mairie de Massay, 18120 Massay", [JOSIANE, MARCEL, ANONYMOUS, LOST]
            )
        ],
    )
    (a,) = file.activities
    assert file.source == "coop" and a.participants == 4 and a.commune == "18140"
    assert dict(a.residence) == {"18140": 1, "18085": 1}  # « - » and the unknown commune are unknown
    assert dict(a.age_bands) == {"70+": 1, "60-69": 1}
    assert len(a.attendees) == 3 and a.anonymous == 1
    assert file.warnings == (
        "commune de résidence non reconnue « 18100 Vierzonville » (lignes 22) : compté(e) comme inconnu(e)",
    )


def test_no_name_gender_status_or_note_survives_the_reading(tmp_path):
    file = _read(
        tmp_path,
        [
            CoopActivity(
                datetime(2026, 3, 3),
                "18120 Massay",
                [JOSIANE, MARCEL],
                notes="Mme Pétillon : dossier ameli en cours",
            )
        ],
    )
    text = repr(file)
    for secret in ("Josiane", "Pétillon", "Dubreuil", "Féminin", "Masculin", "Retraité", "ameli", *MEDIATOR):
        assert secret not in text


def test_people_are_followed_across_activities_without_their_names(tmp_path):
    file = _read(
        tmp_path,
        [
            CoopActivity(datetime(2026, 3, 3), "18120 Massay", [JOSIANE, MARCEL]),
            CoopActivity(datetime(2026, 3, 10), "18120 Massay", [Person("JOSIANE  PÉTILLON")]),
        ],
    )
    first, second = file.activities
    assert second.attendees[0] in first.attendees  # same person, whatever the case and accents


def test_remote_support_and_unknown_places_are_flagged_not_dropped(tmp_path):
    file = _read(
        tmp_path,
        [
            CoopActivity(
                datetime(2026, 3, 3),
                "Structure employeuse : EPN, 18100 Vierzon",
                [MARCEL],
                channel="À distance",
            ),
            CoopActivity(datetime(2026, 3, 3), "Salle, 18100 Vierzonville", [MARCEL], channel="Autre lieu"),
        ],
    )
    remote, unknown = file.activities
    assert "à distance" in remote.problem and remote.commune == ""
    assert unknown.problem.startswith("lieu non reconnu") and "18100" in unknown.problem


def test_older_type_labels_and_missing_count(tmp_path):
    file = _read(
        tmp_path,
        [
            CoopActivity(
                datetime(2026, 3, 3), "18120 Massay", [JOSIANE, MARCEL], kind="Ateliers collectif", count=None
            )
        ],
    )
    assert file.activities[0].participants == 2


def test_unreadable_count_is_located(tmp_path):
    path = write_coop_export(
        tmp_path / "e.xlsx", [CoopActivity(datetime(2026, 3, 3), "18120 Massay", [JOSIANE], count="beaucoup")]
    )
    with pytest.raises(
        InputError, match=r"e.xlsx », ligne 22, colonne « Nombre de participants » : nombre entier"
    ):
        read_activities(path)


def test_more_lines_than_participants_is_refused(tmp_path):
    path = write_coop_export(
        tmp_path / "e.xlsx", [CoopActivity(datetime(2026, 3, 3), "18120 Massay", [JOSIANE, MARCEL], count=1)]
    )
    with pytest.raises(
        InputError, match="ligne 22, colonne « Commune de résidence du bénéficiaire » : plus de lignes"
    ):
        read_activities(path)
