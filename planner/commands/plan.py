"""``python -m planner plan SPEC --start … --end … --out plan.json`` — plan a season.

Writes the JSON of :func:`planner.plan_json.plan_to_dict` (optimised plan, or the saupoudrage
baseline with ``--baseline``, or the greedy plan with ``--greedy``) and prints a short French
summary. With ``--previous OLD.json`` the season is re-planned from OLD: its locked sessions and
accepted exceptions are kept, and its other sessions move only as ``--stability`` allows
(:mod:`planner.optimise.stability`); the summary then says what was kept, what moved and why.
Every user error is a :class:`~planner.errors.PlannerError` (one French line, exit 2); settings
under which no parcours can be held exit 3 with the cause and the setting to change
(:mod:`planner.optimise.feasibility`), and no plan file is written.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

from planner.errors import InputError
from planner.file_errors import read_path
from planner.french import PLAN_KIND_FR, french_decimal, plan_status_fr
from planner.inputs.tables import default_resources, load_locked_sessions, load_requests, load_resources
from planner.model import DOMICILE, PARCOURS, PERMANENCE, Plan, PlanInputs, Resource, Rules
from planner.optimise import stability
from planner.optimise.alternatives import Alternative, solve_alternatives
from planner.optimise.services import needs_services, parcours_problem, solve_services
from planner.optimise.solve import solve, solve_baseline, solve_greedy
from planner.plan_json import load_plan, save_plan
from planner.problem import PlanningProblem, ProgressEvent, SolveParams
from planner.publish.equity import LABELS, equity_lines, plan_equity
from planner.publish.report import CostRates
from planner.rules.calendar import build_season
from planner.territory.attendance import PUBLICS
from planner.territory.need import NeedWeights, compute_need, parse_weight
from planner.territory.specs import DEFAULT_SPEC, load_territory, with_lieux
from planner.territory.travel import territory_matrix


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (attendu AAAA-MM-JJ)") from exc


def _days(text: str) -> list[date]:
    return [_day(t.strip()) for t in text.split(",") if t.strip()]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plan`` sub-command."""
    p = subparsers.add_parser(
        "plan",
        help="planifier une saison (parcours de séances là où le besoin non couvert est le plus fort)",
        description="Optimise les parcours d'ateliers d'un bus numérique ou d'équipes de médiateurs sur une saison.",
    )
    p.add_argument("spec", nargs="?", default=DEFAULT_SPEC, help="territoire (défaut : vierzon)")
    p.add_argument(
        "--lieux",
        metavar="FICHIER",
        help="lieux fixes à ajouter, au schéma national des lieux de médiation numérique (CSV ou Excel)",
    )
    p.add_argument("--start", type=_day, required=True, help="début de saison (AAAA-MM-JJ)")
    p.add_argument("--end", type=_day, required=True, help="fin de saison (AAAA-MM-JJ)")
    p.add_argument("--resources", help="fichier CSV/JSON des moyens itinérants (défaut : un bus mar+ven)")
    p.add_argument("--requests", help="fichier CSV des demandes d'accueil")
    p.add_argument(
        "--requests-only", action="store_true", help="n'accueillir que dans les communes demandeuses"
    )
    p.add_argument("--locked", help="séances verrouillées : plan JSON ou CSV")
    p.add_argument(
        "--adjustments",
        metavar="AJUSTEMENTS.json",
        help="ajustements acceptés après une saison (écrits par « realised proposals --accept … --out ») : "
        "besoin de certaines communes, part des voisins qui viennent",
    )
    p.add_argument(
        "--previous",
        metavar="ANCIEN.json",
        help="replanifier à partir de ce plan : ses séances verrouillées restent, les autres ne bougent "
        "que selon --stability",
    )
    p.add_argument(
        "--frozen-before",
        type=_day,
        metavar="AAAA-MM-JJ",
        help="avec --previous : les séances d'avant cette date ont eu lieu et restent telles quelles",
    )
    p.add_argument(
        "--stability",
        choices=[x.key for x in stability.LEVELS],
        default=stability.DEFAULT_LEVEL,
        help="avec --previous : "
        + " ; ".join(f"{x.key} = {x.label.lower()}" for x in stability.LEVELS)
        + f" (défaut : {stability.DEFAULT_LEVEL})",
    )
    p.add_argument(
        "--closed", type=_days, default=[], help="dates fermées en plus des jours fériés (AAAA-MM-JJ,…)"
    )
    p.add_argument(
        "--school-zone", choices=["A", "B", "C"], help="fermer pendant les vacances scolaires de la zone"
    )
    p.add_argument("--time-limit", type=float, default=30.0, help="limite de temps en secondes (défaut 30)")
    p.add_argument("--gap", type=float, default=0.005, help="écart relatif visé (défaut 0,005)")
    p.add_argument("--workers", type=int, default=2, help="fils de calcul (défaut 2)")
    p.add_argument("--seed", type=int, default=0, help="graine du solveur (défaut 0)")
    p.add_argument("--sessions", type=int, help="séances par parcours (défaut 5)")
    p.add_argument("--interval", type=int, help="jours entre deux séances (défaut 7)")
    p.add_argument("--tolerance", type=int, help="tolérance sur l'intervalle, en jours (défaut 7)")
    p.add_argument("--min-participants", type=int, help="seuil d'ouverture d'un parcours (défaut 6)")
    p.add_argument("--catchment", type=float, help="rayon d'attraction en minutes (défaut 15)")
    p.add_argument("--repeat-value", type=float, help="rendement décroissant d'un second groupe (défaut 0,5)")
    p.add_argument(
        "--travel-weight",
        type=float,
        help="coût d'un km en personnes servies (défaut 0 : les km ne départagent que des plans de même valeur)",
    )
    p.add_argument(
        "--priority",
        type=float,
        help="priorité aux moins couverts, de 0 à 20 (défaut 2 : une personne d'une commune sans lieu fixe "
        "compte 3 fois une personne d'une commune entièrement couverte)",
    )
    p.add_argument(
        "--public",
        choices=sorted(PUBLICS),
        help="public de tous les moyens : general (tous publics, surtout des aînés), isolated (aînés isolés, "
        "sans voiture), young (jeunes en recherche d'emploi) ; défaut : celui du fichier des moyens",
    )
    p.add_argument(
        "--service",
        choices=["parcours", "permanence", "mixte"],
        help="prestation de tous les moyens : parcours (ateliers en groupe), permanence (arrêt régulier "
        "pour une aide individuelle), mixte (permanence le matin, parcours l'après-midi) ; "
        "défaut : celle du fichier des moyens (parcours)",
    )
    p.add_argument(
        "--rhythm",
        metavar="RYTHME",
        help="rythme des permanences : « mensuel », « tous les 15 jours », « hebdomadaire » (le plan choisit "
        "le jour et la semaine) ou imposé, ex. « 2e mardi du mois »",
    )
    p.add_argument("--permanence-minutes", type=int, help="durée d'une permanence en minutes (défaut 180)")
    p.add_argument("--capacity", type=float, help="personnes reçues par heure de permanence (défaut 3)")
    p.add_argument(
        "--home-visits",
        action="store_true",
        help="les moyens font aussi les visites à domicile demandées (colonne « visites à domicile » "
        "du fichier des demandes)",
    )
    p.add_argument(
        "--home-visit-minutes", type=int, help="durée d'une visite à domicile en minutes (défaut 60)"
    )
    p.add_argument(
        "--attendance-share",
        type=float,
        help="part des habitants d'une voisine qui viendraient juste à côté (défaut 0,6)",
    )
    p.add_argument(
        "--attendance-half",
        type=float,
        help="minutes de route qui divisent par deux cette part (défaut 8)",
    )
    p.add_argument(
        "--budget-km", type=float, help="budget kilométrique de la saison (aller-retour par séance)"
    )
    p.add_argument(
        "--budget-eur",
        type=float,
        help="budget de la saison en euros de fonctionnement du véhicule, converti en km au coût au km",
    )
    p.add_argument(
        "--eur-per-km",
        type=float,
        default=CostRates().eur_per_km,
        help="coût d'un km (carburant, entretien ; défaut 0,50 €)",
    )
    p.add_argument(
        "--force",
        default="",
        metavar="CODES",
        help="communes (codes INSEE séparés par des virgules) qui doivent accueillir un parcours",
    )
    p.add_argument(
        "--alternatives",
        action="store_true",
        help="calculer aussi les plans « au plus près des moins couverts » et « le moins de km » "
        "(écrits à côté de --out) et les comparer",
    )
    p.add_argument(
        "--weight", action="append", default=[], metavar="NOM=VALEUR", help="poids du modèle de besoin"
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--baseline", action="store_true", help="plan « saupoudrage » : une séance par commune à tour de rôle"
    )
    mode.add_argument("--greedy", action="store_true", help="plan glouton (le plus grand besoin d'abord)")
    p.add_argument("--out", required=True, help="fichier JSON du plan à écrire")
    p.add_argument("--quiet", action="store_true", help="ne pas afficher la progression")
    p.set_defaults(func=run)


