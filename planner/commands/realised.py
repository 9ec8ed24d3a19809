"""``python -m planner realised import|list|export`` — what happened, headless.

``import FILE --plan PLAN.json`` reads a Coop activity export or a simple attendance sheet,
matches it to the plan's sessions and stores the counts (never a name) in the plan's version
(saved first if the database does not hold it yet). ``list`` prints what is stored;
``export`` writes planned vs done to Excel; ``proposals`` lists the adjustments the
realised suggests for the next season and writes the accepted ones (``--accept``) to a file
that ``plan --adjustments`` uses. Every command works on ``DATABASE_URL`` or the
default SQLite file (see :mod:`planner.store.db`).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from planner.errors import InputError
from planner.french import french_date
from planner.model import Plan
from planner.plan_json import load_plan
from planner.publish.report import CostRates
from planner.realised.importing import PRIVACY_NOTE, ImportResult, import_file
from planner.realised.matching import Ambiguous, Unmatched
from planner.realised.outcome import SOURCES
from planner.realised.places import region_places
from planner.store import realised as store
from planner.store.db import open_store


def _actor(args: argparse.Namespace) -> str:
    return args.actor or f"cli:{getpass.getuser()}"


def _agree(n: int, words: str) -> str:
    """``n`` and ``words`` agreed in number, French style (0 and 1 singular): ``7 activités lues``."""
    plural = " ".join(w if w in ("à", "de", "non") or n < 2 else w + "s" for w in words.split())
    return f"{n} {plural}"


def _leftover_line(item: Unmatched | Ambiguous) -> str:
    a = item.activity
    people = _agree(a.participants, "participant")
    return f"  ligne {a.row} — {french_date(a.date)}, « {a.place} », {people} : {item.reason}"


def report_lines(result: ImportResult) -> list[str]:
    """The French summary of an import: matched / unmatched / ambiguous, then the lists."""
    m = result.matching
    held = sum(o.held for o in result.outcomes)
    lines = [
        f"{_agree(result.activities, 'activité lue')} ({SOURCES[result.source]}) : "
        f"{_agree(m.activities_matched, 'rattachée')} à {_agree(len(result.outcomes), 'séance')} "
        f"({_agree(held, 'tenue')}, {_agree(len(result.outcomes) - held, 'annulée')}), "
        f"{_agree(len(m.unmatched), 'non rattachée')}, {_agree(len(m.ambiguous), 'ambiguë')}.",
        PRIVACY_NOTE,
    ]
    if m.unmatched:
        lines.append("Non rattachées (gardées pour vérification) :")
        lines += [_leftover_line(u) for u in m.unmatched]
    if m.ambiguous:
        lines.append("Ambiguës (plusieurs séances possibles) :")
        lines += [_leftover_line(a) for a in m.ambiguous]
    if result.warnings:
        lines.append("Remarques :")
        lines += [f"  {w}" for w in result.warnings]
    return lines


def cmd_import(args: argparse.Namespace) -> int:
    """Import FILE into the version of PLAN (saved first when new), print the French summary."""
    plan = load_plan(args.plan)
    result = import_file(args.file, plan)
    engine = open_store()
    label = args.label or f"Plan {Path(args.plan).name} (réalisé)"
    version = store.ensure_plan_version(engine, plan, label[:200], _actor(args))
    store.save_import(engine, version, result, _actor(args))
    for line in report_lines(result):
        print(line)
    print(f"Enregistré dans la version n° {version} du plan.")
    return 0


def _outcome_dict(item: store.StoredOutcome) -> dict:
    o = item.outcome
    return {
        "plan_version": item.plan_version_id,
        "uid": o.uid,
        "series": item.series,
        "host": item.host,
        "date": item.day.isoformat(),
        "held": o.held,
        "participants": o.participants,
        "cancel_reason": o.cancel_reason or None,
        "age_bands": dict(o.age_bands),
        "residence": dict(o.residence),
        "source": o.source,
        "updated_by": item.updated_by,
        "updated_at": item.updated_at.isoformat(),
    }


def cmd_list(args: argparse.Namespace) -> int:
    """Print what is stored (all versions, or ``--version N``) as text or JSON."""
    items = store.list_outcomes(open_store(), args.version)
    if args.json:
        json.dump([_outcome_dict(i) for i in items], sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if not items:
        print("Aucun réalisé enregistré.")
        return 0
    for i in items:
        o = i.outcome
        state = _agree(o.participants, "participant") if o.held else f"annulée ({o.reason_label})"
        where = region_places().name(i.host)
        print(
            f"version {i.plan_version_id} — {french_date(i.day)}, {where}, parcours {i.series} : "
            f"{state} [{SOURCES[o.source]}]"
        )
    return 0


def _context(plan: Plan):
    from planner.publish.report import ReportContext
    from planner.territory.need import compute_need
    from planner.territory.specs import load_territory
    from planner.territory.travel import territory_matrix

    territory = load_territory(plan.territory_spec)
    matrix = territory_matrix(territory)
    from planner.realised.proposals import Adjustments

    needs = Adjustments(plan.inputs.need_factors).apply_needs(compute_need(territory, matrix=matrix))
    return ReportContext(territory, needs, matrix)


def cmd_export(args: argparse.Namespace) -> int:
    """Write planned vs done of PLAN to an Excel file."""
    from planner.realised.workbook import realised_xlsx

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise InputError("extension non reconnue : .xlsx attendu", file=out.name)
    plan = load_plan(args.plan)
    engine = open_store()
    version = args.version or store.find_plan_version(engine, plan)
    if version is None:
        raise InputError(
            "ce plan n'est pas dans la base : importez d'abord son réalisé", file=Path(args.plan).name
        )
    realised = store.realised_for_version(engine, version, plan)
    rates = CostRates(eur_per_km=args.eur_km, eur_per_hour=args.eur_heure)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(realised_xlsx(plan, realised, _context(plan), rates, name=region_places().name))
    print(f"Prévu et réalisé écrits dans {out} ({_agree(len(realised.outcomes), 'séance renseignée')}).")
    return 0


def _realised_of(plan: Plan, plan_path: Path, version: int | None):
    engine = open_store()
    version = version or store.find_plan_version(engine, plan)
    if version is None:
        raise InputError(
            "ce plan n'est pas dans la base : importez d'abord son réalisé", file=Path(plan_path).name
        )
    return store.realised_for_version(engine, version, plan)


def cmd_proposals(args: argparse.Namespace) -> int:
    """Print the proposed adjustments; with ``--accept``, write the accepted ones to ``--out``."""
    from planner.file_errors import read_path
    from planner.realised.proposals import Adjustments, accept, propose

    plan = load_plan(args.plan)
    realised = _realised_of(plan, args.plan, args.version)
    base = Adjustments()
    if args.current:
        base = read_path(
            lambda p: Adjustments.from_dict(json.loads(Path(p).read_text("utf-8"))), args.current
        )
    proposals = propose(plan, realised, adjustments=base, name=region_places().name)
    keys = [p.key for p in proposals] if "all" in args.accept else list(args.accept)
    if keys and not args.out:
        raise InputError("--accept demande --out : le fichier d'ajustements à écrire")
    adjusted = accept(proposals, keys, base)
    if args.json:
        json.dump(
            [
                {
                    "key": p.key,
                    "kind": p.kind,
                    "commune": p.commune or None,
                    "current": p.current,
                    "proposed": p.proposed,
                    "reason": p.reason,
                    "accepted": p.key in keys,
                }
                for p in proposals
            ],
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        print()
    elif not proposals:
        print("Aucun ajustement proposé : il faut au moins deux séances renseignées par commune.")
    else:
        print(f"{_agree(len(proposals), 'ajustement proposé')} (rien n'est appliqué sans --accept) :")
        for p in proposals:
            mark = "[accepté] " if p.key in keys else ""
            print(f"- {mark}{p.key} — {p.label}\n  {p.reason}")
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(adjusted.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(
            f"Ajustements écrits dans {out} ({_agree(len(keys), 'accepté')}) : "
            f"python -m planner plan … --adjustments {out}",
            file=sys.stderr if args.json else sys.stdout,
        )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``realised`` and its sub-commands to the CLI."""
    parser = subparsers.add_parser("realised", help="ce qui s'est passé : séances tenues, participants")
    sub = parser.add_subparsers(dest="realised_command", required=True)

    p = sub.add_parser(
        "import",
        help="importer le réalisé (export de la Coop de la médiation numérique ou feuille simple)",
        description="Rattache chaque activité à une séance du plan (même commune, même jour, même heure) "
        "et n'enregistre que des effectifs : aucun nom, genre, statut ni note.",
    )
    p.add_argument("file", help="fichier .xlsx ou .csv")
    p.add_argument("--plan", required=True, type=Path, help="fichier JSON du plan")
    p.add_argument("--label", default="", help="nom de la version du plan si elle n'est pas encore en base")
    p.add_argument("--actor", default="", help="nom inscrit au journal (par défaut : cli:<utilisateur>)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("list", help="lister le réalisé enregistré")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.add_argument("--version", type=int, help="numéro de version du plan")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("export", help="écrire le prévu et le réalisé dans un classeur Excel")
    p.add_argument("out", help="fichier .xlsx à écrire")
    p.add_argument("--plan", required=True, type=Path, help="fichier JSON du plan")
    p.add_argument("--version", type=int, help="numéro de version du plan (par défaut : celle du fichier)")
    p.add_argument("--eur-km", type=float, default=CostRates.eur_per_km, help="coût au km (€)")
    p.add_argument("--eur-heure", type=float, default=CostRates.eur_per_hour, help="coût horaire (€)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "proposals",
        help="ajustements proposés pour la saison suivante (besoin des communes, venue des voisins)",
        description="Compare le réalisé aux hypothèses du plan et propose des ajustements, chacun avec sa "
        "raison. Rien n'est appliqué : --accept CLÉ (ou all) les écrit dans --out, que "
        "« plan --adjustments » utilise.",
    )
    p.add_argument("--plan", required=True, type=Path, help="fichier JSON du plan")
    p.add_argument("--version", type=int, help="numéro de version du plan (par défaut : celle du fichier)")
    p.add_argument("--current", help="ajustements déjà acceptés (JSON écrit par --out)")
    p.add_argument("--accept", nargs="*", default=[], metavar="CLÉ", help="clés acceptées, ou all")
    p.add_argument("--out", help="fichier JSON des ajustements acceptés")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=cmd_proposals)
