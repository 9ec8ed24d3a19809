"""Drive times and distances between communes — the only place they are computed.

The default model is the geodesic distance (WGS84 ellipsoid, as geopy computes it) times a
circuity factor (roads are not straight: 1.3 is the usual rural figure) at an average
rural speed. Matrices are vectorised with numpy; :func:`geodesic_km` uses geopy for a single
pair and the tests check the two agree. A road-routing server (OSRM table API) can stand
behind the same :class:`TravelMatrix` through :func:`osrm_travel_matrix`.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import numpy as np
from geopy.distance import geodesic

from planner.errors import InputError

if TYPE_CHECKING:
    from planner.model import Territory

DEFAULT_CIRCUITY = 1.3
DEFAULT_SPEED_KMH = 60.0

# WGS84 — the mean radius is only used by the vectorised approximation below.
_EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Square matrices of road distance (km) and drive time (minutes) between points.

    Parameters
    ----------
    codes
        Identifiers (INSEE codes) in matrix order.
    dist_km, drive_min
        ``len(codes) × len(codes)`` float arrays; the diagonal is zero.
    """

    codes: tuple[str, ...]
    dist_km: np.ndarray
    drive_min: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.codes)
        if self.dist_km.shape != (n, n) or self.drive_min.shape != (n, n):
            raise ValueError("matrix shape does not match codes")
        object.__setattr__(self, "_index", {c: i for i, c in enumerate(self.codes)})
        self.dist_km.setflags(write=False)
        self.drive_min.setflags(write=False)

    def index(self, code: str) -> int:
        """Row of ``code`` in the matrices."""
        return self._index[code]  # type: ignore[attr-defined]

    def km(self, a: str, b: str) -> float:
        """Road distance from ``a`` to ``b`` in km."""
        return float(self.dist_km[self.index(a), self.index(b)])

    def minutes(self, a: str, b: str) -> float:
        """Drive time from ``a`` to ``b`` in minutes."""
        return float(self.drive_min[self.index(a), self.index(b)])

    def within(self, code: str, max_minutes: float) -> tuple[str, ...]:
        """Codes reachable from ``code`` in at most ``max_minutes`` (``code`` included)."""
        row = self.drive_min[self.index(code)]
        return tuple(self.codes[j] for j in np.flatnonzero(row <= max_minutes + 1e-9))


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in km between two points (geopy, WGS84 ellipsoid)."""
    return float(geodesic((lat1, lon1), (lat2, lon2)).km)


def great_circle_km_matrix(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Pairwise great-circle distances (km), vectorised (haversine on the mean radius).

    Within a region this differs from the ellipsoidal geodesic by well under 0.5 %,
    far below the uncertainty of the circuity factor.
    """
    phi = np.radians(np.asarray(lats, dtype=float))
    lam = np.radians(np.asarray(lons, dtype=float))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def travel_matrix(
    codes: Sequence[str],
    lats: Sequence[float],
    lons: Sequence[float],
    *,
    circuity: float = DEFAULT_CIRCUITY,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> TravelMatrix:
    """Road distance and drive time between every pair of points.

    Parameters
    ----------
    codes, lats, lons
        Identifiers and WGS84 coordinates, same length.
    circuity
        Ratio of road distance to straight-line distance (default 1.3).
    speed_kmh
        Average rural driving speed (default 60 km/h).
    """
    if circuity < 1.0:
        raise ValueError("circuity must be >= 1")
    if speed_kmh <= 0:
        raise ValueError("speed must be positive")
    dist = great_circle_km_matrix(np.asarray(lats), np.asarray(lons)) * circuity
    return TravelMatrix(tuple(codes), dist, dist / speed_kmh * 60.0)


def rect_travel(
    origin_lats: Sequence[float],
    origin_lons: Sequence[float],
    dest_lats: Sequence[float],
    dest_lons: Sequence[float],
    *,
    circuity: float = DEFAULT_CIRCUITY,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> tuple[np.ndarray, np.ndarray]:
    """Road distance (km) and drive time (min) from each origin to each destination.

    Same model as :func:`travel_matrix` (great circle × circuity at ``speed_kmh``) but rectangular:
    the result has shape ``(len(origins), len(destinations))``. Used for fixed site → commune times.
    """
    if circuity < 1.0:
        raise ValueError("circuity must be >= 1")
    if speed_kmh <= 0:
        raise ValueError("speed must be positive")
    phi1 = np.radians(np.asarray(origin_lats, dtype=float))[:, None]
    lam1 = np.radians(np.asarray(origin_lons, dtype=float))[:, None]
    phi2 = np.radians(np.asarray(dest_lats, dtype=float))[None, :]
    lam2 = np.radians(np.asarray(dest_lons, dtype=float))[None, :]
    a = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    dist = 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))) * circuity
    return dist, dist / speed_kmh * 60.0