def _budget(args: argparse.Namespace) -> float | None:
    """The season's km budget: the smaller of ``--budget-km`` and ``--budget-eur`` / ``--eur-per-km``."""
    budgets = []
    if args.budget_km is not None:
        budgets.append(args.budget_km)
    if args.budget_eur is not None:
        if args.eur_per_km <= 0:
            raise InputError("--budget-eur demande un coût au km positif (--eur-per-km)")
        budgets.append(args.budget_eur / args.eur_per_km)
    return min(budgets) if budgets else None


def _rules(args: argparse.Namespace) -> Rules:
    given = {
        "sessions_per_series": args.sessions,
        "interval_days": args.interval,
        "interval_tolerance_days": args.tolerance,
        "min_participants": args.min_participants,
        "catchment_minutes": args.catchment,
        "repeat_value": args.repeat_value,
        "travel_weight": args.travel_weight,
        "priority": args.priority,
        "attendance_share": args.attendance_share,
        "attendance_half_minutes": args.attendance_half,
        "km_budget": _budget(args),
    }
    return Rules(**{k: v for k, v in given.items() if v is not None})


def _weights(args: argparse.Namespace) -> NeedWeights:
    weights = NeedWeights()
    for text in args.weight:
        weights = parse_weight(weights, text)
    return weights


