"""Every file of the hostile corpus fed to every upload of every page: no traceback, no English
Python message; every refusal is French and names the file; nothing half-stored.

A file whose extension the uploader does not take is fed renamed to one it takes, as a user would
rename it. One AppTest per page goes through the whole corpus (a fresh page per file would take
minutes).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.store import repo
from planner.store.db import dispose_engine, open_store
from tests.hostile.corpus import Hostile, build

ROOT = Path(__file__).resolve().parents[2]
CORPUS = build()
# Fragments of Python's own (English) messages: none may reach a page.
PYTHON_TEXT = re.compile(
    r"Traceback|File \"|Error\b|Exception\b|\bcould not\b|\bCould not\b|\bExpecting\b|\bexpected\b|"
    r"\binvalid\b|\bcodec\b|\bdecode\b|\bfield larger\b|\bline \d+ column\b|\bchar \d+\b|\bNoneType\b|"
    r"\bhas no attribute\b|\bnot supported\b|\bUnterminated\b|\bdelimiter\b|\bErrno\b|\bNo such file\b|"
    r"\bobject\b|\bZip\b|\bzip file\b|\bFile is not\b"
)
MIME = {
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".json": "application/json",
    ".xlsx": "application/octet-stream",
}


@pytest.fixture
def engine():
    eng = open_store()
    yield eng
    dispose_engine()


def as_read(markdown: str) -> str:
    """What a reader sees of an escaped markdown message."""
    return re.sub(r"\\(.)", r"\1", markdown)


def shown(at: AppTest) -> list[str]:
    """The text of every message element, as read."""
    kinds = (at.error, at.warning, at.info, at.success, at.markdown, at.caption, at.exception)
    return [as_read(str(e.value)) for kind in kinds for e in kind]


def check_refusal(at: AppTest, name: str) -> None:
    assert not at.exception, f"{name}: {at.exception}"
    for text in shown(at):
        assert not PYTHON_TEXT.search(text), f"{name}: Python text on the page: {text[:300]}"
    for error in at.error:
        assert name in as_read(error.value), f"{name}: refusal without the file's name: {error.value[:300]}"


def feed(file: Hostile, uploader) -> tuple[str, bytes, str]:
    """The file as this uploader gets it: its own name if the uploader takes it, else renamed."""
    allowed = ["." + t.lstrip(".") for t in uploader.allowed_type]
    name = file.name if file.suffix in allowed else file.named(allowed[0])
    return name, file.data, MIME.get(Path(name).suffix, "application/octet-stream")


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "app_pages" / name), default_timeout=120).run()


def test_the_corpus_has_every_shape():
    assert len(CORPUS) >= 44
    assert {f.suffix for f in CORPUS} == {".csv", ".xlsx", ".json"}


def test_demandes_import(engine):
    at = page("demandes.py")
    for file in CORPUS:
        name, data, mime = feed(file, at.file_uploader(key="import_file"))
        at.file_uploader(key="import_file").set_value((name, data, mime)).run()
        at.button(key="import_button").click().run()
        check_refusal(at, name)
        if at.error:
            assert "Import annulé, aucune demande enregistrée" in at.error[0].value
            assert repo.list_requests(engine) == (), f"{name}: requests stored despite the refusal"
        else:  # a file that happens to be valid: its requests are stored, all of them
            assert at.success, f"{name}: neither refused nor imported"
            for rec in repo.list_requests(engine):
                repo.delete_request(engine, rec.id, "test")


def test_territoire_import(tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    monkeypatch.setenv("ALLER_VERS_UPLOAD_DIR", str(uploads))
    at = page("territoire.py")
    for file in CORPUS:
        name, data, mime = feed(file, at.file_uploader(key="territory_upload"))
        at.file_uploader(key="territory_upload").set_value((name, data, mime)).run()
        next(b for b in at.button if b.label == "Charger ce territoire").click().run()
        check_refusal(at, name)
        assert at.error, f"{name}: a hostile file became a territory"
        assert "Le fichier n'a pas été chargé" in at.error[0].value
        assert not uploads.exists() or not any(uploads.rglob("*.*")), f"{name}: stored despite the refusal"


def test_planification_requests_file():
    at = page("planification.py")
    for file in CORPUS:
        name, data, mime = feed(file, at.file_uploader(key="pl_requests_file"))
        at.file_uploader(key="pl_requests_file").set_value((name, data, mime)).run()
        check_refusal(at, name)


@pytest.mark.parametrize("key", ["bilan_plan_file", "bilan_base_file"])
def test_bilan_plan_files(key):
    at = AppTest.from_file(str(ROOT / "app_pages" / "bilan.py"), default_timeout=120)
    if key == "bilan_base_file":  # the reference plan is read when a plan is shown
        from planner.plan_json import load_plan

        at.session_state["plan"] = load_plan(ROOT / "tests" / "data" / "plan_vierzon_petit.json")
    at.run()
    for file in CORPUS:
        name, data, mime = feed(file, at.file_uploader(key=key))
        at.file_uploader(key=key).set_value((name, data, mime)).run()
        check_refusal(at, name)


def test_tournee_realised_import(engine):
    """The « Réalisé » import of Tournée: every hostile file refused in French, nothing stored."""
    from planner.plan_json import load_plan
    from planner.store import realised
    from planner.store import workspace as ws

    plan = load_plan(ROOT / "tests" / "data" / "plan_vierzon_petit.json")
    version, _, _ = ws.commit_plan(
        engine, "vierzon", plan, "Plan annoncé", "coordination", base=ws.get_workspace(engine, "vierzon").base
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("app_pages/tournee.py").run()
    for file in CORPUS:
        name, data, mime = feed(file, at.file_uploader(key="tn_real_file"))
        at.file_uploader(key="tn_real_file").set_value((name, data, mime)).run()
        at.button(key="tn_real_import_go").click().run()
        assert not at.exception, f"{name}: {at.exception}"
        refusals = [as_read(e.value) for e in at.error if "Rien n'est importé" in e.value]
        assert len(refusals) == 1 and name in refusals[0], f"{name}: {[e.value[:200] for e in at.error]}"
        assert not PYTHON_TEXT.search(refusals[0]), f"{name}: Python text on the page: {refusals[0][:300]}"
        assert not realised.list_imports(engine, version), name
        assert not realised.list_outcomes(engine, version), name
