"""``python -m planner access link|revoke|list|password`` — communes' personal links and passwords."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import tomllib
from pathlib import Path

from sqlalchemy import Engine

from planner.errors import AccessDenied, InputError
from planner.store import access
from planner.store.db import open_store

# Where Streamlit looks for secrets (an ``[auth]`` section there turns on OIDC sign-in).
SECRETS_FILES = (Path(".streamlit") / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml")


def _actor(args: argparse.Namespace) -> str:
    return args.actor or f"cli:{getpass.getuser()}"


def _oidc_configured() -> bool:
    for path in SECRETS_FILES:
        try:
            if "auth" in tomllib.loads(path.read_text(encoding="utf-8")):
                return True
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
    return False


def dashboard_signs_in(engine: Engine) -> bool:
    """True when the dashboard asks the coordination to sign in (a password or an OIDC provider).

    Otherwise it runs in local mode, where whoever reaches it is the coordination.
    """
    return bool(
        os.environ.get(access.COORDINATOR_PASSWORD_ENV)
        or access.has_password(engine, "coordinator")
        or _oidc_configured()
    )


def cmd_link(args: argparse.Namespace) -> int:
    """Create a commune's personal link and print its URL (shown only once).

    Refused in local mode, as the dashboard refuses it: a commune removing the token from its link
    would reach a dashboard where every visitor is the coordination.
    """
    base_url = args.base_url or os.environ.get("ALLER_VERS_BASE_URL", "") or access.DEFAULT_BASE_URL
    engine = open_store()
    if not dashboard_signs_in(engine):
        raise AccessDenied(
            "mode local : aucun mot de passe de coordination n'est défini, aucun lien de commune ne peut "
            "être créé (sans mot de passe, quiconque atteint le tableau de bord a les droits de la "
            "coordination). Définissez-le d'abord : python -m planner access password"
        )
    link = access.create_commune_link(
        engine, args.code_insee, _actor(args), expires_days=args.expires_days, base_url=base_url
    )
    print(link.url)
    print(
        f"Lien n° {link.link_id} pour la commune {link.code_insee}, valable jusqu'au "
        f"{link.expires_at:%d/%m/%Y}. Transmettez-le à la mairie : il ne pourra plus être affiché.",
        file=sys.stderr,
    )
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    """Revoke one link (``--link ID``) or every link of a commune."""
    engine = open_store()
    if args.link is not None:
        access.revoke_link(engine, args.link, _actor(args))
        print(f"Lien n° {args.link} révoqué.")
        return 0
    if not args.code_insee:
        raise InputError("indiquez un code INSEE ou --link ID")
    n = access.revoke_commune_links(engine, args.code_insee, _actor(args))
    print(f"{n} lien(s) révoqué(s) pour la commune {args.code_insee}.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """List links (never their tokens)."""
    states = {"active": "actif", "expired": "expiré", "revoked": "révoqué"}
    links = access.list_links(open_store(), args.code_insee)
    if not links:
        print("Aucun lien.")
    for link in links:
        print(
            f"{link.link_id:>5}  {link.code_insee}  {states[link.state()]:<8} "
            f"expire le {link.expires_at:%d/%m/%Y}  créé par {link.created_by}"
        )
    return 0


def cmd_password(args: argparse.Namespace) -> int:
    """Set the coordinator's (or funder's) password, read from the terminal or stdin."""
    if sys.stdin.isatty():
        first = getpass.getpass("Nouveau mot de passe : ")
        if getpass.getpass("Confirmez : ") != first:
            raise InputError("les deux saisies diffèrent")
    else:
        first = sys.stdin.readline().rstrip("\n")
    access.set_password(open_store(), args.role, first, _actor(args))
    print(f"Mot de passe « {access.ROLE_LABELS[args.role]} » enregistré (haché).")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``access`` and its sub-commands to the CLI."""
    parser = subparsers.add_parser("access", help="liens personnels des communes, mots de passe")
    sub = parser.add_subparsers(dest="access_command", required=True)

    p = sub.add_parser("link", help="créer le lien personnel d'une commune et afficher son adresse")
    p.add_argument("code_insee")
    p.add_argument("--expires-days", type=int, default=access.DEFAULT_LINK_DAYS, help="validité (jours)")
    p.add_argument(
        "--base-url", default="", help=f"adresse du tableau de bord (défaut {access.DEFAULT_BASE_URL})"
    )
    p.add_argument("--actor", default="")
    p.set_defaults(func=cmd_link)

    p = sub.add_parser("revoke", help="révoquer les liens d'une commune, ou un lien (--link)")
    p.add_argument("code_insee", nargs="?")
    p.add_argument("--link", type=int, help="numéro du lien")
    p.add_argument("--actor", default="")
    p.set_defaults(func=cmd_revoke)

    p = sub.add_parser("list", help="lister les liens (sans les jetons)")
    p.add_argument("code_insee", nargs="?")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("password", help="définir le mot de passe de la coordination ou des financeurs")
    p.add_argument("--role", choices=["coordinator", "funder"], default="coordinator")
    p.add_argument("--actor", default="")
    p.set_defaults(func=cmd_password)