def _previous(args: argparse.Namespace, territory_spec: str) -> Plan | None:
    if not getattr(args, "previous", None):
        return None
    old = read_path(load_plan, args.previous)
    if old.territory_spec != territory_spec:
        raise InputError(
            f"le plan précédent concerne un autre territoire (« {old.territory_spec} ») que celui demandé "
            f"(« {territory_spec} »)",
            file=Path(args.previous).name,
        )
    return old


#: ``--service`` → the resources' service types.
SERVICE_CHOICES = {"parcours": (PARCOURS,), "permanence": (PERMANENCE,), "mixte": (PARCOURS, PERMANENCE)}


def _with_services(resources: tuple[Resource, ...], args: argparse.Namespace) -> tuple[Resource, ...]:
    """The resources with the service settings of the command line (none given: unchanged)."""
    out = []
    for r in resources:
        changes: dict = {}
        services = SERVICE_CHOICES[args.service] if getattr(args, "service", None) else r.services
        if getattr(args, "home_visits", False) and DOMICILE not in services:
            services = (*services, DOMICILE)
        if services != r.services:
            changes["services"] = services
        for arg, name in (
            ("rhythm", "permanence_rhythm"),
            ("permanence_minutes", "permanence_minutes"),
            ("capacity", "permanence_capacity"),
            ("home_visit_minutes", "home_visit_minutes"),
        ):
            value = getattr(args, arg, None)
            if value is not None:
                changes[name] = value
        out.append(replace(r, **changes) if changes else r)
    return tuple(out)


def _adjustments(args: argparse.Namespace):
    """The accepted adjustments of ``--adjustments`` (none without it)."""
    from planner.realised.proposals import Adjustments

    path = getattr(args, "adjustments", None)
    if not path:
        return Adjustments()
    return read_path(lambda p: Adjustments.from_dict(json.loads(Path(p).read_text("utf-8"))), path)


def _lock_held(problem: PlanningProblem, old: Plan) -> PlanningProblem:
    """Lock the sessions of ``old`` recorded as held (``realised import``/Tournée) in the database.

    Only when a database exists (``DATABASE_URL`` or the SQLite file): a re-plan from a file
    alone creates none. Held sessions are history: they stay whatever the stability chosen.
    """
    import os

    from planner.realised.locks import lock_held
    from planner.store import realised as store
    from planner.store.db import database_url, open_store

    url = database_url()
    if not os.environ.get("DATABASE_URL") and not Path(url.removeprefix("sqlite:///")).exists():
        return problem
    engine = open_store(url)
    version = store.find_plan_version(engine, old)
    if version is None:
        return problem
    again = lock_held(problem, old, store.realised_for_version(engine, version, old))
    if len(again.locked) > len(problem.locked):
        print(
            f"{len(again.locked) - len(problem.locked)} séance(s) tenue(s) (réalisé enregistré) verrouillée(s) "
            "en plus.",
            file=sys.stderr,
        )
    return again


