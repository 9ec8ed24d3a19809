"""Who is using the dashboard: sign-in, roles and the pages each role sees.

- **coordination**: password (``ALLER_VERS_COORDINATOR_PASSWORD`` or ``st.secrets``; only its argon2
  hash is stored, in the database) or the OIDC provider configured in ``[auth]`` of the secrets
  (``st.login``), for the e-mails (or ``@domaines``) listed in ``[aller_vers] coordinator_emails``
  only — without that list an OIDC account grants nothing. With no password and no provider at
  all, the app runs in *local single-user mode* as coordination, with a discreet warning — what a
  fresh ``make run`` gives (no commune link can be created then). Local mode answers only the
  machine it runs on (:mod:`ui.client`): any other visitor gets a French refusal and no data.
  Password sign-ins go through the database throttle (:mod:`planner.store.throttle`), per client
  address, and are written to the audit log.
- **commune**: opens its personal link ``…/?jeton=TOKEN``; sees only the Demandes page,
  for its own commune.
- **financeur**: ``ALLER_VERS_FUNDER_PASSWORD``, or a coordinator's "voir comme un financeur"
  switch; read-only pages, no contact data.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from datetime import date

import streamlit as st
from sqlalchemy import Engine

from planner.errors import AccessDenied, InputError
from planner.store import access, repo
from planner.store.db import open_store
from planner.store.throttle import UNKNOWN_CLIENT
from ui import client as ui_client

ENV_COORDINATOR = access.COORDINATOR_PASSWORD_ENV
ENV_FUNDER = "ALLER_VERS_FUNDER_PASSWORD"
# url_path of the pages each role may open ("" is the default page, Accueil); None = every page.
ROLE_PAGES: dict[str, frozenset[str] | None] = {
    "coordinator": None,
    "funder": frozenset({"", "territoire", "bilan"}),
    "commune": frozenset({"demandes"}),
}
_K_ROLE = "_auth_role"
_K_TOKEN = "_auth_token"
_K_FUNDER_VIEW = "_auth_view_as_funder"
_log = logging.getLogger(__name__)


_configured: set[tuple[str, str, str]] = set()
_configured_lock = threading.Lock()


_purged: set[tuple[str, date]] = set()


def store() -> Engine:
    """The app's database, migrated (one engine per URL for the whole process).

    Once a day per process, contact data past its retention period is erased
    (:func:`planner.store.repo.purge_expired_contacts`), and so are the sign-in counters of
    addresses that no longer count (:func:`planner.store.access.forget_old_sign_in_attempts`).
    """
    engine = open_store()
    key = (str(engine.url), date.today())
    with _configured_lock:
        due = key not in _purged
        _purged.add(key)
    if due:
        repo.purge_expired_contacts(engine, today=key[1], actor="rétention automatique")
        access.forget_old_sign_in_attempts(engine)  # visitors' addresses are kept no longer than useful
    return engine


def _secret(name: str) -> str | None:
    try:
        section = st.secrets.get("aller_vers", {})
        value = section.get(name.lower().removeprefix("aller_vers_")) or st.secrets.get(name)
    except Exception:  # no secrets.toml at all: Streamlit raises
        return None
    return str(value) if value else None


def _configured_password(env_name: str) -> str | None:
    return os.environ.get(env_name) or _secret(env_name)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def _sync_passwords(engine: Engine) -> None:
    """Write the configured passwords' hashes to the database once per process and value."""
    for role, env_name in (("coordinator", ENV_COORDINATOR), ("funder", ENV_FUNDER)):
        password = _configured_password(env_name)
        if not password:
            continue
        key = (str(engine.url), role, hashlib.sha256(password.encode()).hexdigest())
        with _configured_lock:
            if key in _configured:
                continue
        access.ensure_password(engine, role, password)
        with _configured_lock:
            _configured.add(key)


def local_mode(engine: Engine | None = None) -> bool:
    """True when no coordinator password nor OIDC provider exists: single-user local mode."""
    engine = engine or store()
    return not (
        _configured_password(ENV_COORDINATOR)
        or _oidc_configured()
        or access.has_password(engine, "coordinator")
    )


