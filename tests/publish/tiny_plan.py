"""A tiny hand-made territory and plan for the export tests (imported by ``conftest.py``).

Five communes on a line, 10 minutes (10 km) apart; a fixed site at A::

    A(site,base) --10-- B(host 1) --10-- C --10-- D(host 2) --10-- E

One bus based at A. Series S1 at B: five Tuesday mornings from 17 March 2026 (the clocks
change on 29 March, so the session times straddle the switch to summer time). Series S2 at D:
five Tuesday afternoons. E is left out with a reason. The baseline visits B, C, D once each.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from planner.model import (
    Commune,
    CommuneNeed,
    FixedSite,
    Plan,
    PlanMetrics,
    Resource,
    Route,
    Rules,
    Season,
    Series,
    Session,
    Territory,
    Unserved,
)
from planner.publish import HostDetails
from planner.territory.travel import TravelMatrix
from tests.builders import line_matrix

CODES = ("18001", "18002", "18003", "18004", "18005")
NAMES = ("Aubigny-Test", "Bréviande", "Cerbois-Test", "Dampierre-Test", "Épineuil-Test")
FIRST_TUESDAY = date(2026, 3, 17)
DATES = tuple(FIRST_TUESDAY + timedelta(days=7 * i) for i in range(5))


def tiny_territory() -> Territory:
    communes = tuple(
        Commune(
            code_insee=c,
            name=n,
            population=1000 + 100 * i,
            lat=47.2,
            lon=2.0 + 0.1 * i,
            epci_siren="200000001" if i < 3 else "200000002",
            epci_name="CC Ouest" if i < 3 else "CC Est",
        )
        for i, (c, n) in enumerate(zip(CODES, NAMES, strict=True))
    )
    site = FixedSite(id="epn-a", name="EPN d'Aubigny", kind="EPN", code_insee="18001", lat=47.2, lon=2.0)
    return Territory(spec="tiny", name="Territoire test", communes=communes, fixed_sites=(site,))


def tiny_matrix() -> TravelMatrix:
    return line_matrix(CODES, minutes_apart=10.0)


def tiny_needs() -> dict[str, CommuneNeed]:
    unmet = (5.0, 30.0, 20.0, 40.0, 10.0)
    return {
        c: CommuneNeed(c, need=u + 10, coverage=u / (u + 10), unmet_need=u)
        for c, u in zip(CODES, unmet, strict=True)
    }


def _metrics(participants: int, full: int, sessions: int, km: float, hours: float, kind: str) -> PlanMetrics:
    return PlanMetrics(
        status="OPTIMAL" if kind == "optimised" else "FEASIBLE",
        objective=float(participants),
        bound=float(participants),
        gap=0.0,
        solve_seconds=0.1,
        need_total=155.0,
        unmet_need_total=105.0,
        participants=participants,
        participants_full_series=full,
        sessions=sessions,
        km=km,
        drive_hours=hours,
    )


BUS = Resource(id="bus1", kind="bus", seats=12, base="18001", label="Bus numérique")
SEASON = Season(start=date(2026, 3, 1), end=date(2026, 6, 30))


def tiny_plan() -> Plan:
    sessions = []
    routes = []
    for i, d in enumerate(DATES, start=1):
        sessions.append(Session("S1", i, "bus1", "18002", d, time(9, 0), time(12, 0), locked=i == 1))
        sessions.append(Session("S2", i, "bus1", "18004", d, time(14, 0), time(17, 0)))
        routes.append(Route("bus1", d, ("18001", "18002", "18004", "18001"), 60.0, 60.0))
    series = (
        Series("S1", "18002", "bus1", 12, {"18002": 9, "18001": 3}),
        Series("S2", "18004", "bus1", 11, {"18004": 8, "18003": 3}),
    )
    unserved = (
        Unserved("18005", 10.0, "=1+1 trop peu de personnes", "Abaisser le seuil à 5.", name="Épineuil-Test"),
    )
    return Plan(
        territory_spec="tiny",
        season=SEASON,
        rules=Rules(),
        resources=(BUS,),
        series=series,
        sessions=tuple(sessions),
        routes=tuple(routes),
        unserved=unserved,
        metrics=_metrics(23, 23, 10, 300.0, 5.0, "optimised"),
    )


def tiny_baseline() -> Plan:
    sessions = (
        Session("B1", 1, "bus1", "18002", DATES[0], time(9, 0), time(12, 0)),
        Session("B2", 1, "bus1", "18003", DATES[0], time(14, 0), time(17, 0)),
        Session("B3", 1, "bus1", "18004", DATES[1], time(9, 0), time(12, 0)),
    )
    series = (
        Series("B1", "18002", "bus1", 12, {"18002": 12}),
        Series("B2", "18003", "bus1", 12, {"18003": 12}),
        Series("B3", "18004", "bus1", 12, {"18004": 12}),
    )
    routes = (
        Route("bus1", DATES[0], ("18001", "18002", "18003", "18001"), 40.0, 40.0),
        Route("bus1", DATES[1], ("18001", "18004", "18001"), 60.0, 60.0),
    )
    return Plan(
        territory_spec="tiny",
        season=SEASON,
        rules=Rules(sessions_per_series=1),
        resources=(BUS,),
        series=series,
        sessions=sessions,
        routes=routes,
        unserved=(),
        metrics=_metrics(36, 36, 3, 100.0, 100 / 60, "baseline"),
        kind="baseline",
    )


HOSTS = {
    "18002": HostDetails(
        venue="Salle des fêtes",
        address="1 place de l'Église",
        contact_name="Mme Martin",
        phone="02 48 00 00 01",
        email="mairie@breviande.test",
        registration="En mairie, au 02 48 00 00 01",
    ),
    "18004": HostDetails(venue='=HYPERLINK("http://evil")', address="2 rue Haute", phone="02 48 00 00 02"),
}