def build_problem(args: argparse.Namespace) -> PlanningProblem:
    """The planning problem the command line describes (a re-plan of ``--previous`` if given)."""
    territory = read_path(
        load_territory, with_lieux(args.spec, args.lieux and str(Path(args.lieux).resolve()))
    )
    weights = _weights(args)
    matrix = territory_matrix(territory)
    adjusted = _adjustments(args)
    needs = adjusted.apply_needs(compute_need(territory, weights, matrix))
    resources = read_path(load_resources, args.resources) if args.resources else default_resources(territory)
    if args.public:
        resources = tuple(replace(r, public=args.public) for r in resources)
    resources = _with_services(resources, args)
    forced = tuple(c.strip() for c in args.force.split(",") if c.strip())
    requests = read_path(load_requests, args.requests) if args.requests else ()
    locked = read_path(load_locked_sessions, args.locked) if args.locked else ()
    season = build_season(args.start, args.end, extra_closed=args.closed, school_zone=args.school_zone)
    if args.requests_only and not requests:
        if args.requests:
            raise InputError(
                "--requests-only : le fichier ne contient aucune demande d'accueil", file=args.requests
            )
        raise InputError("--requests-only demande un fichier de demandes d'accueil (--requests)")
    problem = PlanningProblem(
        territory=territory,
        needs=needs,
        matrix=matrix,
        resources=resources,
        season=season,
        rules=adjusted.apply_rules(_rules(args)),
        requests=requests,
        locked=locked,
        requests_only=args.requests_only,
        must_host=forced,
    )
    old = _previous(args, territory.spec)
    if old is None:
        return problem
    from planner.rules.adjust import replan_problem

    again = replan_problem(
        problem,
        old,
        keep_value=stability.level(args.stability).keep_value,
        frozen_before=getattr(args, "frozen_before", None),
    )
    again = _lock_held(again, old)
    if locked:  # locks given on the command line join the previous plan's
        known = {(s.series, s.index) for s in again.locked}
        again = dataclasses.replace(
            again, locked=again.locked + tuple(s for s in locked if (s.series, s.index) not in known)
        )
    return again


def _num(x: float, digits: int = 0) -> str:
    # Plain spaces between thousands: some terminals draw the narrow no-break space badly.
    return french_decimal(x, digits, sep=" ")


def summary(plan: Plan) -> str:
    """A few French lines describing the plan (kind and status in words, French numbers)."""
    m = plan.metrics
    kind = PLAN_KIND_FR.get(plan.kind, f"Plan « {plan.kind} »")
    status = plan_status_fr(m)
    return "\n".join(
        [
            f"{kind} — statut : {status}, {_num(m.solve_seconds, 1)} s",
            f"Parcours : {len(plan.series)}, séances : {m.sessions}, participants : {m.participants} "
            f"(dont {m.participants_full_series} en parcours complets)"
            if all(s.service == PARCOURS for s in plan.series)
            else service_line(plan),
            f"Objectif : {_num(m.objective, 2)}, borne : {_num(m.bound, 2)}, écart : {_num(100 * m.gap, 2)} %"
            if m.status != "SCORED"
            # a tour's bound is the people of unmet need: true but far too loose to say how far it is
            else f"Objectif : {_num(m.objective, 2)} (pour savoir à quelle distance de l'optimum, "
            "comparez au plan optimisé : --compare)",
            *(
                [
                    f"Borne du calcul découpé (zones, lieux présélectionnés) : {_num(m.restricted_bound, 2)} "
                    "— la borne ci-dessus vaut pour le problème entier"
                ]
                if m.restricted_bound is not None
                else []
            ),
            f"Kilomètres : {_num(m.km)}, heures de route : {_num(m.drive_hours, 1)}",
            f"Communes ou demandes laissées de côté : {len(plan.unserved)}",
            *(f"Attention : {w}" for w in m.warnings),
            *(
                f"{LABELS[k]} : {v}".replace("\u202f", " ")
                for k, v in equity_lines(plan_equity(plan)).items()
            ),
        ]
    )


def service_line(plan: Plan) -> str:
    """« Parcours : 10, permanences : 8 (mensuelles), visites à domicile : 2 ; séances : 97, personnes : 552 »."""
    count = {k: sum(s.service == k for s in plan.series) for k in (PARCOURS, PERMANENCE)}
    visits = sum(s.service == DOMICILE for s in plan.sessions)
    m = plan.metrics
    return (
        f"Parcours : {count[PARCOURS]}, permanences : {count[PERMANENCE]}, visites à domicile : {visits} ; "
        f"séances : {m.sessions}, personnes : {m.participants} "
        f"(dont {m.participants_full_series} en parcours complets)"
    )


def comparison(alternatives: list[Alternative]) -> str:
    """The plans of the frontier side by side (French, plain text)."""
    rows = [("", *(a.label for a in alternatives))]
    rows.append(("Valeur selon vos réglages", *(_num(a.value, 2) for a in alternatives)))
    rows.append(("Parcours", *(str(len(a.plan.series)) for a in alternatives)))
    lines = [equity_lines(a.equity) for a in alternatives]
    rows += [(LABELS[k], *(x[k] for x in lines)) for k in LABELS]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.replace("\u202f", " ").ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows
    )


