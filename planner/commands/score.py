"""``python -m planner score TOUR --territory SPEC --out scored.json [--improve]`` — score a current tour.

Reads the tour a coordinator runs today (CSV, Excel or a plan JSON, :mod:`planner.tours.load`),
writes it as a plan JSON of kind ``"tour"`` with every figure the optimiser's plans have and its
value under the optimiser's objective (:mod:`planner.tours.score`), with the rules it breaks
listed under ``"violations"`` (nothing is fixed). With ``--improve`` it proposes the best single
changes (« Améliorer ma tournée », :mod:`planner.tours.improve`) and writes them under
``"changes"``; ``--adopt N`` adopts the best change N times, one after the other, and writes the
tour so improved. The file of a plan of the frontier (``--alternatives``, whose metrics record the
coordinator's rules as ``reference_rules``) also gets its value under those rules, the « Valeur
selon vos réglages » shown beside it, recomputed (:func:`planner.optimise.objective.reference_value`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

from planner.errors import InputError, PlannerError
from planner.file_errors import read_path
from planner.french import french_decimal
from planner.inputs.tables import load_resources
from planner.model import Rules
from planner.optimise.objective import reference_value
from planner.plan_json import plan_to_dict
from planner.rules.calendar import build_season
from planner.territory.specs import DEFAULT_SPEC, load_territory
from planner.tours.improve import Change, improved, propose, stops
from planner.tours.load import load_tour, plain_name
from planner.tours.score import ScoredTour, TourOptions, score_tour


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (attendu AAAA-MM-JJ)") from exc


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``score`` sub-command."""
    p = subparsers.add_parser(
        "score",
        help="évaluer la tournée actuelle avec la même mesure que l'optimiseur (et proposer des améliorations)",
        description="Lit une tournée (CSV, Excel ou plan JSON : une ligne par arrêt ou par séance, une date "
        "ou une règle comme « 2e mardi du mois », la commune, les horaires, le véhicule), la mesure comme "
        "l'optimiseur mesure ses plans et écrit le plan JSON de cette tournée, avec les règles enfreintes.",
    )
    p.add_argument("tour", help="fichier de la tournée (CSV, Excel .xlsx ou plan JSON)")
    p.add_argument("--territory", default=DEFAULT_SPEC, help="territoire (défaut : vierzon)")
    p.add_argument("--start", type=_day, help="début de saison (AAAA-MM-JJ) : les règles s'y répètent")
    p.add_argument("--end", type=_day, help="fin de saison (AAAA-MM-JJ)")
    p.add_argument(
        "--school-zone",
        choices=["A", "B", "C"],
        help="pas de passage pendant les vacances scolaires de la zone",
    )
    p.add_argument(
        "--resources",
        help="fichier des moyens itinérants (défaut : un moyen par véhicule de la tournée, aux jours et "
        "horaires qu'elle utilise)",
    )
    p.add_argument("--sessions", type=int, help="séances par parcours (défaut 5)")
    p.add_argument("--min-participants", type=int, help="seuil d'ouverture d'un parcours (défaut 6)")
    p.add_argument("--priority", type=float, help="priorité aux moins couverts, de 0 à 20 (défaut 2)")
    p.add_argument(
        "--lock",
        default="",
        metavar="COMMUNES",
        help="arrêts annoncés à garder tels quels : communes (noms ou codes INSEE) séparées par des virgules",
    )
    p.add_argument("--improve", action="store_true", help="proposer les meilleurs changements un par un")
    p.add_argument("--changes", type=int, default=10, help="nombre de changements proposés (défaut 10)")
    p.add_argument(
        "--adopt",
        type=int,
        default=0,
        metavar="N",
        help="adopter le meilleur changement N fois de suite et écrire la tournée améliorée",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="calculer aussi le plan optimisé et le saupoudrage sur les mêmes journées et les comparer",
    )
    p.add_argument(
        "--time-limit", type=float, default=20.0, help="avec --compare : limite de temps (défaut 20 s)"
    )
    p.add_argument("--out", required=True, help="fichier JSON du plan de la tournée à écrire")
    p.set_defaults(func=run)


def _rules(args: argparse.Namespace) -> Rules | None:
    given = {
        "sessions_per_series": args.sessions,
        "min_participants": args.min_participants,
        "priority": args.priority,
    }
    given = {k: v for k, v in given.items() if v is not None}
    return Rules(**given) if given else None


def _locks(scored: ScoredTour, text: str) -> list[tuple]:
    """Stop keys of the communes named in ``--lock``."""
    wanted = [t.strip() for t in text.split(",") if t.strip()]
    if not wanted:
        return []
    territory = scored.problem.territory
    codes = set()
    for w in wanted:
        found = [
            c.code_insee
            for c in territory.communes
            if w in (c.code_insee,) or plain_name(w) == plain_name(c.name)
        ]
        if not found:
            raise InputError(f"--lock : commune inconnue dans le territoire : « {w} »")
        codes.update(found)
    keys = [s.key for s in stops(scored) if s.host in codes]
    if not keys:
        raise InputError(f"--lock : la tournée ne passe pas par {', '.join(wanted)}")
    return keys


