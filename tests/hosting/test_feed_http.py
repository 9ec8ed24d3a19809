"""The calendar feeds over real HTTP: ``serve.py`` started as ``make run`` does, fetched like a
calendar client would (GET and HEAD), read back with icalendar."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import icalendar
import pytest

from devtools.served_app import served_app
from planner.plan_json import load_plan
from planner.store import publications as pub
from planner.store import workspace
from planner.store.access import Actor, create_commune_link, revoke_link
from planner.store.db import dispose_engine, open_store

COORD = Actor("coordinator", "claire")
PLAN = load_plan(Path(__file__).resolve().parents[1] / "data" / "plan_vierzon_petit.json")


def fetch(url: str, method: str = "GET") -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The served app on a database holding one published plan, a commune link and a team feed."""
    workdir = tmp_path_factory.mktemp("feeds")
    db = f"sqlite:///{workdir / 'aller-vers.sqlite'}"
    engine = open_store(db)
    link = create_commune_link(engine, "18140", COORD)
    tokens = {
        "massay": pub.commune_feed_token(engine, link.token),
        "bus": pub.create_resource_feed(engine, "bus", COORD)[0],
    }
    pub.publish_plan_version(engine, workspace.save_version(engine, PLAN, "v1", "claire"), COORD)
    with served_app(workdir) as url:
        yield url, engine, link, tokens
    dispose_engine(db)


def test_a_commune_subscribes_and_sees_its_published_sessions(served):
    url, _, _, tokens = served
    status, headers, body = fetch(f"{url}/calendrier/{tokens['massay']}.ics")
    assert status == 200 and headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["x-wr-calname"]) == "Ateliers numériques – Massay"
    uids = {str(e["uid"]) for e in cal.walk("VEVENT")}
    assert uids == {f"{s.uid}@aller-vers" for s in PLAN.sessions if s.host == "18140"}
    head_status, _head_headers, head_body = fetch(f"{url}/calendrier/{tokens['massay']}.ics", "HEAD")
    assert head_status == 200 and head_body == b""


def test_republishing_updates_the_subscribed_calendar(served):
    url, engine, _, tokens = served
    dropped = PLAN.sessions[-1]
    smaller = replace(PLAN, sessions=PLAN.sessions[:-1])
    pub.publish_plan_version(engine, workspace.save_version(engine, smaller, "v2", "claire"), COORD)
    status, _, body = fetch(f"{url}/calendrier/{tokens['bus']}.ics")
    assert status == 200
    by_uid = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert str(by_uid[f"{dropped.uid}@aller-vers"]["status"]) == "CANCELLED"
    assert len(by_uid) == len(PLAN.sessions)


def test_unknown_token_and_revoked_link_are_refused_in_french(served):
    url, engine, link, tokens = served
    status, _, body = fetch(f"{url}/calendrier/inconnu.ics")
    assert status == 403 and "Accès refusé" in body.decode()
    status, _, _ = fetch(f"{url}/calendrier/{link.token}.ics")  # the personal link opens no feed
    assert status == 403
    revoke_link(engine, link.link_id, COORD)
    status, _, body = fetch(f"{url}/calendrier/{tokens['massay']}.ics")
    assert status == 403 and "révoqué" in body.decode()
    # the dashboard itself is still served by the same server
    assert fetch(f"{url}/_stcore/health")[2] == b"ok"
