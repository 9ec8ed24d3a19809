"""Telling host communes their dates: who must be told after a change, the text, the e-mail.

After a plan version is saved, a commune must hear from the coordination when its dates are
new (first plan), when they changed since the version it was last told of, when its sessions
were cancelled, or when its request cannot be served this season (with the true reason, from
the plan's ``unserved``). :func:`communes_to_notify` finds them, :func:`commune_notice` writes
the message (an e-mail body to copy, in plain French) and :func:`send_notice` sends it through
SMTP when the dashboard is configured for it (:func:`smtp_settings`, settings in the
environment or the Streamlit secrets, see the README).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from planner.errors import InputError
from planner.french import french_date, french_time
from planner.model import Plan, Session, Unserved
from planner.rules.diff import by_commune

SMTP_TIMEOUT_S = 20


@dataclass(frozen=True)
class Notice:
    """A message for one commune: why it is due, the subject and the body."""

    code_insee: str
    commune: str
    why: str
    subject: str
    body: str


def _sessions_at(plan: Plan | None, code: str) -> list[Session]:
    if plan is None:
        return []
    return sorted((s for s in plan.sessions if s.host == code), key=lambda s: (s.date, s.start))


def _slots(sessions: Iterable[Session]) -> set[tuple]:
    return {(s.resource, s.date, s.start, s.end) for s in sessions}


def _unserved(plan: Plan, code: str) -> Unserved | None:
    return next((u for u in plan.unserved if u.code_insee == code), None)


def why_notify(code: str, plan: Plan, told: Plan | None, requested: bool) -> str | None:
    """Why commune ``code`` must hear from the coordination about ``plan``, or ``None``.

    ``told`` is the version it was last told of (``None``: never), ``requested`` whether it has
    a request for this season.
    """
    now, before = _sessions_at(plan, code), _sessions_at(told, code)
    if now and told is None:
        return "ses dates, pour la première fois"
    if now and _slots(now) != _slots(before):
        return "ses dates ont changé" if before else "de nouvelles dates"
    if not now and before:
        return "ses séances sont annulées"
    if not now and requested and told is None and _unserved(plan, code) is not None:
        return "sa demande ne peut pas être servie cette saison"
    return None


def communes_to_notify(
    plan: Plan, told: Mapping[str, Plan | None], requested: Iterable[str] = ()
) -> dict[str, str]:
    """``code_insee -> why`` for every commune to tell (:func:`why_notify`), in plan order.

    ``told`` maps a commune to the version it was last told of (absent: never told).
    """
    asked = set(requested)
    codes = list(dict.fromkeys([s.host for s in sorted(plan.sessions, key=lambda s: (s.date, s.start))]))
    codes += [c for c in sorted(set(told) | asked) if c not in codes]
    out: dict[str, str] = {}
    for code in codes:
        why = why_notify(code, plan, told.get(code), code in asked)
        if why:
            out[code] = why
    return out


def _line(s: Session, resources: Mapping[str, str]) -> str:
    who = resources.get(s.resource, "")
    return f"- {french_date(s.date)}, de {french_time(s.start)} à {french_time(s.end)}" + (
        f" ({who})" if who else ""
    )


def commune_notice(
    code: str,
    plan: Plan,
    told: Plan | None,
    *,
    names: Mapping[str, str],
    venue: str = "",
    signature: str = "La coordination de la médiation numérique itinérante",
) -> Notice:
    """The message for commune ``code`` about ``plan`` (what changed since ``told`` first).

    Parameters
    ----------
    code, plan, told
        The commune, the plan in force, the version the commune was last told of (or ``None``).
    names
        ``code_insee -> commune name``.
    venue
        Where the sessions take place (from the commune's request), if known.
    signature
        The last line of the message.
    """
    name = names.get(code, code)
    resources = {r.id: r.name for r in plan.resources}
    now = _sessions_at(plan, code)
    why = why_notify(code, plan, told, True) or "rappel de ses dates"
    lines = ["Madame, Monsieur,", ""]
    if now:
        subject = f"Ateliers numériques à {name} : vos dates"
        if told is not None and _sessions_at(told, code):
            changes = by_commune(told, plan, names).get(code)
            if changes is not None and changes.changed:
                subject = f"Ateliers numériques à {name} : vos dates ont changé"
                lines += ["Le calendrier des ateliers a changé :", *[f"- {x}" for x in changes.lines], ""]
        lines += [f"Voici les {len(now)} séances prévues à {name}" + (f" ({venue})" if venue else "") + " :"]
        lines += [_line(s, resources) for s in now]
        lines += [
            "",
            "Merci de réserver la salle et de faire connaître ces ateliers (affiche et calendrier à "
            "télécharger dans votre espace commune). Les habitants s'inscrivent auprès de vous.",
        ]
    else:
        before = _sessions_at(told, code)
        u = _unserved(plan, code)
        subject = f"Ateliers numériques à {name} : votre demande"
        if before:
            subject = f"Ateliers numériques à {name} : séances annulées"
            lines += ["Les séances suivantes n'auront pas lieu :", *[_line(s, resources) for s in before], ""]
        if u is not None:
            lines += [
                f"Nous ne pouvons pas organiser d'ateliers à {name} cette saison : {u.reason.rstrip('.')}.",
                f"Ce qui permettrait de venir : {u.what_would_help.rstrip('.')}."
                if u.what_would_help
                else "",
                "Votre demande reste enregistrée : nous la reprendrons pour la prochaine saison et vous "
                "recontacterons.",
            ]
        else:
            lines += ["Votre commune n'accueille pas de séance dans le plan actuel de la saison."]
    lines += ["", "Bien cordialement,", signature]
    body = "\n".join(x for x in lines if x is not None)
    return Notice(code, name, why, subject, body.replace("\n\n\n", "\n\n"))


# ------------------------------------------------------------------------------------ SMTP
@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send e-mails (``starttls`` on port 587, implicit TLS with ``ssl``)."""

    host: str
    port: int = 587
    user: str = ""
    password: str = ""
    sender: str = ""
    starttls: bool = True
    ssl: bool = False


SMTP_KEYS = ("smtp_host", "smtp_port", "smtp_user", "smtp_password", "smtp_from", "smtp_starttls", "smtp_ssl")


def smtp_settings(get: Callable[[str], str | None]) -> SmtpSettings | None:
    """SMTP settings read through ``get(name)`` (names of :data:`SMTP_KEYS`; e.g. the environment
    as ``ALLER_VERS_SMTP_HOST`` or the secrets' ``[aller_vers]`` section), or ``None`` when no host
    is configured.

    Raises
    ------
    InputError
        A port that is not a number, or no sender address.
    """
    host = (get("smtp_host") or "").strip()
    if not host:
        return None
    port_text = (get("smtp_port") or "").strip()
    try:
        port = int(port_text) if port_text else 587
    except ValueError:
        raise InputError(f"port SMTP invalide « {port_text} » : un nombre est attendu (587, 465…)") from None
    sender = (get("smtp_from") or get("smtp_user") or "").strip()
    if "@" not in sender:
        raise InputError(
            "adresse d'expéditeur SMTP manquante : renseignez smtp_from (ex. coordination@pays.fr)"
        )

    def flag(name: str, default: bool) -> bool:
        text = (get(name) or "").strip().lower()
        return default if not text else text in ("1", "true", "oui", "yes", "vrai")

    return SmtpSettings(
        host=host,
        port=port,
        user=(get("smtp_user") or "").strip(),
        password=get("smtp_password") or "",
        sender=sender,
        starttls=flag("smtp_starttls", port != 465),
        ssl=flag("smtp_ssl", port == 465),
    )


def send_notice(
    notice: Notice,
    to: str,
    settings: SmtpSettings,
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> None:
    """Send ``notice`` to ``to`` with optional attachments ``(file name, bytes, MIME type)``.

    Raises
    ------
    InputError
        No valid address, or the server refused or could not be reached (French message).
    """
    to = (to or "").strip()
    if "@" not in to:
        raise InputError(f"pas d'adresse électronique pour {notice.commune} : copiez le message à la place")
    msg = EmailMessage()
    msg["Subject"] = notice.subject
    msg["From"] = settings.sender
    msg["To"] = to
    msg.set_content(notice.body)
    for name, data, mime in attachments:
        main, _, sub = mime.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub or "octet-stream", filename=name)
    try:
        if settings.ssl:
            server = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=SMTP_TIMEOUT_S, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_S)
        with server:
            if settings.starttls and not settings.ssl:
                server.starttls(context=ssl.create_default_context())
            if settings.user:
                server.login(settings.user, settings.password)
            server.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise InputError(
            f"le courriel pour {notice.commune} n'est pas parti (serveur {settings.host}:{settings.port} : "
            f"{type(exc).__name__}) — copiez le message à la place"
        ) from exc
