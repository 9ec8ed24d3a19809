"""``python -m planner publish PLAN.json | --list | --moyen ID | --commune-jeton JETON`` — the calendars.

Publishing a plan stores it as a plan version and makes it the one every subscribed calendar shows
(one per host commune, one per resource); earlier publications tell the calendars which sessions
moved or were cancelled. ``--moyen`` creates a resource's feed link for its team; ``--commune-jeton``
prints the calendar address of the commune whose personal link has that token.
"""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path

from planner.errors import InputError
from planner.plan_json import load_plan
from planner.store import publications as pub
from planner.store.access import DEFAULT_BASE_URL
from planner.store.db import open_store
from planner.store.workspace import save_version


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``publish`` sub-command."""
    p = subparsers.add_parser(
        "publish",
        help="publier un plan dans les calendriers des communes et des moyens (abonnements)",
        description="Publie un plan : les calendriers auxquels communes et équipes sont abonnées "
        "(adresse /calendrier/JETON.ics du tableau de bord) montrent désormais ce plan, avec les "
        "séances déplacées et annulées depuis la publication précédente.",
    )
    p.add_argument("plan", nargs="?", type=Path, help="fichier JSON du plan à publier")
    p.add_argument("--label", default="", help="nom de la version publiée (défaut : nom du fichier)")
    p.add_argument("--list", action="store_true", help="lister les publications")
    p.add_argument(
        "--moyen", metavar="ID", help="créer le lien d'abonnement du calendrier d'un moyen itinérant"
    )
    p.add_argument(
        "--commune-jeton", metavar="JETON", help="adresse du calendrier d'une commune (jeton de son lien)"
    )
    p.add_argument("--base-url", default="", help="adresse du tableau de bord (défaut : ALLER_VERS_BASE_URL)")
    p.add_argument("--actor", default="", help="nom inscrit au journal (défaut : cli:<utilisateur>)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Publish, list, or print a feed address."""
    engine = open_store()
    actor = args.actor or f"cli:{getpass.getuser()}"
    base = args.base_url or os.environ.get("ALLER_VERS_BASE_URL", "") or DEFAULT_BASE_URL
    if args.list:
        for p in pub.list_publications(engine):
            print(
                f"{p.published_at:%d/%m/%Y %H:%M}  version n° {p.plan_version_id}  « {p.label} »  {p.n_sessions} séances"
            )
        return 0
    if args.moyen:
        _, url = pub.create_resource_feed(engine, args.moyen, actor, base_url=base)
        print(url)
        print(pub.webcal(url))
        return 0
    if args.commune_jeton:
        print(pub.feed_url(pub.commune_feed_token(engine, args.commune_jeton), base))
        return 0
    if args.plan is None:
        raise InputError("indiquez le plan à publier (fichier JSON), ou --list, --moyen, --commune-jeton")
    plan = load_plan(args.plan)
    version = save_version(engine, plan, args.label or args.plan.name, actor)
    pub.publish_plan_version(engine, version, actor)
    print(
        f"Plan publié (version n° {version}, {len(plan.sessions)} séances) : les calendriers abonnés "
        "se mettront à jour à leur prochaine consultation."
    )
    return 0
