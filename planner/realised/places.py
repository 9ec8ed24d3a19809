"""Places written « nom de la structure, code postal commune » or « code postal commune »: to INSEE codes.

Several communes share a postal code (18100: Vierzon, Méry-sur-Cher, Thénioux…), so a place is
matched on the postal code AND the name, from the embedded table ``data/codes_postaux_cvl.csv``
(La Poste, through ``@etalab/decoupage-administratif``; see ``data/SOURCES.md``). Old names of
communes déléguées or associées find the commune they now belong to. Names are compared without
accents, case, hyphens or apostrophes, « St » reading « Saint ».

When the postal code's communes do not include the name, the place still resolves if the
postal code has a single commune (a misspelt name) or if the name is that of a single commune
of the postal code's département (a wrong postal code); otherwise :class:`PlaceError` says what
is ambiguous, in French.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import pandas as pd

from planner import DATA_DIR
from planner.errors import InputError
from planner.model import INSEE_CODE

POSTAL_FILE = DATA_DIR / "codes_postaux_cvl.csv"
_TRAILING_PLACE = re.compile(r"(?:^|[\s,])(\d{5})\s+([^\d,]+?)\s*$")
_CEDEX = re.compile(r"\s+cedex(\s+\d+)?\s*$", re.IGNORECASE)
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "s/": "sur"}


class PlaceError(InputError):
    """A place that names no commune of the region, or several."""


def fold_name(name: str) -> str:
    """A commune name reduced for comparison: ``"ST GEORGES-SUR-LA-PRÉE"`` → ``"saint georges sur la pree"``."""
    text = unicodedata.normalize("NFKD", name.replace("’", "'")).encode("ascii", "ignore").decode().lower()
    text = _CEDEX.sub("", re.sub(r"[\s\-'’`.]+", " ", text).strip())
    return " ".join(_ABBREVIATIONS.get(word, word) for word in text.split())


def split_place(text: str) -> tuple[str, str]:
    """``"Médiathèque, 18100 Vierzon"`` → ``("18100", "Vierzon")``; ``("", text)`` without a postal code."""
    text = _CEDEX.sub("", " ".join(str(text).split()))
    if m := _TRAILING_PLACE.search(text):
        return m.group(1), m.group(2).strip()
    return "", text


@dataclass(frozen=True, eq=False)
class PlaceIndex:
    """Postal codes and names of the region's communes (see :func:`region_places`)."""

    by_postal: Mapping[str, tuple[tuple[str, str], ...]]
    by_name: Mapping[str, tuple[str, ...]]
    names: Mapping[str, str]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> PlaceIndex:
        """Build from a table with columns ``code_postal, code_insee, nom``."""
        by_postal: dict[str, list[tuple[str, str]]] = defaultdict(list)
        by_name: dict[str, set[str]] = defaultdict(set)
        names: dict[str, str] = {}
        for cp, code, name, kind in frame[["code_postal", "code_insee", "nom", "type"]].itertuples(
            index=False
        ):
            by_postal[cp].append((fold_name(name), code))
            by_name[fold_name(name)].add(code)
            if kind == "commune":
                names[code] = name
        return cls(
            MappingProxyType({k: tuple(v) for k, v in by_postal.items()}),
            MappingProxyType({k: tuple(sorted(v)) for k, v in by_name.items()}),
            MappingProxyType(names),
        )

    def name(self, code: str) -> str:
        """The commune's name (its code when it is not in the region)."""
        return self.names.get(code, code)

    def _listed(self, codes: Collection[str]) -> str:
        return ", ".join(f"{self.name(c)} ({c})" for c in sorted(codes, key=self.name))

    def find(self, text: str, *, prefer: Collection[str] = ()) -> str:
        """The INSEE code of the commune a place text names.

        Parameters
        ----------
        text
            « nom de la structure, code postal commune », « code postal commune », a commune
            name alone, or an INSEE code.
        prefer
            INSEE codes to choose among when a name alone fits several communes (the plan's
            communes, say).

        Raises
        ------
        PlaceError
            When the text names no commune of the region, or several.
        """
        raw = " ".join(str(text).split())
        if not raw or raw == "-":
            raise PlaceError("lieu vide")
        if INSEE_CODE.match(raw.upper()):
            if raw.upper() in self.names or raw.upper() in prefer:
                return raw.upper()
            raise PlaceError(f"code INSEE « {raw} » inconnu dans la région Centre-Val de Loire")
        postal, name = split_place(raw)
        folded = fold_name(name)
        if postal:
            return self._find_with_postal(raw, postal, folded)
        codes = self.by_name.get(folded, ())
        if len(codes) == 1:
            return codes[0]
        if not codes:
            raise PlaceError(
                f"« {raw} » : aucune commune de la région ne porte ce nom (ajoutez le code postal)"
            )
        preferred = [c for c in codes if c in set(prefer)]
        if len(preferred) == 1:
            return preferred[0]
        raise PlaceError(
            f"« {raw} » : plusieurs communes portent ce nom ({self._listed(codes)}) ; ajoutez le code postal"
        )

    def _find_with_postal(self, raw: str, postal: str, folded: str) -> str:
        entries = self.by_postal.get(postal, ())
        named = {code for n, code in entries if n == folded}
        if len(named) == 1:
            return named.pop()
        postal_codes = {code for _, code in entries}
        if not named and len(postal_codes) == 1:
            return postal_codes.pop()
        same_dep = {c for c in self.by_name.get(folded, ()) if c[:2] == postal[:2]}
        if not named and len(same_dep) == 1:
            return same_dep.pop()
        if not entries:
            raise PlaceError(f"« {raw} » : code postal {postal} inconnu dans la région Centre-Val de Loire")
        raise PlaceError(
            f"« {raw} » : commune ambiguë ou introuvable pour le code postal {postal} "
            f"(communes de ce code : {self._listed(postal_codes)})"
        )


@lru_cache(maxsize=1)
def region_places() -> PlaceIndex:
    """The index of the embedded postal-code table (read once per process)."""
    frame = pd.read_csv(POSTAL_FILE, dtype=str, keep_default_na=False)
    return PlaceIndex.from_frame(frame)