def progress_line(ev: ProgressEvent) -> str:
    """One French progress line: elapsed seconds, best objective, bound (decimal commas)."""
    return (
        f"  {_num(ev.elapsed_s, 1):>7} s  objectif {_num(ev.objective, 2):>10}  "
        f"borne {_num(ev.bound, 2):>10}  écart {_num(100 * ev.gap, 2)} %"
    )


def replan_summary(previous: Plan, plan: Plan, problem: PlanningProblem, level_key: str) -> str:
    """French lines saying what a re-plan kept, what moved and why (the first reasons)."""
    report = stability.explain_changes(previous, plan, problem)
    kinds = {k: sum(c.kind == k for c in report.changes) for k in ("forced", "series", "displaced", "gain")}
    lines = [
        f"Replanification (stabilité : {stability.level(level_key).label.lower()}) : "
        f"{report.kept} séance(s) gardée(s) sur {report.unlocked_before} non verrouillée(s), "
        f"{len(report.changes)} déplacée(s) ou retirée(s) — {kinds['forced']} impossible(s) à garder, "
        f"{kinds['series']} de parcours touchés, {kinds['displaced']} à la place d'un parcours verrouillé, "
        f"{kinds['gain']} pour un meilleur plan ; "
        f"{report.locked_moved} séance(s) verrouillée(s) déplacée(s)."
    ]
    if plan.metrics.best_objective is not None:
        lines.append(
            f"Valeur : {_num(report.value, 2)} ; meilleur plan sans rien garder : {_num(plan.metrics.best_objective, 2)}."
        )
    names = {c.code_insee: c.name for c in problem.territory.communes}
    for c in report.changes[:10]:
        lines.append(f"  {names.get(c.before.host, c.before.host)}, {c.before.date:%d/%m/%Y} : {c.reason}")
    if len(report.changes) > 10:
        lines.append(f"  … et {len(report.changes) - 10} autre(s).")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Solve and write the plan JSON."""
    params = SolveParams(time_limit_s=args.time_limit, gap=args.gap, workers=args.workers, seed=args.seed)
    problem = build_problem(args)
    previous = _previous(args, problem.territory.spec)
    if needs_services(problem) and (problem.previous or args.alternatives):
        what = (
            "la replanification stable (--previous)"
            if problem.previous
            else "les plans alternatifs (--alternatives)"
        )
        raise InputError(
            f"{what} des permanences et des visites à domicile n'est pas encore prise en charge : "
            "planifiez sans cette option (les séances annoncées se gardent avec --locked ANCIEN.json)"
        )
    if args.baseline:
        plan = solve_baseline(parcours_problem(problem))  # the same resource days, in parcours
    elif args.greedy:
        plan = solve_greedy(parcours_problem(problem))
    else:

        def show(ev: ProgressEvent) -> None:
            if not args.quiet:
                print(progress_line(ev), file=sys.stderr)

        stop = threading.Event()
        try:
            if problem.previous:
                run_solve = stability.replan
            else:
                run_solve = solve_services if needs_services(problem) else solve
            plan = run_solve(problem, params, on_progress=show, stop=stop)
            others = (
                solve_alternatives(problem, params, balanced=plan, stop=stop) if args.alternatives else []
            )
        except KeyboardInterrupt:
            stop.set()
            raise
    weights = dataclasses.asdict(_weights(args))
    factors = dict(_adjustments(args).need_factors)
    plan = dataclasses.replace(
        plan, inputs=PlanInputs(problem.requests, problem.requests_only, weights, factors)
    )
    out = Path(args.out)
    save_plan(plan, out)
    print(summary(plan))
    if previous is not None and not (args.baseline or args.greedy):
        print(replan_summary(previous, plan, problem, args.stability))
    print(f"Plan écrit dans {out}")
    if not args.baseline and not args.greedy and args.alternatives:
        print()
        print(comparison(others))
        for a in others:
            if a.key != "balanced":
                path = out.with_name(f"{out.stem}-{ALTERNATIVE_FILES[a.key]}{out.suffix or '.json'}")
                save_plan(dataclasses.replace(a.plan, inputs=plan.inputs), path)
                print(f"Plan « {a.label} » écrit dans {path} : {a.explanation}")
    return 0


#: File name suffix of each alternative plan (beside ``--out``).
ALTERNATIVE_FILES = {"closest": "moins-couverts", "fewest_km": "moins-de-km"}
