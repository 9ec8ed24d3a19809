"""``python -m planner export PLAN.json --format xlsx|pdf|ics|lieux|csv|geojson|json --out DIR``.

The territory comes from the plan's own ``territory`` spec (names, coordinates, fixed sites);
need and drive times are recomputed with the default settings, as the pages do. The baseline
for the funder figures is read from ``--baseline`` when given, else computed on the same
resource days. ``--previous OLD.json`` (repeatable, oldest first) names the plans published
before: the calendars then keep each session's identity, raise the revision of those that moved
and cancel those that are gone. Venue and contact of host communes come from the request database when
``--db`` is given (or ``--with-contacts`` for the default database); without it no contact data
is exported.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from pathlib import Path

from planner.errors import UnknownTerritoryError
from planner.file_errors import read_path
from planner.model import Plan
from planner.plan_json import load_plan
from planner.publish import FORMATS, HostDetails, Publisher, export_plan
from planner.publish.report import CostRates


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export`` sub-command."""
    p = subparsers.add_parser(
        "export",
        help="exporter un plan (tableur, PDF, calendriers, lieux au schéma national, CSV, GeoJSON, JSON)",
        description="Exporte un plan : ics et pdf écrivent un fichier par moyen et par commune "
        "d'accueil (pdf ajoute le rapport pour les financeurs) ; lieux écrit les arrêts au schéma "
        "national des lieux de médiation numérique (v1.0.2), avec le SIRET de la structure (--siret).",
    )
    p.add_argument("plan", type=Path, help="fichier JSON du plan (python -m planner plan … --out)")
    p.add_argument("--format", "-f", required=True, choices=FORMATS, dest="fmt", help="format d'export")
    p.add_argument("--out", "-o", required=True, type=Path, help="dossier de sortie (créé au besoin)")
    p.add_argument(
        "--previous",
        type=Path,
        action="append",
        default=[],
        metavar="ANCIEN.json",
        help="plan publié auparavant (répétable, du plus ancien au plus récent) : les calendriers "
        "gardent l'identité de chaque séance, signalent celles qui ont bougé et annulent celles qui ont disparu",
    )
    p.add_argument("--baseline", type=Path, help="plan de saupoudrage (JSON) pour la comparaison")
    p.add_argument("--no-baseline", action="store_true", help="ne pas calculer le saupoudrage de comparaison")
    p.add_argument("--db", help="base des demandes d'accueil (URL SQLAlchemy) pour lieux et contacts")
    p.add_argument(
        "--with-contacts",
        action="store_true",
        help="lire lieux et contacts dans la base par défaut (DATABASE_URL ou fichier SQLite)",
    )
    structure = p.add_argument_group(
        "structure qui porte le moyen itinérant (format lieux : schéma national des lieux de médiation)"
    )
    structure.add_argument(
        "--structure",
        default=os.environ.get("ALLER_VERS_STRUCTURE", ""),
        help="nom de la structure (structure_parente) ; défaut : ALLER_VERS_STRUCTURE",
    )
    structure.add_argument(
        "--siret",
        default=os.environ.get("ALLER_VERS_SIRET", ""),
        help="SIRET (ou RNA) de la structure, obligatoire pour le format lieux ; défaut : ALLER_VERS_SIRET",
    )
    structure.add_argument("--structure-tel", default="", help="téléphone de la structure")
    structure.add_argument("--structure-courriel", default="", help="courriel de la structure")
    structure.add_argument("--structure-site", default="", help="site web de la structure")
    p.add_argument("--eur-km", type=float, default=CostRates.eur_per_km, help="coût au km (€)")
    p.add_argument("--eur-heure", type=float, default=CostRates.eur_per_hour, help="coût horaire (€)")
    p.add_argument(
        "--litres-100km", type=float, default=CostRates.fuel_l_per_100km, help="consommation (L/100 km)"
    )
    p.set_defaults(func=run)


def _hosts(args: argparse.Namespace) -> dict[str, HostDetails]:
    if not (args.db or args.with_contacts):
        return {}
    from planner.publish.common import hosts_from_requests
    from planner.store.db import open_store
    from planner.store.repo import list_requests

    return hosts_from_requests(list_requests(open_store(args.db), include_contact=True))


def _baseline(args: argparse.Namespace, plan: Plan, problem) -> Plan | None:
    if args.baseline:
        return read_path(load_plan, args.baseline)
    if args.no_baseline or plan.kind == "baseline" or args.fmt not in {"pdf", "xlsx", "csv"}:
        return None
    if importlib.util.find_spec("planner.optimise.solve") is None:  # solver not installed: no comparison
        return None
    from planner.optimise.solve import solve_baseline

    return solve_baseline(problem)


def run(args: argparse.Namespace) -> int:
    """Load the plan and its territory, export, list the files written."""
    from planner.problem import PlanningProblem
    from planner.territory.need import compute_need
    from planner.territory.specs import load_territory
    from planner.territory.travel import territory_matrix

    plan = read_path(load_plan, args.plan)
    try:
        territory = read_path(load_territory, plan.territory_spec)
    except UnknownTerritoryError as exc:
        raise UnknownTerritoryError(f"plan « {Path(args.plan).name} » : {exc}") from exc
    matrix = territory_matrix(territory)
    needs = compute_need(territory, matrix=matrix)
    problem = PlanningProblem(
        territory=territory,
        needs=needs,
        matrix=matrix,
        resources=plan.resources,
        season=plan.season,
        rules=plan.rules,
    )
    rates = CostRates(eur_per_km=args.eur_km, eur_per_hour=args.eur_heure, fuel_l_per_100km=args.litres_100km)
    paths = export_plan(
        plan,
        args.fmt,
        args.out,
        problem=problem,
        baseline=_baseline(args, plan, problem),
        hosts=_hosts(args),
        rates=rates,
        previous=[load_plan(p) for p in args.previous],
        publisher=Publisher(
            name=args.structure,
            siret=args.siret,
            phone=args.structure_tel,
            email=args.structure_courriel,
            website=args.structure_site,
        ),
    )
    for path in paths:
        print(path)
    print(f"{len(paths)} fichier(s) écrit(s) dans {args.out}")
    return 0