def violations_dict(scored: ScoredTour) -> list[dict]:
    """The rules the tour breaks, as written in the JSON."""
    return [
        {
            "rule": v.rule,
            "message": v.message,
            "series": v.series,
            "session_index": v.session_index,
            "uid": v.uid,
            "hard": v.hard,  # an impossibility, not a preference (planner.rules.check.Violation)
        }
        for v in scored.violations
    ]


def change_dict(c: Change) -> dict:
    """One proposed change, as written in the JSON."""
    return {
        "stop": c.stop.label,
        "from": c.stop.host,
        "to": c.new_host,
        "text": c.text,
        "gain": c.gain,
        "people": c.people,
        "km": round(c.km, 2),
        "km_per_visit": round(c.km_per_visit, 2),
        "objective_after": c.result.objective,
    }


def summary(scored: ScoredTour) -> str:
    """French lines: the tour's figures and what it breaks."""
    from planner.commands.plan import summary as plan_summary

    lines = [plan_summary(scored.plan)]
    counts = Counter(v.rule for v in scored.violations)
    if counts:
        lines.append(
            f"Règles enfreintes : {len(scored.violations)} ("
            + ", ".join(f"{r} : {n}" for r, n in counts.items())
            + ")"
        )
        lines += [f"  {v.message}" for v in scored.violations[:5]]
        if len(scored.violations) > 5:
            lines.append(f"  … et {len(scored.violations) - 5} autre(s) (voir le fichier écrit).")
    else:
        lines.append("Règles enfreintes : aucune")
    lines += [f"Note : {n}" for n in scored.tour.notes]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Score (and improve) the tour, write the plan JSON, print a French summary."""
    territory = read_path(load_territory, args.territory)
    if (args.start is None) != (args.end is None):
        raise InputError("donnez à la fois --start et --end (les dates de la saison)")
    season = (
        build_season(args.start, args.end, school_zone=args.school_zone) if args.start is not None else None
    )
    tour = read_path(lambda path: load_tour(path, territory, season), args.tour)
    resources = read_path(load_resources, args.resources) if args.resources else ()
    scored = score_tour(tour, territory, TourOptions(rules=_rules(args), resources=resources))
    locks = _locks(scored, args.lock)
    out: dict = {}
    adopted = []
    if args.adopt > 0:
        before = scored.objective
        scored, adopted = improved(scored, args.adopt, locked=locks)
        out["adopted"] = [change_dict(c) for c in adopted]
        print(f"Changements adoptés : {len(adopted)} ; valeur {_num(before)} → {_num(scored.objective)}")
        for c in adopted:
            print(f"  {c.text}")
    print(summary(scored))
    written = scored.plan
    reference = None if scored.tour.plan is None else scored.tour.plan.metrics.reference_rules
    if reference is not None:
        # a plan of the frontier (« le moins de km »…): its value under the rules it was compared with
        written = replace(written, metrics=replace(written.metrics, reference_rules=reference))
        value = reference_value(written, scored.problem)
        print(f"Valeur selon vos réglages (ceux que le fichier note pour comparer les plans) : {_num(value)}")
        written = replace(written, metrics=replace(written.metrics, reference_value=value))
    data = plan_to_dict(written) | {"violations": violations_dict(scored)} | out
    if args.improve:
        changes = propose(scored, locked=locks, limit=args.changes)
        data["changes"] = [change_dict(c) for c in changes]
        print(
            "Améliorer ma tournée :"
            if changes
            else "Améliorer ma tournée : aucun changement simple ne gagne."
        )
        for i, c in enumerate(changes, start=1):
            print(f"  {i}. {c.text}")
    if args.compare:
        from planner.problem import SolveParams
        from planner.tours.compare import notes, same_days, text_table

        try:
            comparison = same_days(scored, SolveParams(time_limit_s=args.time_limit, workers=1))
        except PlannerError as exc:  # the tour is scored all the same; say why there is no comparison
            print(f"Comparaison impossible : {exc}", file=sys.stderr)
            data["comparison"] = {"error": str(exc)}
        else:
            print()
            print(text_table(comparison))
            for note in notes(comparison):
                print(f"Note : {note}")
            data["comparison"] = {
                "optimised_objective": comparison.optimised.metrics.objective,
                "baseline_objective": comparison.baseline.metrics.objective,
            }
    path = Path(args.out)
    try:
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"impossible d'écrire le plan ({exc.strerror})", file=str(path)) from exc
    print(f"Plan de la tournée écrit dans {path}")
    return 0


def _num(x: float) -> str:
    return french_decimal(x, 2, sep=" ")
