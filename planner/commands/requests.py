"""``python -m planner requests import|list|export|delete|purge`` — host requests on the command line.

For coordinators who collect requests by phone or mail, and for servers. Every command works on
``DATABASE_URL`` or the default SQLite file (see :mod:`planner.store.db`).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date
from pathlib import Path

from planner.errors import InputError
from planner.file_errors import read_path
from planner.hosting.request_form import (
    IMPORT_COLUMNS,
    RequestRecord,
    read_request_table,
    requests_csv,
    requests_xlsx,
)
from planner.store import repo
from planner.store.db import open_store


def _actor(args: argparse.Namespace) -> str:
    return args.actor or f"cli:{getpass.getuser()}"


def _record_dict(rec: RequestRecord, include_contact: bool) -> dict:
    f = rec.form
    data = {
        "id": rec.id,
        "code_insee": f.code_insee,
        "venue": f.venue,
        "address": f.address,
        "status": rec.status,
        "decision_reason": rec.decision_reason,
        "weekdays": list(f.weekdays),
        "period_start": f.period_start.isoformat() if f.period_start else None,
        "period_end": f.period_end.isoformat() if f.period_end else None,
        "blackout_dates": sorted(d.isoformat() for d in f.blackout_dates),
        "has_power": f.has_power,
        "toilets": f.toilets,
        "accessible_room": f.accessible_room,
        "mobile_coverage": f.mobile_coverage,
        "wifi": f.wifi,
        "expected_participants": f.expected_participants,
        "publics": list(f.publics),
        "themes": f.themes,
        "promoter": f.promoter,
        "notes": f.notes,
        "scheduled_dates": [d.isoformat() for d in rec.scheduled_dates],
        "created_at": rec.created_at.isoformat() if rec.created_at else None,
    }
    if include_contact:
        data.update(
            contact_name=f.contact_name,
            contact_role=f.contact_role,
            contact_phone=f.contact_phone,
            contact_email=f.contact_email,
        )
    return data


def cmd_import(args: argparse.Namespace) -> int:
    """Validate every row, then store them all in one transaction (or none)."""
    forms = read_path(lambda p: read_request_table(Path(p), Path(p).name, today=date.today()), args.file)
    engine = open_store()
    ids = repo.submit_requests(engine, forms, _actor(args), accept=args.accept, reason=args.reason or "")
    state = "acceptées" if args.accept else "déposées"
    print(f"{len(ids)} demandes importées ({state}) : n° {ids[0]} à {ids[-1]}.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Print the stored requests as a table or JSON."""
    engine = open_store()
    records = repo.list_requests(
        engine, code_insee=args.commune, status=args.status, include_contact=not args.no_contact
    )
    if args.json:
        json.dump(
            [_record_dict(r, not args.no_contact) for r in records], sys.stdout, ensure_ascii=False, indent=2
        )
        print()
        return 0
    if not records:
        print("Aucune demande.")
        return 0
    for r in records:
        dates = ", ".join(d.strftime("%d/%m/%Y") for d in r.scheduled_dates)
        line = f"{r.id:>5}  {r.form.code_insee}  {r.status_label:<11} {r.form.venue[:40]!s:<40}"
        if r.decision_reason:
            line += f"  raison : {r.decision_reason[:60]}"
        if dates:
            line += f"  dates : {dates}"
        print(line.rstrip())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the requests to CSV or Excel (formulas neutralised)."""
    out = Path(args.file)
    records = repo.list_requests(open_store(), status=args.status)
    include = not args.no_contact
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(requests_xlsx(records, include_contact=include))
    elif out.suffix.lower() == ".csv":
        out.write_bytes(requests_csv(records, include_contact=include))
    else:
        raise InputError("extension non reconnue : .csv ou .xlsx attendu", file=out.name)
    print(f"{len(records)} demandes écrites dans {out}.")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    """Delete a request and its contact data."""
    repo.delete_request(open_store(), args.id, _actor(args))
    print(f"Demande n° {args.id} supprimée avec ses coordonnées de contact.")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Erase contact data older than the retention period."""
    today = date.fromisoformat(args.today) if args.today else date.today()
    n = repo.purge_expired_contacts(open_store(), today=today, actor=_actor(args))
    print(f"Coordonnées effacées pour {n} demande(s).")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``requests`` and its sub-commands to the CLI."""
    parser = subparsers.add_parser("requests", help="demandes d'accueil des communes")
    sub = parser.add_subparsers(dest="requests_command", required=True)

    p = sub.add_parser(
        "import",
        help="importer des demandes (CSV ou Excel), toutes ou aucune",
        description="Colonnes obligatoires : "
        + ", ".join(f"{c.key} ({c.label})" for c in IMPORT_COLUMNS if c.required)
        + ". En-têtes en français acceptés, ligne de titre au-dessus de l'en-tête possible.",
    )
    p.add_argument("file", help="fichier .csv, .xlsx ou .json")
    p.add_argument("--accept", action="store_true", help="accepter directement les demandes importées")
    p.add_argument("--reason", default="", help="motif de l'acceptation (avec --accept)")
    p.add_argument("--actor", default="", help="nom inscrit au journal (par défaut : cli:<utilisateur>)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("list", help="lister les demandes")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.add_argument("--status", choices=["submitted", "accepted", "declined", "scheduled"])
    p.add_argument("--commune", help="code INSEE")
    p.add_argument("--no-contact", action="store_true", help="sans les coordonnées de contact")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("export", help="exporter les demandes (CSV ou Excel)")
    p.add_argument("file", help="fichier .csv ou .xlsx à écrire")
    p.add_argument("--status", choices=["submitted", "accepted", "declined", "scheduled"])
    p.add_argument("--no-contact", action="store_true", help="sans les coordonnées de contact")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("delete", help="supprimer une demande et ses coordonnées de contact")
    p.add_argument("id", type=int)
    p.add_argument("--actor", default="")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("purge", help="effacer les coordonnées au-delà de la durée de conservation")
    p.add_argument("--today", help="date de référence AAAA-MM-JJ (par défaut aujourd'hui)")
    p.add_argument("--actor", default="")
    p.set_defaults(func=cmd_purge)