def _oidc_user_allowed() -> bool:
    """True when the OIDC user's e-mail is in ``[aller_vers] coordinator_emails``.

    Fails closed: with no list, nobody becomes coordinator through OIDC (a provider such as
    Google would otherwise let any account in). An entry ``"@domaine.fr"`` admits a whole domain;
    an e-mail the provider marks as not verified is refused.
    """
    try:
        if not st.user.is_logged_in:
            return False
        email = str(st.user.get("email") or "").strip().lower()
        verified = st.user.get("email_verified", True)
    except Exception:
        return False
    try:
        allowed = st.secrets.get("aller_vers", {}).get("coordinator_emails")
    except Exception:
        allowed = None
    if not allowed or "@" not in email or verified is False or str(verified).lower() == "false":
        return False
    if isinstance(allowed, str):
        allowed = [allowed]
    entries = {str(e).strip().lower() for e in allowed if str(e).strip()}
    return email in entries or "@" + email.rsplit("@", 1)[1] in entries


def _token_from_request() -> str | None:
    value = st.query_params.get(access.TOKEN_PARAM)
    if value is not None:
        st.session_state[_K_TOKEN] = value
        return value
    return st.session_state.get(_K_TOKEN)


def _signed_in_role(engine: Engine) -> str | None:
    """coordinator / funder / commune from this session's credentials, else None (raises on bad token)."""
    token = _token_from_request()
    if token is not None:
        st.session_state[_K_ROLE] = None
        actor = access.resolve_commune_token(engine, token)
        st.session_state["_auth_commune"] = actor.code_insee
        return "commune"
    st.session_state["_auth_commune"] = None
    role = st.session_state.get(_K_ROLE)
    if role in ("coordinator", "funder"):
        return role
    if _oidc_configured() and _oidc_user_allowed():
        return "coordinator"
    if local_mode(engine):
        return "coordinator"
    return None


def _base_role() -> str | None:
    try:
        return _signed_in_role(store())
    except AccessDenied:
        return None


def current_role() -> str:
    """``"coordinator"``, ``"commune"`` or ``"funder"`` for this session.

    A coordinator viewing as a funder is ``"funder"``; an anonymous visitor (never shown a page:
    the app asks them to sign in) counts as the least-privileged ``"funder"``.
    """
    role = _base_role()
    if role == "coordinator" and st.session_state.get(_K_FUNDER_VIEW):
        return "funder"
    return role or "funder"


def current_commune() -> str | None:
    """The INSEE code of the commune whose link opened this session, else ``None``."""
    return st.session_state.get("_auth_commune") if _base_role() == "commune" else None


def current_actor() -> access.Actor:
    """The :class:`~planner.store.access.Actor` of this session, for the repository functions.

    The session's credentials are resolved once here: a commune link revoked or expiring between
    two checks can never pair the commune role with a missing commune (which would read as "every
    commune"). Without valid credentials the actor is the least-privileged funder.
    """
    role = _base_role()
    if role == "commune":
        return access.Actor("commune", "lien personnel", st.session_state["_auth_commune"])
    if role == "coordinator" and st.session_state.get(_K_FUNDER_VIEW):
        role = "funder"
    if role == "coordinator":
        try:
            email = st.user.get("email") if st.user.is_logged_in else None
        except Exception:
            email = None
        return access.Actor("coordinator", email or "coordination")
    return access.Actor("funder", "financeur")


def session_owner() -> str:
    """Who this browser session belongs to (role and name, the commune of a link), for
    :func:`ui.workspace.scope_to`: when it changes, nothing of the previous user's session stays."""
    role = _base_role()
    if role is None:
        return "anonyme"
    actor = current_actor()
    return f"{role}:{actor.code_insee or actor.name}"


def require_role(*roles: str) -> str:
    """Stop the page with a French message unless the session's role is one of ``roles``."""
    role = current_role()
    if role not in roles:
        labels = ", ".join(access.ROLE_LABELS[r] for r in roles)
        st.error(f"Accès refusé : cette page est réservée à : {labels}.")
        st.stop()
    return role


