"""A workbook shaped like the Coop de la médiation numérique's activity export, for the tests.

The shape follows the Coop's ``buildActivitesWorksheet.ts`` (see
``/work/shared/design/ACTIVITY-EXPORTS.md``): sheet « Activités »; export metadata rows (title,
who exported, role, total, date and time), then the filters, then an empty row, then an Excel
table with filter buttons whose header uses typographic apostrophes; dates are Excel dates
shown ``dd/mm/yyyy``; several beneficiaries of one activity are one per line inside a cell.
Everything in it (mediator, beneficiaries, notes) is invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.table import Table

HEADERS = (
    "Date",
    "Type",
    "Nombre de participants",
    "Bénéficiaire",
    "Canaux d’accompagnement",
    "Lieu",
    "Durée (min)",
    "Nom de l’atelier",
    "Matériel numérique utilisé",
    "Thématique(s) d’accompagnement",
    "Nom de la démarche administrative",
    "Niveau d’autonomie du bénéficiaire",
    "Niveau de l’atelier",
    "Le bénéficiaire est-il orienté vers une autre structure ?",
    "Structure de redirection",
    "Commune de résidence du bénéficiaire",
    "Genre du bénéficiaire",
    "Tranche d’âge du bénéficiaire",
    "Statut du bénéficiaire",
    "Notes supplémentaires",
)
#: The mediator who exported the file (personal data of staff, in the metadata rows).
MEDIATOR = ("Lemarchand", "Solène")


@dataclass
class Person:
    """An invented beneficiary (``name=""`` for « Bénéficiaire anonyme »)."""

    name: str
    home: str = "-"
    age: str = "Non communiqué"
    gender: str = "Non communiqué"
    status: str = "Non communiqué"


@dataclass
class CoopActivity:
    """One row of the table."""

    day: datetime
    place: str
    people: list[Person]
    kind: str = "Atelier collectif"
    channel: str = "Lieu d’activité"
    notes: str = ""
    title: str = "Premiers pas numériques"
    count: int | None = None
    extra: dict = field(default_factory=dict)


def _lines(values) -> str:
    return "\n".join(values)


def write_coop_export(path: Path, activities: list[CoopActivity]) -> Path:
    """Write ``activities`` in the Coop's shape at ``path``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Activités"
    ws.append(["Informations export"])
    ws.append(["Nom", MEDIATOR[0]])
    ws.append(["Prénom", MEDIATOR[1]])
    ws.append(["Rôle", "Conseiller numérique"])
    ws.append(["Total", len(activities)])
    ws.append(["Date d’export", "02/04/2026"])
    ws.append(["Heure d’export", "18:05"])
    ws.append([])
    ws.append(["Filtres"])
    for label in ("Période", "Source", "Lieux d’accompagnement", "Communes", "Départements"):
        ws.append([label, "-"])
    ws.append(["Type d’accompagnement", "Atelier collectif, Accompagnement individuel"])
    ws.append(["Thématiques non administratives", "-"])
    ws.append(["Thématiques administratives", "-"])
    ws.append(["Tags", "-"])
    ws.append([])
    ws.append([""])
    top = ws.max_row + 1
    ws.append(list(HEADERS))
    for a in activities:
        names = [p.name or "Bénéficiaire anonyme" for p in a.people]
        ws.append(
            [
                a.day,
                a.kind,
                len(a.people) if a.count is None else a.count,
                _lines(names),
                a.channel,
                a.place,
                180,
                a.title,
                "Ordinateur\nTablette",
                "Prendre en main du matériel\nNavigation sur internet",
                "",
                "",
                "2/3",
                "",
                "",
                _lines(p.home for p in a.people),
                _lines(p.gender for p in a.people),
                _lines(p.age for p in a.people),
                _lines(p.status for p in a.people),
                a.notes,
            ]
        )
        ws.cell(ws.max_row, 1).number_format = "dd/mm/yyyy"
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.add_table(Table(displayName="Activites", ref=f"A{top}:T{ws.max_row}"))
    wb.save(path)
    return path
