"""Publishing the tour to the calendar feeds, and the feed links — both backends."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest

from planner.errors import AccessDenied, InputError
from planner.hosting.feed_server import feed_bytes
from planner.plan_json import load_plan
from planner.store import publications as pub
from planner.store import workspace
from planner.store.access import Actor, create_commune_link, revoke_link
from planner.store.audit import audit_entries
from planner.store.models import utcnow

COORD = Actor("coordinator", "claire")
DATA = Path(__file__).resolve().parents[1] / "data"
PLAN = load_plan(DATA / "plan_vierzon_petit.json")  # Massay 18140, Thénioux 18263, Pierrefitte 41176


def events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["uid"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_publish_then_republish_gives_the_current_plan_and_the_earlier_ones(engine):
    assert pub.published_plans(engine) is None
    v1 = workspace.save_version(engine, PLAN, "annoncé en janvier", "claire")
    pub.publish_plan_version(engine, v1, COORD)
    shorter = replace(PLAN, sessions=PLAN.sessions[:-1])
    v2 = workspace.save_version(engine, shorter, "après fermeture", "claire")
    pub.publish_plan_version(engine, v2, COORD)
    current, previous = pub.published_plans(engine)
    assert current == shorter and previous == (PLAN,)
    assert [p.plan_version_id for p in pub.list_publications(engine)] == [v2, v1]
    assert [e.action for e in audit_entries(engine) if e.action == "publish"] == ["publish", "publish"]


def test_only_a_coordinator_publishes_and_never_a_baseline(engine):
    v = workspace.save_version(engine, PLAN, "plan", "claire")
    with pytest.raises(AccessDenied):
        pub.publish_plan_version(engine, v, Actor("funder", "région"))
    with pytest.raises(InputError, match="introuvable"):
        pub.publish_plan_version(engine, 999, COORD)
    b = workspace.save_version(engine, replace(PLAN, kind="baseline"), "saupoudrage", "claire")
    with pytest.raises(InputError, match="saupoudrage"):
        pub.publish_plan_version(engine, b, COORD)
    assert pub.list_publications(engine) == []


def test_commune_feed_follows_its_link_and_never_reveals_it(engine):
    link = create_commune_link(engine, "18140", COORD)
    token = pub.commune_feed_token(engine, link.token)
    assert token == pub.commune_feed_token(engine, link.token)  # the same address every time
    assert link.token not in token and len(token) == 43
    assert pub.resolve_feed(engine, token) == pub.Feed("commune", "18140")
    with pytest.raises(AccessDenied):
        pub.resolve_feed(engine, link.token)  # the personal link is no feed token
    with pytest.raises(AccessDenied, match="expiré"):
        pub.resolve_feed(engine, token, now=utcnow() + timedelta(days=400))
    revoke_link(engine, link.link_id, COORD)
    with pytest.raises(AccessDenied, match="révoqué"):
        pub.resolve_feed(engine, token)
    with pytest.raises(AccessDenied):
        pub.commune_feed_token(engine, link.token)


def test_resource_feed_is_created_by_a_coordinator_and_revocable(engine):
    token, url = pub.create_resource_feed(engine, "bus", COORD, base_url="https://av.example/")
    assert url == f"https://av.example/calendrier/{token}.ics"
    assert pub.webcal(url) == f"webcal://av.example/calendrier/{token}.ics"
    assert pub.resolve_feed(engine, token) == pub.Feed("resource", "bus")
    with pytest.raises(AccessDenied):
        pub.create_resource_feed(engine, "bus", Actor("commune", "lien", "18140"))
    (info,) = pub.list_feeds(engine)
    pub.revoke_feed(engine, info.link_id, COORD)
    with pytest.raises(AccessDenied, match="révoqué"):
        pub.resolve_feed(engine, token)
    for bad in ("", "x" * 200, "inconnu"):
        with pytest.raises(AccessDenied):
            pub.resolve_feed(engine, bad)


def test_feed_content_is_the_published_plan_with_cancellations(engine):
    link = create_commune_link(engine, "18140", COORD)
    commune = pub.commune_feed_token(engine, link.token)
    team, _ = pub.create_resource_feed(engine, "bus", COORD)
    body, name = feed_bytes(engine, commune)
    assert events(body) == {} and name == "calendrier_massay_18140.ics"  # nothing published yet
    v1 = workspace.save_version(engine, PLAN, "v1", "claire")
    pub.publish_plan_version(engine, v1, COORD)
    massay = [s for s in PLAN.sessions if s.host == "18140"]
    assert set(events(feed_bytes(engine, commune)[0])) == {f"{s.uid}@aller-vers" for s in massay}
    # a tentative plan saved but not published changes nothing
    dropped = massay[-1]
    v2 = workspace.save_version(
        engine, replace(PLAN, sessions=tuple(s for s in PLAN.sessions if s != dropped)), "v2", "c"
    )
    assert not any(e.get("status") == "CANCELLED" for e in events(feed_bytes(engine, commune)[0]).values())
    pub.publish_plan_version(engine, v2, COORD)
    after = events(feed_bytes(engine, commune)[0])
    assert str(after[f"{dropped.uid}@aller-vers"]["status"]) == "CANCELLED"
    bus = events(feed_bytes(engine, team)[0])
    assert len(bus) == len(PLAN.sessions)
    assert sum(str(e.get("status")) == "CANCELLED" for e in bus.values()) == 1
