"""The command line speaks French, from argument errors to help, and exits non-zero on errors."""

import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("plan", "vierzon"), "Erreur : arguments obligatoires manquants : --start, --end, --out"),
        (("frob",), "Erreur : argument command : choix invalide 'frob'"),
        (("territory", "vierzon", "--nope"), "Erreur : arguments inconnus : --nope"),
    ],
)
def test_argument_errors_are_french(args, expected):
    result = run(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "utilisation :" in result.stderr
    assert "error:" not in result.stderr and "usage:" not in result.stderr


def test_help_is_french():
    result = run("territory", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("utilisation :")
    assert "afficher cette aide et quitter" in result.stdout
    assert "show this help" not in result.stdout


def test_a_closed_pipe_ends_quietly():
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    writer = subprocess.run(
        [sys.executable, "-m", "planner", "territory", "cvl", "--json"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )
    reader.stdin.close()
    reader.wait(timeout=30)
    assert writer.returncode == 0
    assert "Traceback" not in writer.stderr
