"""Every file of the hostile corpus given to every command that reads a file: one French line on
stderr naming the file and exit code 2 (or the file is valid and accepted) — never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner.cli import main
from planner.errors import PlannerError
from planner.inputs.tables import load_locked_sessions, load_requests, load_resources
from planner.plan_json import load_plan
from planner.store import repo
from planner.store.db import dispose_engine, open_store
from tests.hostile.corpus import Hostile, build

CORPUS = build()
PYTHON_TEXT = re.compile(
    r"Traceback|File \"|Error\b|Exception\b|\bcould not\b|\bCould not\b|\bExpecting\b|\bexpected\b|"
    r"\binvalid\b|\bcodec\b|\bdecode\b|\bfield larger\b|\bline \d+ column\b|\bchar \d+\b|\bNoneType\b|"
    r"\bhas no attribute\b|\bnot supported\b|\bUnterminated\b|\bdelimiter\b|\bErrno\b|\bNo such file\b"
)
SEASON = ["--start", "2027-01-04", "--end", "2027-03-26", "--greedy", "--quiet"]
# command (the file's place marked FILE), the extensions it takes, and its reader: a file the reader
# accepts may still be refused for what it says (a locked session on an unknown resource…)
COMMANDS = {
    "requests import": (["requests", "import", "FILE"], (".csv", ".xlsx"), None),
    "territory": (["territory", "FILE", "--json"], (".csv", ".xlsx", ".txt"), None),
    "plan --requests": (
        ["plan", "vierzon", *SEASON, "--requests", "FILE", "--out", "OUT"],
        (".csv", ".json"),
        load_requests,
    ),
    "plan --resources": (
        ["plan", "vierzon", *SEASON, "--resources", "FILE", "--out", "OUT"],
        (".csv", ".json"),
        load_resources,
    ),
    "plan --locked": (
        ["plan", "vierzon", *SEASON, "--locked", "FILE", "--out", "OUT"],
        (".json", ".csv"),
        load_locked_sessions,
    ),
    "export": (["export", "FILE", "--format", "json", "--out", "OUT"], (".json",), load_plan),
}


def _readable(reader, path: Path) -> bool:
    try:
        reader(path)
    except PlannerError:
        return False
    return True


@pytest.fixture
def engine():
    eng = open_store()
    yield eng
    dispose_engine()


def _place(file: Hostile, folder: Path, suffixes: tuple[str, ...]) -> Path:
    path = folder / (file.name if file.suffix in suffixes else file.named(suffixes[0]))
    path.write_bytes(file.data)
    return path


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_hostile_file_gets_one_french_line(command, tmp_path, capsys, engine):
    args, suffixes, reader = COMMANDS[command]
    for file in CORPUS:
        path = _place(file, tmp_path, suffixes)
        argv = [str(path) if a == "FILE" else str(tmp_path / "sortie") if a == "OUT" else a for a in args]
        code = main(argv)
        err = capsys.readouterr().err
        assert code in (0, 2, 3), f"{command} {path.name}: exit {code}"
        if code in (2, 3):  # 3: a readable file whose content allows no plan (e.g. a lock out of season)
            lines = err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("Erreur : "), f"{command} {path.name}: {err[:300]}"
            if code == 2 and path.name not in lines[0]:
                assert reader and _readable(reader, path), (
                    f"{command} {path.name}: not named: {lines[0][:300]}"
                )
            assert not PYTHON_TEXT.search(lines[0]), f"{command} {path.name}: Python text: {lines[0][:300]}"
        elif command == "requests import":
            for rec in repo.list_requests(engine):  # a valid file: start the next one from empty
                repo.delete_request(engine, rec.id, "test")
        path.unlink()


def test_a_refused_import_stores_nothing(tmp_path, capsys, engine):
    for file in CORPUS:
        path = _place(file, tmp_path, (".csv", ".xlsx"))
        if main(["requests", "import", str(path)]) == 2:
            assert repo.list_requests(engine) == (), path.name
        else:
            for rec in repo.list_requests(engine):
                repo.delete_request(engine, rec.id, "test")
        capsys.readouterr()
