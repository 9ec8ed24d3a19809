"""Drive times and distances between communes — the only place they are computed.

The default model is the geodesic distance (WGS84 ellipsoid, as geopy computes it) times a
circuity factor (roads are not straight: 1.3 is the usual rural figure) at an average
rural speed. Matrices are vectorised with numpy; :func:`geodesic_km` uses geopy for a single
pair and the tests check the two agree. A road-routing server (OSRM table API) can stand
behind the same :class:`TravelMatrix` through :func:`osrm_travel_matrix`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from geopy.distance import geodesic

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
