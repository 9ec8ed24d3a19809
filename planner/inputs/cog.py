"""INSEE commune codes checked against the Code officiel géographique (COG 2026, shipped).

Spreadsheets store « 01053 » as the number 1053: a four-digit code may be a code whose leading
zero was eaten. It is restored only when the restored code is a real commune — « 1810 » is not
(01810 does not exist) and is refused rather than padded into a wrong one.
"""

from __future__ import annotations

import gzip
import io
from functools import lru_cache

import pandas as pd

from planner import DATA_DIR
from planner.model import INSEE_CODE

COG_FILE = DATA_DIR / "cog_2026_communes.csv.gz"
COG_NAME = "Code officiel géographique 2026"


@lru_cache(maxsize=1)
def cog_names() -> dict[str, str]:
    """``code_insee -> name`` of every commune of the COG 2026 (metropolitan France and DROM)."""
    with gzip.open(COG_FILE, "rb") as handle:
        frame = pd.read_csv(io.BytesIO(handle.read()), dtype=str, keep_default_na=False)
    return dict(zip(frame["code_insee"], frame["nom"], strict=True))


def is_commune(code: str) -> bool:
    """True when ``code`` is a commune of the COG 2026."""
    return code in cog_names()


def commune_code(text: str) -> str:
    """The INSEE code ``text`` stands for, or :class:`ValueError` with a French reason.

    Accepted: five characters (``18279``, ``2A004``) naming a commune of the COG, or four digits
    whose restored leading zero names one (``1053`` → ``01053``). Spaces and the case of
    ``2a``/``2b`` do not matter; a number written ``18279.0`` by a spreadsheet reads as ``18279``.
    """
    raw = str(text).strip()
    code = raw.replace(" ", "").replace("\u00a0", "").upper()
    if code.endswith(".0") and code[:-2].isdigit():
        code = code[:-2]
    if code.isdigit() and len(code) == 4:
        padded = "0" + code
        if is_commune(padded):
            return padded
        raise ValueError(
            f"code INSEE invalide : « {raw} » n'est pas une commune (et {padded}, avec le zéro initial "
            f"qu'un tableur aurait pu retirer, n'existe pas dans le {COG_NAME})"
        )
    if not INSEE_CODE.match(code):
        raise ValueError(f"code INSEE invalide : « {raw} » (5 caractères attendus, ex. 18279)")
    if not is_commune(code):
        raise ValueError(f"code INSEE inconnu : « {raw} » n'est pas une commune du {COG_NAME}")
    return code
