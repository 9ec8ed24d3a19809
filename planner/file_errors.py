"""A user's file that cannot be read becomes one French sentence naming the file — never a traceback.

The readers (:mod:`planner.inputs`, :mod:`planner.hosting.request_form`, :mod:`planner.plan_json`)
raise :class:`~planner.errors.InputError` for what they recognise. :func:`reading` wraps every
call to them where a file enters (an upload on a page, a file named on the command line), so that
whatever else a malformed file provokes — ``_csv.Error``, ``zipfile.BadZipFile``, a ``KeyError``
in a JSON structure, a ``RecursionError`` on absurd nesting, a Python message quoted inside an
``InputError`` — reaches the user in French, with the file's name, while the original goes to the
log. Before any reader runs, :func:`check_file` refuses what no reader should open: an oversized
file, a "workbook" that is not one, a zip bomb.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from xml.etree.ElementTree import ParseError

from planner.errors import InputError, PlannerError

MAX_FILE_BYTES = 20 * 1024 * 1024  # as Streamlit's server.maxUploadSize in .streamlit/config.toml
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a real workbook of this tool is a few megabytes at most
MAX_ZIP_RATIO = 200  # XML compresses ~10-20×; far more is a bomb
MAX_HEADER_BYTES = 16 * 1024  # a header row of this tool's tables is a few hundred bytes
MAX_COLUMNS = 500
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an .xlsx protected by a password
_LINE = re.compile(r"\bline (\d+)")
_log = logging.getLogger(__name__)
T = TypeVar("T")


def _workbook_problem(head: bytes, archive: zipfile.ZipFile | None) -> str | None:
    """Why bytes named ``.xlsx`` are no workbook to open, or ``None``."""
    if head.startswith(_OLE_MAGIC):
        return (
            "classeur protégé par un mot de passe ou au format Excel 97-2003 (.xls) : enregistrez-le au "
            "format .xlsx, sans mot de passe"
        )
    if archive is None:
        if head.strip() and not any(b < 9 or 13 < b < 32 for b in head[:512]):  # no control bytes: text
            return "ce fichier est un texte (CSV ?) renommé en .xlsx : enregistrez-le en .csv"
        return "ce n'est pas un classeur Excel (.xlsx) : fichier abîmé ou d'un autre format"
    members = archive.infolist()
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
        return "classeur anormalement volumineux une fois décompressé : refusé par prudence"
    if not any(m.filename.startswith("xl/") for m in members):
        return "archive zip qui n'est pas un classeur Excel (.xlsx)"
    return None


def _table_problem(head: bytes) -> str | None:
    """Why the start of a text file is no table header (a reader would stall on it), or ``None``."""
    lines = head.lstrip(b"\xef\xbb\xbf \t\r\n").splitlines()
    first = lines[0] if lines else b""
    if len(first) > MAX_HEADER_BYTES:
        return "première ligne démesurée : ce n'est pas la ligne d'en-tête d'un tableau"
    if max(first.count(sep) for sep in (b";", b",", b"\t")) >= MAX_COLUMNS:
        return f"plus de {MAX_COLUMNS} colonnes : ce n'est pas un tableau de cet outil"
    return None


def check_file(source: bytes | str | Path, name: str) -> None:
    """Refuse, before any reader opens it, a file that is too large or a workbook that is not one.

    Parameters
    ----------
    source
        The file's bytes (an upload) or its path (the command line).
    name
        The name the user knows it by (its extension says what it should be).

    Raises
    ------
    InputError
        Naming the file.
    """
    try:
        size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    except OSError:
        return  # the reader says « fichier introuvable » in its own words
    if size > MAX_FILE_BYTES:
        raise InputError(f"fichier trop volumineux ({size // (1024 * 1024)} Mo, 20 Mo au plus)", file=name)
    if isinstance(source, bytes):
        head = source[: MAX_HEADER_BYTES + 1]
    else:
        with open(source, "rb") as handle:
            head = handle.read(MAX_HEADER_BYTES + 1)
    if name.lower().endswith((".csv", ".txt")):
        problem = _table_problem(head)
        if problem:
            raise InputError(problem, file=name)
        return
    if not name.lower().endswith((".xlsx", ".xlsm")):
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        archive = None
    try:
        problem = _workbook_problem(head, archive)
    finally:
        if archive is not None:
            archive.close()
    if problem:
        raise InputError(problem, file=name)


def describe(exc: BaseException) -> str:
    """A French sentence for an exception a reader let through (no Python text in it)."""
    if isinstance(exc, UnicodeError):
        return "encodage illisible : enregistrez le fichier en UTF-8 ou en Windows-1252"
    if isinstance(exc, json.JSONDecodeError):
        return f"JSON invalide à la ligne {exc.lineno}, caractère {exc.colno}"
    if isinstance(exc, RecursionError):
        return "structure trop profondément imbriquée pour être lue"
    if isinstance(exc, MemoryError):
        return "fichier trop volumineux pour être lu"
    if isinstance(exc, zipfile.BadZipFile | zipfile.LargeZipFile | EOFError) or _is_openpyxl_error(exc):
        return "classeur Excel illisible : ce n'est pas un fichier .xlsx valide (abîmé ou renommé ?)"
    if isinstance(exc, ParseError) or type(exc).__name__ in {"XMLSyntaxError", "EntitiesForbidden"}:
        return "classeur Excel abîmé : son contenu XML est invalide"
    if isinstance(exc, csv.Error) or type(exc).__name__ in {"ParserError", "EmptyDataError"}:
        return (
            "tableau illisible : fichier vide, guillemets non refermés, cellule démesurée ou séparateurs "
            "incohérents"
        )
    if isinstance(exc, FileNotFoundError | IsADirectoryError):
        return "fichier introuvable"
    if isinstance(exc, OSError):
        return "fichier illisible"
    if isinstance(exc, KeyError | TypeError | ValueError | AttributeError | IndexError | OverflowError):
        return "contenu inattendu : le fichier n'a pas la forme attendue"
    return "fichier illisible (format inattendu)"


def _is_openpyxl_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("openpyxl") or (
        isinstance(exc, KeyError) and "There is no item named" in str(exc)
    )


def _row_of(exc: BaseException) -> int | None:
    """The line of a text table a CSV parser complained about (not the line of some XML inside)."""
    if not (isinstance(exc, csv.Error) or type(exc).__name__ == "ParserError"):
        return None
    found = _LINE.search(str(exc))
    return int(found.group(1)) if found else None


def _python_texts(exc: BaseException) -> set[str]:
    """The English fragments a Python exception can lend to a message: its text, args, ``msg``…"""
    texts = {str(exc), *(a for a in exc.args if isinstance(a, str))}
    texts |= {v for name in ("msg", "reason", "strerror") if isinstance(v := getattr(exc, name, None), str)}
    return {t for t in texts if len(t) >= 3}


def _quoted_python_error(error: InputError) -> BaseException | None:
    """The foreign exception whose English text ``error``'s message quotes, if any."""
    for cause in (error.__cause__, error.__context__):
        if cause is None or isinstance(cause, PlannerError):
            continue
        if any(text in error.message for text in _python_texts(cause)):
            return cause
    return None


