"""What happened to one planned session: held with its participants, or cancelled with a reason."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from planner.errors import InputError
from planner.model import check_insee_code
from planner.realised.age_bands import check_age_band

#: Why a session did not take place: code -> French label (the fixed list the screens offer).
CANCEL_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "weather": "météo",
        "breakdown": "panne du bus",
        "no_show": "personne n'est venu",
        "staff_absent": "animateur absent",
        "venue_unavailable": "lieu indisponible",
        "other": "autre",
    }
)

#: Where an outcome comes from: code -> French label.
SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "entry": "saisie",
        "coop": "export de la Coop de la médiation numérique",
        "sheet": "feuille de présence",
    }
)

#: More participants than this in one session is a typing error, not a workshop.
MAX_PARTICIPANTS = 500


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode()
    return " ".join(text.lower().split())


def parse_cancel_reason(text: str) -> str:
    """A cancellation reason's code from its code or its French label (case and accents ignored).

    Raises
    ------
    InputError
        When ``text`` is neither, naming the possible reasons.
    """
    key = _fold(text)
    for code, label in CANCEL_REASONS.items():
        if key in (code, _fold(label)):
            return code
    choices = ", ".join(f"« {label} »" for label in CANCEL_REASONS.values())
    raise InputError(f"motif d'annulation inconnu : « {text.strip()} » (possibles : {choices})")


def _counts(values: Mapping[str, int], what: str) -> Mapping[str, int]:
    for key, n in values.items():
        if not isinstance(n, int) or n < 0:
            raise InputError(f"{what} « {key} » : nombre de personnes invalide ({n})")
    return MappingProxyType({k: n for k, n in values.items() if n > 0})


@dataclass(frozen=True)
class SessionOutcome:
    """The outcome of the planned session ``uid`` (see :attr:`planner.model.Session.uid`).

    Parameters
    ----------
    uid
        The planned session's identity.
    held
        ``True`` when the session took place.
    participants
        People present (at least 1 when held, 0 when cancelled: a session nobody came to is
        cancelled with the reason ``no_show``).
    cancel_reason
        A key of :data:`CANCEL_REASONS` when cancelled, ``""`` when held.
    age_bands
        Participants per age band (keys of :mod:`planner.realised.age_bands`); those whose
        band is unknown are left out, so the counts may add up to less than ``participants``.
    residence
        Participants per INSEE code of their commune of residence; unknown ones left out.
    source
        A key of :data:`SOURCES`.
    """

    uid: str
    held: bool
    participants: int = 0
    cancel_reason: str = ""
    age_bands: Mapping[str, int] = field(default_factory=dict)
    residence: Mapping[str, int] = field(default_factory=dict)
    source: str = "entry"

    def __post_init__(self) -> None:
        if not self.uid:
            raise InputError("séance sans identifiant : le réalisé se rattache à une séance du plan")
        if self.source not in SOURCES:
            raise InputError(f"origine inconnue du réalisé : « {self.source} »")
        if not 0 <= self.participants <= MAX_PARTICIPANTS:
            raise InputError(
                f"nombre de participants invalide : {self.participants} (entre 0 et {MAX_PARTICIPANTS})"
            )
        if self.held:
            if self.cancel_reason:
                raise InputError("une séance tenue n'a pas de motif d'annulation")
            if self.participants < 1:
                raise InputError(
                    "séance tenue sans participant : indiquez plutôt « annulée — personne n'est venu »"
                )
        else:
            if self.cancel_reason not in CANCEL_REASONS:
                raise InputError(
                    "une séance annulée a besoin d'un motif : " + ", ".join(CANCEL_REASONS.values())
                )
            if self.participants:
                raise InputError("une séance annulée n'a pas de participants")
        ages = _counts(self.age_bands, "tranche d'âge")
        for band in ages:
            check_age_band(band)
        homes = _counts(self.residence, "commune de résidence")
        for code in homes:
            check_insee_code(code, "commune de résidence")
        for counts, what in ((ages, "tranche d'âge"), (homes, "commune de résidence")):
            if sum(counts.values()) > self.participants:
                raise InputError(
                    f"plus de personnes par {what} ({sum(counts.values())}) que de participants "
                    f"({self.participants})"
                )
        object.__setattr__(self, "age_bands", ages)
        object.__setattr__(self, "residence", homes)

    @property
    def reason_label(self) -> str:
        """The cancellation reason in French (``""`` when held)."""
        return CANCEL_REASONS.get(self.cancel_reason, "")

    @property
    def residence_unknown(self) -> int:
        """Participants whose commune of residence is unknown."""
        return self.participants - sum(self.residence.values())

    @property
    def age_unknown(self) -> int:
        """Participants whose age band is unknown."""
        return self.participants - sum(self.age_bands.values())


def cancelled(uid: str, reason: str, source: str = "entry") -> SessionOutcome:
    """A cancelled session (``reason``: a code or French label of :data:`CANCEL_REASONS`)."""
    return SessionOutcome(uid=uid, held=False, cancel_reason=parse_cancel_reason(reason), source=source)
