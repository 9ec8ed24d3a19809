"""Uploaded files never make the server open a path, and a read-only visitor stores nothing."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import planner.territory.specs as specs

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BILAN = str(ROOT / "app_pages" / "bilan.py")


def plan_naming(territory: str) -> bytes:
    data = json.loads((DATA / "plan_vierzon_petit.json").read_text(encoding="utf-8"))
    data["territory"] = territory
    return json.dumps(data).encode()


def bilan(*, funder: bool) -> AppTest:
    at = AppTest.from_file(BILAN, default_timeout=120)
    at.session_state["_auth_view_as_funder"] = funder
    return at.run()


def refusal(at: AppTest, path: str) -> str:
    return re.sub(r"\\(.)", r"\1", at.error[0].value).replace(path, "CHEMIN")


def test_a_plan_naming_a_server_path_is_refused_unread(tmp_path, monkeypatch):
    existing = tmp_path / "communes.csv"
    existing.write_bytes((DATA / "communes_fr_cp1252.csv").read_bytes())  # a valid territory file
    missing = tmp_path / "absent" / "communes.csv"
    monkeypatch.setattr(
        specs, "load_territory_file", lambda *a: pytest.fail("a path named in a plan was read")
    )
    messages = []
    for path in (str(existing), str(missing)):
        at = bilan(funder=True)
        at.file_uploader(key="bilan_plan_file").set_value(
            ("plan.json", plan_naming(path), "application/json")
        )
        at.run()
        assert not at.exception
        assert not at.metric  # no figure of any territory
        messages.append(refusal(at, path))
    assert messages[0] == messages[1]  # the answer does not say whether the file exists
    assert "territoire refusé : « CHEMIN » n'est pas un territoire intégré" in messages[0]
    assert "plan.json" in messages[0]


def test_a_funder_upload_leaves_nothing_on_disk(tmp_path, monkeypatch):
    uploads, scratch = tmp_path / "uploads", tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("ALLER_VERS_UPLOAD_DIR", str(uploads))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    at = bilan(funder=True)
    at.file_uploader(key="bilan_plan_file").set_value(
        ("plan.json", (DATA / "plan_vierzon_petit.json").read_bytes(), "application/json")
    )
    at.run()
    assert not at.exception and at.metric  # the uploaded plan is shown…
    territoire = AppTest.from_file(str(ROOT / "app_pages" / "territoire.py"), default_timeout=120)
    territoire.session_state["_auth_view_as_funder"] = True
    territoire.run()
    assert not territoire.get("file_uploader")  # …and a funder has no territory import at all
    assert not uploads.exists() and list(scratch.iterdir()) == []  # …and nothing was written