@lru_cache(maxsize=16)
def _cached_matrix(
    key: tuple,
    codes: tuple[str, ...],
    lats: tuple[float, ...],
    lons: tuple[float, ...],
    circuity: float,
    speed: float,
) -> TravelMatrix:
    return travel_matrix(codes, lats, lons, circuity=circuity, speed_kmh=speed)


def territory_matrix(
    territory: Territory,
    *,
    circuity: float = DEFAULT_CIRCUITY,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    provider: TravelProvider | None = None,
) -> TravelMatrix:
    """Travel matrix over the communes of a territory (in ``territory.codes`` order).

    Memoised per territory (spec, codes and coordinates) and parameters: calling it again with
    the same inputs returns the same object without recomputing. With ``provider`` (for instance
    an :class:`OsrmProvider`) the provider is asked instead (not memoised here).
    """
    codes = territory.codes
    lats = tuple(c.lat for c in territory.communes)
    lons = tuple(c.lon for c in territory.communes)
    if provider is not None:
        return provider.matrix(codes, lats, lons)
    return _cached_matrix((territory.spec,), codes, lats, lons, float(circuity), float(speed_kmh))


class TravelProvider(Protocol):
    """Anything that can build a :class:`TravelMatrix` for points (e.g. a routing server)."""

    def matrix(self, codes: Sequence[str], lats: Sequence[float], lons: Sequence[float]) -> TravelMatrix:
        """Distance and time matrices between the points."""
        ...


@dataclass(frozen=True)
class GeodesicProvider:
    """The default model as a provider: great circle × circuity at an average speed."""

    circuity: float = DEFAULT_CIRCUITY
    speed_kmh: float = DEFAULT_SPEED_KMH

    def matrix(self, codes: Sequence[str], lats: Sequence[float], lons: Sequence[float]) -> TravelMatrix:
        """See :func:`travel_matrix`."""
        return travel_matrix(codes, lats, lons, circuity=self.circuity, speed_kmh=self.speed_kmh)


@dataclass(frozen=True)
class OsrmProvider:
    """Road distances and times from an OSRM server's table API.

    Parameters
    ----------
    base_url
        Server root, e.g. ``http://localhost:5000`` (the ``/table/v1/{profile}/…`` path is appended).
    profile
        OSRM profile (``driving`` by default).
    timeout
        Seconds to wait for the server.

    Notes
    -----
    One request ``GET {base_url}/table/v1/{profile}/{lon,lat;…}?annotations=duration,distance``;
    durations (s) become minutes and distances (m) kilometres. A pair the server cannot route
    (``null``) raises :class:`~planner.errors.InputError`, as does an unreachable server.
    """

    base_url: str
    profile: str = "driving"
    timeout: float = 30.0

    def url(self, lats: Sequence[float], lons: Sequence[float]) -> str:
        """The table request for these points."""
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in zip(lats, lons, strict=True))
        return f"{self.base_url.rstrip('/')}/table/v1/{self.profile}/{coords}?annotations=duration,distance"

    def matrix(self, codes: Sequence[str], lats: Sequence[float], lons: Sequence[float]) -> TravelMatrix:
        """Ask the server for the full table and wrap it as a :class:`TravelMatrix`."""
        try:
            with urllib.request.urlopen(self.url(lats, lons), timeout=self.timeout) as response:
                payload = json.load(response)
        except (OSError, ValueError) as exc:
            raise InputError(f"serveur d'itinéraires OSRM injoignable ou réponse illisible ({exc})") from None
        if payload.get("code") != "Ok":
            raise InputError(
                f"le serveur OSRM a refusé la demande : {payload.get('code')} {payload.get('message', '')}"
            )
        n = len(codes)
        try:
            durations = np.array(payload["durations"], dtype=float)
            distances = np.array(payload["distances"], dtype=float)
        except (KeyError, TypeError, ValueError):
            raise InputError("réponse OSRM incomplète : durées ou distances absentes") from None
        if durations.shape != (n, n) or distances.shape != (n, n):
            raise InputError("réponse OSRM de taille inattendue")
        if np.isnan(durations).any() or np.isnan(distances).any():
            raise InputError("le serveur OSRM ne trouve pas d'itinéraire entre certaines communes")
        return TravelMatrix(tuple(codes), distances / 1000.0, durations / 60.0)


def osrm_travel_matrix(
    codes: Sequence[str], lats: Sequence[float], lons: Sequence[float], base_url: str
) -> TravelMatrix:
    """Shortcut for ``OsrmProvider(base_url).matrix(codes, lats, lons)``."""
    return OsrmProvider(base_url).matrix(codes, lats, lons)
