"""``python -m planner territory SPEC [--json] [--weight NAME=VALUE …]`` — a territory and its need."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from planner.file_errors import read_path
from planner.french import french_decimal
from planner.territory.need import (
    WEIGHT_INFO,
    NeedWeights,
    compute_need,
    need_table,
    parse_weight,
    weight_names,
)
from planner.territory.specs import DEFAULT_SPEC, load_territory, with_lieux


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``territory`` sub-command."""
    parser = subparsers.add_parser(
        "territory",
        help="afficher un territoire, son besoin estimé et les lieux fixes",
        description=(
            "Charge un territoire (vierzon, bv2012:CODE, bv2022:CODE, epci:SIREN[,SIREN…] ou un "
            "fichier .csv/.xlsx de communes), estime le besoin d'accompagnement numérique par commune "
            "et la couverture des lieux fixes."
        ),
        epilog=weights_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", nargs="?", default=DEFAULT_SPEC, help="territoire (défaut : vierzon)")
    parser.add_argument(
        "--lieux",
        metavar="FICHIER",
        help="lieux fixes à ajouter, au schéma national des lieux de médiation numérique (CSV ou Excel)",
    )
    parser.add_argument("--json", action="store_true", help="sortie JSON (un objet) au lieu d'un tableau")
    parser.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="NOM=VALEUR",
        help=f"modifier un poids du modèle de besoin (répétable) ; noms : {', '.join(weight_names())}",
    )
    parser.set_defaults(func=run)


def weights_help() -> str:
    """French list of the need weights (name, default, explanation and source) for ``--help``."""
    defaults = NeedWeights()
    lines = ["Poids du modèle de besoin (--weight NOM=VALEUR), des estimations à discuter localement :"]
    for info in WEIGHT_INFO:
        lines.append(f"  {info.name} = {getattr(defaults, info.name):g} — {info.label}.")
        text = f"{info.explanation} Source : {info.source}."
        lines.append(textwrap.fill(text, 100, initial_indent=" " * 6, subsequent_indent=" " * 6))
    lines.append("  user_indicator = nom d'une colonne numérique de votre fichier (aucune par défaut).")
    return "\n".join(lines)


def territory_json(spec: str, weights: NeedWeights | None = None) -> dict:
    """The JSON object the command prints (see the issue for its shape)."""
    territory = read_path(load_territory, spec)
    needs = compute_need(territory, weights or NeedWeights())
    return {
        "territory": {
            "spec": territory.spec,
            "name": territory.name,
            "communes": len(territory.communes),
            "population": territory.population,
        },
        "communes": [
            {
                "code_insee": c.code_insee,
                "name": c.name,
                "population": c.population,
                "lat": c.lat,
                "lon": c.lon,
                "need": round(needs[c.code_insee].need, 2),
                "coverage": round(needs[c.code_insee].coverage, 4),
                "unmet_need": round(needs[c.code_insee].unmet_need, 2),
            }
            for c in territory.communes
        ],
        "fixed_sites": [
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind,
                "code_insee": s.code_insee,
                "lat": s.lat,
                "lon": s.lon,
            }
            for s in territory.fixed_sites
        ],
    }


def run(args: argparse.Namespace) -> int:
    """Print the territory as JSON or as a French text table."""
    weights = NeedWeights()
    for text in args.weight:
        weights = parse_weight(weights, text)
    spec = with_lieux(args.spec, args.lieux and str(Path(args.lieux).resolve()))
    if args.json:
        json.dump(territory_json(spec, weights), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    territory = read_path(load_territory, spec)
    table = need_table(territory, compute_need(territory, weights))
    print(
        f"{territory.name} — {len(territory.communes)} communes, {french_decimal(territory.population)} habitants"
    )
    print(f"Lieux fixes : {len(territory.fixed_sites)}")
    print(
        f"Besoin estimé : {french_decimal(table['need'].sum())} personnes, non couvert : {french_decimal(table['unmet_need'].sum())}"
    )
    print()
    print(f"{'code':<6} {'commune':<28} {'pop.':>7} {'besoin':>7} {'couv.':>6} {'non couv.':>9}")
    for row in table.itertuples(index=False):
        print(
            f"{row.code_insee:<6} {row.name[:28]:<28} {row.population:>7} {row.need:>7.0f} "
            f"{row.coverage * 100:>5.0f}% {row.unmet_need:>9.0f}"
        )
    return 0
