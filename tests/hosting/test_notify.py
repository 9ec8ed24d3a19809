"""Telling communes their dates: who is due, the French message, the e-mail through SMTP.

Plans drawn by hand: one bus; Alpha (18001) holds a series of three Tuesdays, Bêta (18002)
asked for a visit and is left out (its reason is in the plan's ``unserved``).
"""

from __future__ import annotations

import socketserver
import threading
from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from planner.errors import InputError
from planner.hosting.notify import (
    SmtpSettings,
    commune_notice,
    communes_to_notify,
    send_notice,
    smtp_settings,
    why_notify,
)
from planner.model import Plan, PlanMetrics, Resource, Rules, Season, Series, Session, Unserved

A, B, BASE = "18001", "18002", "18003"
NAMES = {A: "Alpha", B: "Bêta", BASE: "Base"}
TUE = date(2027, 1, 5)


def plan_with(sessions, unserved=()) -> Plan:
    return Plan(
        territory_spec="test",
        season=Season(date(2027, 1, 4), date(2027, 3, 26)),
        rules=Rules(sessions_per_series=3),
        resources=(Resource("bus-1", "bus", 12, BASE, label="Bus numérique"),),
        series=(Series("S01", A, "bus-1", 8, {A: 8}),),
        sessions=tuple(sessions),
        routes=(),
        unserved=tuple(unserved),
        metrics=PlanMetrics("OPTIMAL", 1.0, 1.0, 0.0, 0.1, 10.0, 8.0, 8, 8, len(sessions), 0.0, 0.0),
    )


SERIES = [
    Session("S01", k, "bus-1", A, TUE + timedelta(weeks=k - 1), time(9, 30), time(12, 30), uid=f"u{k}")
    for k in (1, 2, 3)
]
LEFT_OUT = Unserved(
    B, 9.0, "aucun jour possible de Bêta n'est un jour de tournée du bus", "accueillir le mardi", "Bêta", "D7"
)
PLAN = plan_with(SERIES, [LEFT_OUT])


def test_who_must_be_told_and_why():
    assert why_notify(A, PLAN, None, False) == "ses dates, pour la première fois"
    assert why_notify(A, PLAN, PLAN, False) is None  # told of these very dates
    moved = plan_with([*SERIES[:2], replace(SERIES[2], date=SERIES[2].date + timedelta(weeks=1))], [LEFT_OUT])
    assert why_notify(A, moved, PLAN, False) == "ses dates ont changé"
    assert why_notify(A, plan_with([], [LEFT_OUT]), PLAN, False) == "ses séances sont annulées"
    assert why_notify(B, PLAN, None, True) == "sa demande ne peut pas être servie cette saison"
    assert why_notify(B, PLAN, None, False) is None  # no request: nothing to tell
    assert communes_to_notify(PLAN, {}, requested=[B]) == {
        A: "ses dates, pour la première fois",
        B: "sa demande ne peut pas être servie cette saison",
    }
    assert communes_to_notify(PLAN, {A: PLAN, B: PLAN}, requested=[B]) == {}


def test_the_first_message_lists_the_dates_in_french():
    notice = commune_notice(A, PLAN, None, names=NAMES, venue="Salle des fêtes")
    assert notice.subject == "Ateliers numériques à Alpha : vos dates"
    assert "Voici les 3 séances prévues à Alpha (Salle des fêtes) :" in notice.body
    assert "- mardi 5 janvier 2027, de 9 h 30 à 12 h 30 (Bus numérique)" in notice.body
    assert "S01" not in notice.body and "bus-1" not in notice.body


def test_a_changed_date_is_said_before_the_new_list():
    later = replace(SERIES[2], date=SERIES[2].date + timedelta(weeks=1), sequence=1)
    notice = commune_notice(A, plan_with([*SERIES[:2], later]), PLAN, names=NAMES)
    assert notice.subject == "Ateliers numériques à Alpha : vos dates ont changé"
    assert (
        "- Déplacée : Alpha, séance 3 : du mardi 19 janvier 2027 à 9 h 30 au mardi 26 janvier 2027 à 9 h 30"
        in notice.body
    )


def test_a_commune_left_out_is_told_the_true_reason_and_what_next():
    notice = commune_notice(B, PLAN, None, names=NAMES)
    assert notice.subject == "Ateliers numériques à Bêta : votre demande"
    assert "aucun jour possible de Bêta n'est un jour de tournée du bus" in notice.body
    assert "Ce qui permettrait de venir : accueillir le mardi." in notice.body
    assert "Votre demande reste enregistrée" in notice.body
    cancelled = commune_notice(A, plan_with([], [LEFT_OUT]), PLAN, names=NAMES)
    assert cancelled.subject.endswith("séances annulées") and "n'auront pas lieu" in cancelled.body


# ---------------------------------------------------------------------------------- SMTP
def test_smtp_settings_come_from_a_getter_and_are_checked():
    env = {"smtp_host": "smtp.pays.fr", "smtp_from": "coordination@pays.fr"}
    assert smtp_settings(env.get) == SmtpSettings(
        "smtp.pays.fr", 587, "", "", "coordination@pays.fr", True, False
    )
    assert smtp_settings({}.get) is None
    assert smtp_settings({**env, "smtp_port": "465"}.get).ssl is True
    with pytest.raises(InputError, match="port SMTP invalide"):
        smtp_settings({**env, "smtp_port": "vingt"}.get)
    with pytest.raises(InputError, match="adresse d'expéditeur"):
        smtp_settings({"smtp_host": "smtp.pays.fr"}.get)


class _Smtp(socketserver.StreamRequestHandler):
    """The few SMTP verbs smtplib uses, enough to receive one message."""

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go\r\n")
                data = []
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data.append(chunk)
                self.server.received.append(b"".join(data))
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def test_a_notice_is_sent_through_smtp_with_its_attachment():
    server = socketserver.TCPServer(("127.0.0.1", 0), _Smtp)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings = SmtpSettings(
            "127.0.0.1", server.server_address[1], sender="coordination@pays.fr", starttls=False
        )
        notice = commune_notice(A, PLAN, None, names=NAMES)
        send_notice(
            notice, "mairie@alpha.fr", settings, [("calendrier.ics", b"BEGIN:VCALENDAR", "text/calendar")]
        )
    finally:
        server.shutdown()
        server.server_close()
    (raw,) = server.received
    text = raw.decode("utf-8", "replace")
    assert "To: mairie@alpha.fr" in text and "calendrier.ics" in text
    assert "Subject: =?utf-8?" in text or "Subject: Ateliers" in text


def test_sending_without_address_or_server_says_so_in_french():
    settings = SmtpSettings("127.0.0.1", 1, sender="coordination@pays.fr", starttls=False)
    notice = commune_notice(A, PLAN, None, names=NAMES)
    with pytest.raises(InputError, match="pas d'adresse électronique pour Alpha"):
        send_notice(notice, "", settings)
    with pytest.raises(InputError, match="le courriel pour Alpha n'est pas parti"):
        send_notice(notice, "mairie@alpha.fr", settings)