def read_path(reader: Callable[[str], T], path: str | Path) -> T:
    """``reader(path)`` under :func:`reading`: a file (or territory spec) named on the command line.

    A spec that is not a file (``vierzon``, ``epci:…``) goes through unchanged.
    """
    with reading(Path(path).name or str(path), Path(path)):
        return reader(str(path))


@contextmanager
def reading(name: str, source: bytes | str | Path | None = None) -> Iterator[None]:
    """Wrap the reading of one user file: every failure leaves as a French :class:`InputError`.

    Parameters
    ----------
    name
        The file's name as the user knows it: every message names it.
    source
        Its bytes or path, to run :func:`check_file` first (optional).

    Examples
    --------
    >>> with reading(upload.name, upload.getvalue()):  # doctest: +SKIP
    ...     forms = read_request_table(upload, upload.name)
    """
    try:
        if source is not None:
            check_file(source, name)
        yield
    except InputError as exc:
        cause = _quoted_python_error(exc)
        if cause is not None:
            _log.warning("reading %s failed: %r", name, cause)
            raise InputError(
                describe(cause), file=exc.file or name, row=exc.row or _row_of(cause), column=exc.column
            ) from cause
        if exc.file is None:
            raise InputError(exc.message, file=name, row=exc.row, column=exc.column) from exc
        raise
    except PlannerError:
        raise
    except Exception as exc:
        _log.warning("reading %s failed", name, exc_info=True)
        raise InputError(describe(exc), file=name, row=_row_of(exc)) from exc
