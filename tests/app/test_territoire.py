"""Headless tests of the Territoire page (Streamlit AppTest)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.errors import InputError
from planner.territory.need import NeedWeights

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
PAGE = str(ROOT / "app_pages" / "territoire.py")


@pytest.fixture
def upload_dir(tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setenv("ALLER_VERS_UPLOAD_DIR", str(folder))
    folder.mkdir()
    return folder


def _run(**state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _deck(at: AppTest) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def test_default_page_shows_vierzon():
    at = _run()
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Communes"] == "34"
    assert metrics["Habitants"] == "55 012"
    assert metrics["Lieux fixes"] == "15"
    assert at.session_state["territory_spec"] == "vierzon"
    assert at.dataframe[0].value.shape[0] == 34


def test_map_is_offline_with_outlines_first():
    deck = _deck(_run())
    assert "mapStyle" not in deck or deck["mapStyle"] in (None, "")
    kinds = [(layer["@@type"], layer["id"]) for layer in deck["layers"]]
    assert kinds[0] == ("GeoJsonLayer", "outlines")
    assert ("PolygonLayer", "choropleth") in kinds
    assert ("ScatterplotLayer", "lieux_fixes") in kinds
    choropleth = next(layer for layer in deck["layers"] if layer["id"] == "choropleth")
    vierzon = next(r for r in choropleth["data"] if r["code_insee"] == "18279")
    assert vierzon["name"] == "Vierzon"
    assert "Besoin non couvert" in vierzon["tip"]


def test_tooltip_reads_name_and_tip():
    at = _run()
    proto = at.get("deck_gl_json_chart")[0].proto
    assert "{name}" in proto.tooltip and "{tip}" in proto.tooltip


def test_selecting_another_territory():
    at = _run()
    at.sidebar.selectbox[0].select("bv2022:18279").run()
    assert not at.exception
    assert at.session_state["territory_spec"] == "bv2022:18279"
    assert _metrics(at)["Communes"] != "34"


def test_weights_form_changes_the_need():
    at = _run()
    before = _metrics(at)["Besoin estimé"]
    at.sidebar.slider[0].set_value(0.9)  # share of the 65+ needing help
    at.sidebar.form_submit_button[0].click().run()
    assert not at.exception
    assert at.session_state["need_weights"].rate_65p == pytest.approx(0.9)
    after = _metrics(at)["Besoin estimé"]
    assert int(after.replace(" ", "")) > int(before.replace(" ", ""))


def test_weights_are_not_applied_before_submit():
    at = _run()
    before = _metrics(at)["Besoin estimé"]
    at.sidebar.slider[0].set_value(0.9).run()
    assert _metrics(at)["Besoin estimé"] == before
    assert at.session_state["need_weights"] == NeedWeights()


def test_default_weights_button_resets():
    at = _run(need_weights=NeedWeights(rate_65p=0.9))
    assert at.session_state["need_weights"].rate_65p == 0.9
    next(b for b in at.sidebar.button if b.label == "Poids par défaut").click().run()
    assert at.session_state["need_weights"] == NeedWeights()


def test_colour_metric_switch_changes_the_map():
    at = _run()
    first = next(layer for layer in _deck(at)["layers"] if layer["id"] == "choropleth")
    at.radio[0].set_value("coverage").run()
    second = next(layer for layer in _deck(at)["layers"] if layer["id"] == "choropleth")
    assert [r["fill"] for r in first["data"]] != [r["fill"] for r in second["data"]]


def test_unknown_territory_shows_a_french_error_and_a_way_back():
    at = _run(territory_spec="bv2022:99999")
    assert not at.exception
    assert "bassin de vie 2022 inconnu" in at.error[0].value
    back = next(b for b in at.button if b.label == "Revenir au territoire par défaut")
    back.click().run()
    assert at.session_state["territory_spec"] == "vierzon"


def test_uploaded_territory_is_shown(upload_dir):
    from ui.data import register_upload

    data = (DATA / "communes_fr_cp1252.csv").read_bytes()
    spec = register_upload(data, "mes communes.csv", "coordinator")
    digest = hashlib.sha256(data).hexdigest()[:16]
    assert spec == f"fichier:{digest}/mes_communes.csv"  # no server path in the spec (nor in plans)
    assert (upload_dir / digest / "mes_communes.csv").read_bytes() == data
    at = _run(territory_spec=spec)
    assert not at.exception
    assert _metrics(at)["Communes"] == "3"
    # the file's own indicator can weight the need
    assert "score_fragilite" in at.sidebar.selectbox[1].options


def test_bad_upload_is_refused_and_nothing_is_stored(upload_dir):
    from ui.data import register_upload

    with pytest.raises(InputError) as info:
        register_upload(
            (DATA / "bad_swapped_latlon.csv").read_bytes(), "bad_swapped_latlon.csv", "coordinator"
        )
    assert info.value.row == 3
    assert list(upload_dir.rglob("*")) == []


@pytest.mark.parametrize("existing", [True, False])
def test_a_path_is_never_a_territory_in_the_dashboard(upload_dir, monkeypatch, existing):
    """A spec naming a server file is refused unread, with one message whether it exists or not."""
    import planner.territory.specs as specs

    path = upload_dir / "communes.csv"
    if existing:
        path.write_bytes((DATA / "communes_fr_cp1252.csv").read_bytes())
    monkeypatch.setattr(specs, "load_territory_file", lambda *a: pytest.fail("the file was read"))
    at = _run(territory_spec=str(path))
    assert not at.exception
    message = re.sub(r"\\(.)", r"\1", at.error[0].value).replace(str(path), "CHEMIN")
    assert "territoire refusé : « CHEMIN » n'est pas un territoire intégré" in message
    assert "Communes" not in _metrics(at)


def test_uploaded_spec_cannot_leave_the_upload_folder(upload_dir):
    from planner.errors import UnknownTerritoryError
    from ui.data import get_territory

    secret = upload_dir.parent / "secret.csv"
    secret.write_bytes((DATA / "communes_fr_cp1252.csv").read_bytes())
    for spec in ("fichier:../secret.csv", "fichier:0123456789abcdef/../../secret.csv", "fichier:/etc/hosts"):
        with pytest.raises(UnknownTerritoryError, match="référence de fichier importé invalide"):
            get_territory(spec)


def test_a_funder_imports_nothing(upload_dir):
    from planner.errors import AccessDenied
    from ui.data import register_upload

    at = _run(_auth_view_as_funder=True)
    assert not at.exception
    assert not at.get("file_uploader")
    assert any("réservé à la coordination" in m.value for m in at.markdown)
    with pytest.raises(AccessDenied):
        register_upload((DATA / "communes_fr_cp1252.csv").read_bytes(), "communes.csv", "funder")
    assert list(upload_dir.rglob("*")) == []


# ----------------------------------------------------------------------------- ui helpers


def test_french_number_and_date_formatting():
    from datetime import date

    from ui.fmt import fr_date, fr_float, fr_int, fr_pct

    assert fr_int(12345) == "12 345"
    assert fr_int(1234567.6) == "1 234 568"
    assert fr_int(None) == "–"
    assert fr_float(1234.56, 1) == "1 234,6"
    assert fr_float(-0.25, 2) == "−0,25"
    assert fr_pct(0.256) == "26\u00a0%"
    assert fr_pct(12.5, 1, ratio=False) == "12,5\u00a0%"
    assert fr_date(date(2026, 3, 1)) == "1er mars 2026"
    assert fr_date(date(2026, 3, 3), weekday=True) == "mardi 3 mars 2026"


def test_map_helpers():
    from planner.territory.specs import load_territory
    from ui.maps import PALETTE, class_breaks, color_for, make_deck, outline_layer, view_for

    breaks = class_breaks([1, 2, 3, 4, 5, 6, 7])
    assert breaks[0] == 1 and breaks[-1] == 7 and breaks == sorted(breaks)
    assert color_for(1, breaks)[:3] == list(PALETTE[0])
    assert color_for(7, breaks)[:3] == list(PALETTE[-1])
    territory = load_territory("vierzon")
    view = view_for(territory)
    assert 47.0 < view.latitude < 47.5 and 1.8 < view.longitude < 2.3
    assert 8.0 <= view.zoom <= 10.0
    layer = outline_layer(territory.codes)
    assert len(layer.data["features"]) == 34
    deck = make_deck([layer], view)
    assert deck.map_provider is None


# ----------------------------------------------------------------------------- weights explained


def test_each_weight_control_carries_its_one_line_explanation():
    from planner.territory.need import WEIGHT_INFO

    at = _run()
    controls = {w.label: w for w in [*at.sidebar.slider, *at.sidebar.number_input]}
    for info in WEIGHT_INFO:
        assert controls[info.label].help == info.explanation, info.name


def test_method_table_lists_every_weight_with_its_explanation_and_source():
    from planner.territory.need import WEIGHT_INFO

    at = _run(need_weights=NeedWeights(rate_65p=0.9))
    table = at.table[0].value
    assert list(table.index) == [info.label for info in WEIGHT_INFO]
    assert list(table["Pourquoi"]) == [info.explanation for info in WEIGHT_INFO]
    assert list(table["Source"]) == [info.source for info in WEIGHT_INFO]
    first = WEIGHT_INFO[0].label
    assert table.loc[first, "Valeur"] == "90\u00a0%" and table.loc[first, "Par défaut"] == "45\u00a0%"


def test_catchment_and_people_per_site_controls_apply():
    at = _run()
    next(s for s in at.sidebar.slider if s.label.startswith("Rayon")).set_value(40)
    at.sidebar.number_input[0].set_value(500)
    at.sidebar.form_submit_button[0].click().run()
    assert not at.exception
    weights = at.session_state["need_weights"]
    assert (weights.catchment_minutes, weights.people_per_site) == (40.0, 500.0)


def test_fixed_places_from_a_national_standard_file_are_added_and_removed(upload_dir):
    from planner.territory.specs import with_lieux
    from ui.data import keep_upload

    base = _metrics(_run(territory_spec="vierzon"))
    ref = keep_upload((DATA / "lieux_partenaires.csv").read_bytes(), "lieux_partenaires.csv")
    at = _run(territory_spec=with_lieux("vierzon", ref))
    assert not at.exception
    shown = _metrics(at)
    assert int(shown["Lieux fixes"]) == int(base["Lieux fixes"]) + 2
    label = at.sidebar.selectbox[0].options[0]
    assert label.startswith("Pays de Vierzon") and label.endswith("+ lieux : lieux_partenaires.csv")
    at.button(key="lieux_remove").click().run()
    assert at.session_state["territory_spec"] == "vierzon"


def test_fixed_places_named_by_a_server_path_are_refused_without_reading_it(upload_dir):
    from planner.territory.specs import with_lieux

    at = _run(territory_spec=with_lieux("vierzon", str(DATA / "lieux_partenaires.csv")))
    assert not at.exception
    assert any("référence de fichier importé invalide" in e.value for e in at.error)
    assert not _metrics(at)
