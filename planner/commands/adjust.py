"""``python -m planner adjust PLAN.json --move SÉRIE:N --date … --out NEW.json`` — a hand edit.

The command-line form of the Tournée page's « Ajuster » tab (:mod:`planner.rules.adjust`): move a
session (date, start, host), move a whole series, swap two sessions or add one, then check every
rule. An edit that keeps every rule is written with the sessions it touched locked. One that breaks
the coordinator's preferences (rhythm, weekday, hours…) is written only with ``--accept``
(« accepter quand même »: the exceptions are recorded in the plan file). One that breaks a hard
rule (a resource in two places at once, a drive that cannot fit…) is never written: the French
message says why and the exit code is 2, unless the plan already broke it before the edit
(:attr:`planner.rules.adjust.Adjustment.standing`: said, it does not block other edits). A moved
session is locked; ``--unlock`` (and ``--lock``) set the locks, as the page's 🔒 column does. The
problem the plan answers is rebuilt from the plan file alone (:func:`plan_problem`).
"""

from __future__ import annotations

import argparse
from datetime import date, time

from planner.errors import InputError
from planner.file_errors import read_path
from planner.model import Plan
from planner.plan_json import load_plan, save_plan
from planner.problem import PlanningProblem
from planner.rules.adjust import (
    Adjustment,
    SessionKey,
    accept,
    add_session,
    move_series,
    move_session,
    refusal,
    set_locked,
    swap_sessions,
)
from planner.territory.need import NeedWeights, compute_need
from planner.territory.specs import load_territory
from planner.territory.travel import territory_matrix


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (attendu AAAA-MM-JJ)") from exc


def _clock(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"heure invalide « {text} » (attendu HH:MM)") from exc


