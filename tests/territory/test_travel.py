"""Travel model: vectorised distances, memoised territory matrices, the OSRM provider over real HTTP."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import numpy as np
import pytest

from planner.errors import InputError
from planner.territory.specs import load_territory
from planner.territory.travel import (
    GeodesicProvider,
    OsrmProvider,
    geodesic_km,
    osrm_travel_matrix,
    rect_travel,
    territory_matrix,
    travel_matrix,
)


def test_vectorised_distance_agrees_with_geopy_within_half_a_percent():
    territory = load_territory("vierzon")
    matrix = territory_matrix(territory, circuity=1.0)
    communes = territory.communes
    worst = 0.0
    for a in communes[::3]:
        for b in communes[1::4]:
            if a.code_insee == b.code_insee:
                continue
            exact = geodesic_km(a.lat, a.lon, b.lat, b.lon)
            worst = max(worst, abs(matrix.km(a.code_insee, b.code_insee) - exact) / exact)
    assert worst < 0.005


def test_circuity_and_speed():
    m = territory_matrix(load_territory("vierzon"))
    km = m.km("18279", "18103")
    straight = geodesic_km(47.22140, 2.06967, 47.14260, 1.84564)
    assert km == pytest.approx(1.3 * straight, rel=0.005)
    assert m.minutes("18279", "18103") == pytest.approx(km / 60.0 * 60.0)
    slow = territory_matrix(load_territory("vierzon"), speed_kmh=30.0)
    assert slow.minutes("18279", "18103") == pytest.approx(2 * m.minutes("18279", "18103"))


def test_territory_matrix_is_memoised_per_inputs():
    territory = load_territory("vierzon")
    first = territory_matrix(territory)
    assert territory_matrix(load_territory("vierzon")) is first
    assert territory_matrix(territory, circuity=1.4) is not first
    assert first.codes == territory.codes
    assert not first.dist_km.flags.writeable


def test_rect_travel_matches_square_matrix():
    lats, lons = [47.22, 47.14, 47.43], [2.07, 1.85, 2.05]
    square = travel_matrix(["a", "b", "c"], lats, lons)
    km, minutes = rect_travel(lats[:2], lons[:2], lats, lons)
    assert km.shape == (2, 3)
    assert km == pytest.approx(square.dist_km[:2])
    assert minutes == pytest.approx(square.drive_min[:2])


def test_rect_travel_rejects_bad_parameters():
    with pytest.raises(ValueError):
        rect_travel([47.0], [2.0], [47.1], [2.1], circuity=0.9)
    with pytest.raises(ValueError):
        rect_travel([47.0], [2.0], [47.1], [2.1], speed_kmh=0)


def test_geodesic_provider_is_the_default_model():
    territory = load_territory("vierzon")
    via_provider = territory_matrix(territory, provider=GeodesicProvider())
    assert via_provider.dist_km == pytest.approx(territory_matrix(territory).dist_km)


# ----------------------------------------------------------------------------- OSRM over HTTP

CANNED = {
    "code": "Ok",
    "durations": [[0, 600, 1200], [610, 0, 900], [1190, 905, 0]],
    "distances": [[0, 9000, 21000], [9100, 0, 15000], [20900, 15100, 0]],
}


class _Handler(BaseHTTPRequestHandler):
    payload: ClassVar[dict] = CANNED
    paths: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).paths.append(self.path)
        body = json.dumps(type(self).payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def osrm_server():
    handler = type("Handler", (_Handler,), {"payload": CANNED, "paths": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_osrm_provider_round_trip(osrm_server):
    url, handler = osrm_server
    provider = OsrmProvider(url)
    m = provider.matrix(["18279", "18103", "41232"], [47.2214, 47.1426, 47.4270], [2.0697, 1.8456, 2.0521])
    assert handler.paths[0].startswith(
        "/table/v1/driving/2.069700,47.221400;1.845600,47.142600;2.052100,47.427000"
    )
    assert "annotations=duration,distance" in handler.paths[0]
    assert m.minutes("18279", "18103") == pytest.approx(10.0)
    assert m.km("18103", "41232") == pytest.approx(15.0)
    assert m.minutes("41232", "18279") == pytest.approx(1190 / 60)


def test_osrm_provider_behind_territory_matrix(osrm_server):
    url, handler = osrm_server
    n = 34
    handler.payload = {
        "code": "Ok",
        "durations": np.full((n, n), 60.0).tolist(),
        "distances": np.full((n, n), 1000.0).tolist(),
    }
    m = territory_matrix(load_territory("vierzon"), provider=OsrmProvider(url))
    assert m.minutes("18279", "18103") == pytest.approx(1.0)
    assert m.km("18279", "18103") == pytest.approx(1.0)


def test_osrm_unroutable_pair_is_an_error(osrm_server):
    url, handler = osrm_server
    handler.payload = {"code": "Ok", "durations": [[0, None], [1, 0]], "distances": [[0, 1], [1, 0]]}
    with pytest.raises(InputError, match="itinéraire"):
        osrm_travel_matrix(["a", "b"], [47.0, 47.1], [2.0, 2.1], url)


def test_osrm_refusal_is_an_error(osrm_server):
    url, handler = osrm_server
    handler.payload = {"code": "InvalidQuery", "message": "bad coordinates"}
    with pytest.raises(InputError, match="refusé"):
        osrm_travel_matrix(["a", "b"], [47.0, 47.1], [2.0, 2.1], url)


def test_osrm_unreachable_server_is_an_error():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match="injoignable"):
        OsrmProvider(f"http://127.0.0.1:{port}", timeout=2).matrix(["a"], [47.0], [2.0])
