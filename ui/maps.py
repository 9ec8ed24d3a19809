"""Offline pydeck maps: no tile server, commune outlines as the background.

Every layer's records carry two top-level text fields, ``name`` and ``tip``, so that one tooltip
(:data:`TOOLTIP`) serves all layers; modules adding their own layers (plans, routes) should do
the same. Polygons are drawn with ``PolygonLayer`` records (not GeoJSON properties) because the
tooltip template only reads top-level fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import numpy as np
import pydeck as pdk

from planner.model import Territory
from planner.territory.region import commune_outlines

# Streamlit HTML-escapes the values it puts in a pydeck tooltip: records carry plain text in
# ``name`` and ``tip`` (lines separated by "\n", kept by ``white-space: pre-line``), never markup.
TOOLTIP = {
    "html": "<b>{name}</b><br/>{tip}",
    "style": {
        "backgroundColor": "#1f2937",
        "color": "white",
        "fontSize": "12px",
        "maxWidth": "320px",
        "whiteSpace": "pre-line",
    },
}

#: Sequential yellow → dark red palette (ColorBrewer YlOrRd, 6 classes).
PALETTE: tuple[tuple[int, int, int], ...] = (
    (255, 255, 178),
    (254, 217, 118),
    (254, 178, 76),
    (253, 141, 60),
    (240, 59, 32),
    (189, 0, 38),
)
SITE_COLOR = (30, 100, 200)


@lru_cache(maxsize=8)
def _features(codes: tuple[str, ...] | None) -> tuple[dict, ...]:
    features = commune_outlines()["features"]
    if codes is None:
        return tuple(features)
    wanted = set(codes)
    return tuple(f for f in features if f["properties"]["code_insee"] in wanted)


def outline_geojson(codes: Iterable[str] | None = None) -> dict:
    """GeoJSON FeatureCollection of the outlines of ``codes`` (all CVL communes if ``None``)."""
    key = None if codes is None else tuple(sorted(codes))
    return {"type": "FeatureCollection", "features": list(_features(key))}


def outline_layer(codes: Iterable[str] | None = None, *, layer_id: str = "outlines") -> pdk.Layer:
    """Background layer: grey commune outlines with a light fill (put it first)."""
    return pdk.Layer(
        "GeoJsonLayer",
        data=outline_geojson(codes),
        id=layer_id,
        stroked=True,
        filled=True,
        get_fill_color=[245, 245, 240, 255],
        get_line_color=[120, 120, 120, 255],
        line_width_min_pixels=1,
        pickable=False,
    )


def class_breaks(values: Sequence[float], classes: int = len(PALETTE)) -> list[float]:
    """Quantile class limits (``classes + 1`` increasing numbers) of the finite values."""
    arr = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if arr.size == 0:
        return [0.0] * (classes + 1)
    return [float(x) for x in np.quantile(arr, np.linspace(0.0, 1.0, classes + 1))]


def color_for(value: float, breaks: Sequence[float]) -> list[int]:
    """RGBA colour of ``value`` in the palette given class ``breaks``."""
    if value is None or not np.isfinite(value):
        return [200, 200, 200, 120]
    index = int(np.searchsorted(np.asarray(breaks[1:-1]), value, side="right"))
    r, g, b = PALETTE[min(index, len(PALETTE) - 1)]
    return [r, g, b, 200]


def choropleth_layer(
    values: Mapping[str, float],
    tips: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    *,
    breaks: Sequence[float] | None = None,
    layer_id: str = "choropleth",
) -> pdk.Layer:
    """Communes filled by ``values`` (code → number) in quantile classes, with tooltips.

    Parameters
    ----------
    values
        Value per INSEE code; communes without a value are not drawn.
    tips
        Tooltip text per code, shown under the name (plain text; "\\n" breaks lines).
    names
        Name per code (default: the outline's name).
    breaks
        Class limits (default :func:`class_breaks` of the values).
    """
    breaks = list(breaks) if breaks is not None else class_breaks(list(values.values()))
    records = []
    for feature in _features(tuple(sorted(values))):
        code = feature["properties"]["code_insee"]
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for rings in polygons:
            records.append(
                {
                    "polygon": rings,
                    "code_insee": code,
                    "name": (names or {}).get(code, feature["properties"]["nom"]),
                    "tip": (tips or {}).get(code, ""),
                    "fill": color_for(values[code], breaks),
                }
            )
    return pdk.Layer(
        "PolygonLayer",
        data=records,
        id=layer_id,
        get_polygon="polygon",
        get_fill_color="fill",
        get_line_color=[90, 90, 90, 200],
        line_width_min_pixels=1,
        stroked=True,
        filled=True,
        pickable=True,
        auto_highlight=True,
    )


def points_layer(
    records: Sequence[Mapping],
    *,
    color: Sequence[int] = SITE_COLOR,
    radius_m: float = 500.0,
    layer_id: str = "points",
) -> pdk.Layer:
    """Points (e.g. fixed places): each record needs ``lat``, ``lon``, ``name``, ``tip``."""
    data = [{**dict(r), "position": [float(r["lon"]), float(r["lat"])]} for r in records]
    return pdk.Layer(
        "ScatterplotLayer",
        data=data,
        id=layer_id,
        get_position="position",
        get_fill_color=[*color[:3], 230],
        get_line_color=[255, 255, 255, 255],
        get_radius=radius_m,
        radius_min_pixels=4,
        radius_max_pixels=14,
        line_width_min_pixels=1,
        stroked=True,
        pickable=True,
    )


def view_for(territory: Territory, *, width_px: int = 700, height_px: int = 560) -> pdk.ViewState:
    """A view centred on the territory that shows all its communes."""
    lats = np.array([c.lat for c in territory.communes])
    lons = np.array([c.lon for c in territory.communes])
    lat0, lon0 = float((lats.min() + lats.max()) / 2), float((lons.min() + lons.max()) / 2)
    span_lon = max(float(lons.max() - lons.min()), 0.05) * 1.3
    span_lat = max(float(lats.max() - lats.min()), 0.05) * 1.3
    # Web Mercator with deck.gl's 512-pixel tiles: at zoom z the world is 512 × 2**z pixels wide,
    # and one degree of latitude spans 1 / cos(lat) times more pixels than one of longitude.
    zoom_lon = np.log2(360.0 * width_px / (512.0 * span_lon))
    zoom_lat = np.log2(360.0 * np.cos(np.radians(lat0)) * height_px / (512.0 * span_lat))
    zoom = float(np.clip(min(zoom_lon, zoom_lat), 5.0, 12.0))
    return pdk.ViewState(latitude=lat0, longitude=lon0, zoom=round(zoom, 2), pitch=0, bearing=0)


def make_deck(
    layers: Sequence[pdk.Layer], view: pdk.ViewState, tooltip: Mapping | bool | None = None
) -> pdk.Deck:
    """A deck with no basemap (``map_provider=None``): nothing is fetched from the internet."""
    return pdk.Deck(
        layers=list(layers),
        initial_view_state=view,
        map_provider=None,
        map_style=None,
        tooltip=TOOLTIP if tooltip is None else tooltip,
    )


def legend_html(breaks: Sequence[float], fmt=lambda v: f"{v:.0f}", title: str = "") -> str:
    """Small HTML legend for the palette classes (render with ``st.html``)."""
    items = []
    for i, (r, g, b) in enumerate(PALETTE):
        lo, hi = breaks[i], breaks[i + 1]
        items.append(
            f'<span style="display:inline-block;margin-right:10px;white-space:nowrap">'
            f'<span style="display:inline-block;width:14px;height:14px;background:rgb({r},{g},{b});'
            f'border:1px solid #888;vertical-align:middle"></span> {fmt(lo)} – {fmt(hi)}</span>'
        )
    head = f"<b>{title}</b><br/>" if title else ""
    return f'<div style="font-size:0.85rem">{head}{"".join(items)}</div>'