def _key(text: str) -> SessionKey:
    series, _, number = text.rpartition(":")
    if not series or not number.isdigit():
        raise argparse.ArgumentTypeError(f"séance invalide « {text} » (attendu PARCOURS:NUMÉRO, ex. P1:3)")
    return (series, int(number))


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``adjust`` sub-command."""
    p = subparsers.add_parser(
        "adjust",
        help="modifier un plan à la main (déplacer, échanger, ajouter une séance) et vérifier les règles",
        description="Modifie un plan JSON à la main et vérifie toutes les règles. Une modification qui "
        "enfreint une préférence (rythme, jour, horaire…) n'est écrite qu'avec --accept ; une impossibilité "
        "(un moyen à deux endroits à la fois, un trajet qui ne tient pas…) n'est jamais écrite.",
    )
    p.add_argument("plan", help="plan JSON à modifier")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--move", type=_key, metavar="PARCOURS:N", help="déplacer une séance")
    what.add_argument("--move-series", metavar="PARCOURS", help="déplacer tout un parcours")
    what.add_argument("--swap", type=_key, nargs=2, metavar="PARCOURS:N", help="échanger deux séances")
    what.add_argument("--add", metavar="COMMUNE", help="ajouter une séance dans cette commune (nom ou code)")
    what.add_argument(
        "--lock", nargs="+", metavar="PARCOURS[:N]", help="verrouiller des séances (tout le parcours sans :N)"
    )
    what.add_argument(
        "--unlock",
        nargs="+",
        metavar="PARCOURS[:N]",
        help="déverrouiller des séances, pour pouvoir les déplacer de nouveau (tout le parcours sans :N)",
    )
    p.add_argument("--date", type=_day, help="nouvelle date (--move) ou date de la séance ajoutée (--add)")
    p.add_argument("--start", type=_clock, help="nouvelle heure de début (HH:MM)")
    p.add_argument("--host", help="nouvelle commune d'accueil (nom ou code INSEE)")
    p.add_argument(
        "--whole-series",
        action="store_true",
        help="avec --move : tout le parcours suit (--host : même commune ; --start : même heure chaque semaine)",
    )
    p.add_argument("--days", type=int, default=0, help="avec --move-series : décalage en jours (± N)")
    p.add_argument("--resource", help="avec --add : moyen itinérant (défaut : le premier du plan)")
    p.add_argument("--series", help="avec --add : ajouter la séance à ce parcours (défaut : séance isolée)")
    p.add_argument("--accept", action="store_true", help="accepter quand même les préférences enfreintes")
    p.add_argument("--by", default="", help="qui accepte (noté dans le plan)")
    p.add_argument("--out", required=True, help="plan JSON modifié à écrire")
    p.set_defaults(func=run)


def plan_problem(plan: Plan) -> PlanningProblem:
    """The problem ``plan`` answers, from its file alone: its territory, resources, season, rules,
    locks, accepted exceptions, and the requests, need weights and need factors it records."""
    from planner.realised.proposals import Adjustments

    territory = read_path(load_territory, plan.territory_spec)
    matrix = territory_matrix(territory)
    weights = NeedWeights(**dict(plan.inputs.need_weights)) if plan.inputs.need_weights else NeedWeights()
    needs = Adjustments(plan.inputs.need_factors).apply_needs(compute_need(territory, weights, matrix))
    codes = set(territory.codes)
    return PlanningProblem(
        territory=territory,
        needs=needs,
        matrix=matrix,
        resources=plan.resources,
        season=plan.season,
        rules=plan.rules,
        requests=tuple(q for q in plan.inputs.requests if q.code_insee in codes),
        locked=tuple(s for s in plan.sessions if s.locked),
        requests_only=plan.inputs.requests_only,
        accepted=tuple(plan.accepted),
    )


def _commune(problem: PlanningProblem, text: str) -> str:
    """The INSEE code of a commune of the territory named by its code or its name."""
    from planner.tours.load import plain_name

    found = [
        c.code_insee
        for c in problem.territory.communes
        if text == c.code_insee or plain_name(text) == plain_name(c.name)
    ]
    if not found:
        raise InputError(f"commune inconnue dans le territoire : « {text} »")
    return found[0]


def edit(plan: Plan, problem: PlanningProblem, args: argparse.Namespace) -> Adjustment:
    """The edit the arguments describe, checked against every rule."""
    host = None if args.host is None else _commune(problem, args.host)
    if args.move is not None:
        if args.date is None and args.start is None and host is None:
            raise InputError("--move : donnez --date, --start ou --host")
        return move_session(
            plan,
            problem,
            args.move,
            new_date=args.date,
            new_start=args.start,
            new_host=host,
            whole_series=args.whole_series,
            series_times=args.whole_series,  # as « Ajuster »: a series keeps one time slot
        )
    if args.move_series is not None:
        return move_series(
            plan, problem, args.move_series, days=args.days, new_start=args.start, new_host=host
        )
    if args.swap is not None:
        return swap_sessions(plan, problem, *args.swap)
    if args.date is None or args.start is None:
        raise InputError("--add : donnez --date et --start de la séance ajoutée")
    resource = args.resource or (plan.resources[0].id if plan.resources else "")
    return add_session(
        plan,
        problem,
        host=_commune(problem, args.add),
        resource=resource,
        day=args.date,
        start=args.start,
        series_id=args.series,
    )


def _keys(plan: Plan, texts: list[str]) -> set[SessionKey]:
    """The sessions named ``PARCOURS:N``, or every session of ``PARCOURS``."""
    out: set[SessionKey] = set()
    for text in texts:
        series, _, number = text.rpartition(":")
        if series and number.isdigit():
            out.add((series, int(number)))
            continue
        mine = {(s.series, s.index) for s in plan.sessions if s.series == text}
        if not mine:
            raise InputError(f"parcours introuvable dans le plan : « {text} »")
        out |= mine
    return out


def _write(plan: Plan, path: str) -> None:
    save_plan(plan, path)
    print(f"Plan écrit dans {path}")


def run(args: argparse.Namespace) -> int:
    """Edit, check, and write the plan when the rules (or the coordinator's --accept) allow it."""
    plan = load_plan(args.plan)
    if args.lock or args.unlock:
        # a moved session is locked: without --unlock the command line could never move it again
        keys = _keys(plan, args.lock or args.unlock)
        _write(set_locked(plan, keys, locked=bool(args.lock)), args.out)
        word = "verrouillée(s)" if args.lock else "déverrouillée(s)"
        print(f"{len(keys)} séance(s) {word}.")
        return 0
    adj = edit(plan, plan_problem(plan), args)
    if adj.hard:
        raise InputError(refusal(adj.hard))  # nothing written, whatever --accept says
    if adj.standing:  # the plan broke them before the edit: they do not block it (Adjustment.standing)
        print(
            f"Le plan enfreignait déjà {len(adj.standing)} règle(s) qu'on ne peut pas accepter ; cette "
            "modification n'y change rien (déplacez la séance en cause ou replanifiez) :"
        )
        print("\n".join(f"  {v.message}" for v in adj.standing))
    if not adj.soft:
        edited = set_locked(adj.plan, adj.changed)
        said = "respecte toutes les règles" if adj.ok else "n'enfreint aucune autre règle"
        print(f"Cette modification {said} ; les séances modifiées sont verrouillées.")
    else:
        print(f"Cette modification enfreint {len(adj.soft)} règle(s) :")
        print("\n".join(f"  {v.message}" for v in adj.soft))
        if not args.accept:
            raise InputError("rien n'est écrit : relancez avec --accept pour accepter quand même")
        edited = accept(adj, by=args.by)
        print(f"{len(adj.soft)} exception(s) acceptée(s), notées dans le plan.")
    _write(edited, args.out)
    return 0