def _login_form(engine: Engine) -> None:
    with st.form("login", clear_on_submit=True):
        password = st.text_input("Mot de passe", type="password")
        submitted = st.form_submit_button("Se connecter")
    if submitted:
        address = ui_client.current_client().address
        try:
            role = access.sign_in(engine, password, address if address is not None else UNKNOWN_CLIENT)
        except AccessDenied as exc:
            st.error(f"Connexion refusée : {exc}.")
            return
        if role is None:
            st.error("Mot de passe incorrect.")
        else:
            st.session_state[_K_ROLE] = role
            st.rerun()
    if _oidc_configured() and st.button("Se connecter avec le compte de l'organisme"):
        st.login()


def login_page() -> None:
    """The only page of an anonymous visitor: sign-in."""
    st.title("Aller-vers — connexion")
    st.write(
        "Cet espace est réservé à la coordination du dispositif et à ses financeurs. "
        "Les communes accèdent à leurs demandes par le lien personnel reçu de la coordination."
    )
    _login_form(store())


def local_mode_refusal() -> None:
    """The whole page a visitor from another machine gets in local mode: no data, no navigation."""
    st.title("Aller-vers — accès refusé")
    st.error(
        "Ce tableau de bord fonctionne en mode local, sans mot de passe : il ne répond qu'à "
        "l'ordinateur qui l'héberge. Pour l'ouvrir depuis le réseau, la coordination doit d'abord "
        "définir un mot de passe de coordination."
    )


def _logout() -> None:
    st.session_state[_K_ROLE] = None
    st.session_state[_K_FUNDER_VIEW] = False


def auth_sidebar() -> str | None:
    """Resolve who is here and draw the sidebar's sign-in block; return the role (None = anonymous).

    A bad commune link (missing, expired, revoked or modified token) shows its French message and
    stops the app: nothing else is displayed.
    """
    engine = store()
    try:
        _sync_passwords(engine)
    except InputError as exc:  # e.g. the same password configured for both roles: fail closed
        st.error(f"Configuration des mots de passe refusée — {exc}.")
        st.stop()
    if local_mode(engine):
        visitor = ui_client.current_client()
        if not visitor.loopback:
            # Without a password every visitor would be the coordination: only this machine is.
            _log.warning("local mode: refused a visitor that is not this machine (%s)", visitor.address)
            local_mode_refusal()
            st.stop()
    try:
        role = _signed_in_role(engine)
    except AccessDenied as exc:
        st.session_state.pop(_K_TOKEN, None)
        st.error(f"Accès refusé — {exc}")
        st.stop()
    with st.sidebar:
        if role == "commune":
            st.caption(f"Espace commune · code INSEE {st.session_state['_auth_commune']}")
        elif role == "coordinator":
            if local_mode(engine):
                st.caption(
                    "⚠️ Mode local mono-utilisateur : aucun mot de passe de coordination n'est défini "
                    f"({ENV_COORDINATOR}). N'ouvrez pas ce tableau de bord sur un réseau."
                )
            else:
                st.caption("Connecté : coordination")
            st.toggle(
                "Voir comme un financeur", key=_K_FUNDER_VIEW, help="Vue en lecture seule, sans coordonnées"
            )
        elif role == "funder":
            st.caption("Connecté : financeur (lecture seule)")
        if role in ("coordinator", "funder") and st.session_state.get(_K_ROLE):
            st.button("Se déconnecter", on_click=_logout)
        try:
            oidc_session = role == "coordinator" and _oidc_configured() and st.user.is_logged_in
        except Exception:
            oidc_session = False
        if oidc_session and st.button("Se déconnecter (compte de l'organisme)"):
            st.logout()
    if role == "coordinator" and st.session_state.get(_K_FUNDER_VIEW):
        return "funder"
    return role


def pages_for_role(pages: Sequence[st.Page], role: str | None) -> list[st.Page]:
    """The pages ``role`` may see; an anonymous visitor gets only the sign-in page."""
    if role is None:
        return [st.Page(login_page, title="Connexion", icon=":material/key:", url_path="connexion")]
    allowed = ROLE_PAGES[role]
    return [p for p in pages if allowed is None or p.url_path in allowed]
