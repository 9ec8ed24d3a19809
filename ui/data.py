"""Cached access to territories, need and travel matrices for every page.

Everything here is keyed by its inputs (the territory spec, the need weights), so changing an
unrelated widget never recomputes a territory. Territories and matrices are immutable objects
shared across sessions (``st.cache_resource``); need results and tables are plain data
(``st.cache_data``).

The chosen territory lives in ``st.session_state["territory_spec"]`` and the need weights in
``st.session_state["need_weights"]``; pages read them with :func:`current_spec` and
:func:`current_weights`. Choosing another territory drops what belonged to the previous one
(:func:`ui.workspace.leave_territory`); a coordinator's need weights are stored with the
territory's settings, a funder's stay in the session (and go with it at sign-out).

The dashboard never opens a file a spec names: a spec is an embedded territory (``vierzon``,
``bv2022:…``, ``epci:…``, ``cvl``) or ``fichier:<empreinte>/<nom>``, a file of communes a
coordinator imported on the Territoire page, found by its content digest in the upload folder
(fixed places added from a file after ``+lieux:`` are found the same way). A spec read from an
uploaded plan therefore cannot make the server read ``/etc/…``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from planner.errors import AccessDenied, PlannerError, UnknownTerritoryError
from planner.model import CommuneNeed, Territory
from planner.territory.fixed_sites import read_lieux_file, with_fixed_places
from planner.territory.need import NeedWeights, compute_need, need_table
from planner.territory.specs import (
    DEFAULT_SPEC,
    LIEUX_MARK,
    load_territory,
    load_territory_file,
    territory_choices,
)
from planner.territory.travel import TravelMatrix, territory_matrix

SPEC_KEY = "territory_spec"
WEIGHTS_KEY = "need_weights"
_SELECT_KEY = "_territory_select"
DEFAULT_WEIGHTS = NeedWeights()
UPLOAD_PREFIX = "fichier:"
# fichier:<16 hex digits of the content's SHA-256>/<file name made of safe characters>
# (a file of communes, or of fixed places after « +lieux: »)
_UPLOAD_SPEC = re.compile(r"^fichier:([0-9a-f]{16})/([A-Za-z0-9_-][A-Za-z0-9._-]{0,119}\.(?:csv|xlsx|txt))$")


def _uploaded(ref: str, what: str) -> tuple[bytes, str]:
    """Bytes and name of an imported file (``fichier:<digest>/<name>``), from the upload folder only."""
    match = _UPLOAD_SPEC.match(ref)
    if match is None:
        raise UnknownTerritoryError("référence de fichier importé invalide")
    digest, name = match.groups()
    try:
        data = (upload_dir() / digest / name).read_bytes()
    except OSError:
        raise UnknownTerritoryError(
            f"le fichier {what} « {name} » n'est plus sur ce serveur : importez-le à nouveau sur la page "
            "Territoire"
        ) from None
    if hashlib.sha256(data).hexdigest()[:16] != digest:
        raise UnknownTerritoryError(f"le fichier {what} « {name} » a été modifié depuis son import")
    return data, name


def _uploaded_territory(spec: str) -> Territory:
    """The territory of a ``fichier:`` spec, read from the upload folder only."""
    data, name = _uploaded(spec, "de communes")
    return replace(load_territory_file(data, name), spec=spec)


@st.cache_resource(show_spinner="Chargement du territoire…")
def get_territory(spec: str) -> Territory:
    """The territory a spec names (cached across sessions; raises PlannerError subclasses).

    Embedded territories and imported files (``fichier:…``) only: a path is refused without
    being opened.
    """
    if LIEUX_MARK in spec:  # fixed places added from an imported file of the national standard
        base, places = spec.split(LIEUX_MARK, 1)
        data, name = _uploaded(places, "de lieux")
        return replace(with_fixed_places(get_territory(base), read_lieux_file(data, name).fixed), spec=spec)
    if spec.startswith(UPLOAD_PREFIX):
        return _uploaded_territory(spec)
    return load_territory(spec, allow_paths=False)


@st.cache_resource(show_spinner=False)
def get_matrix(spec: str) -> TravelMatrix:
    """Default travel matrix over the territory's communes (cached)."""
    return territory_matrix(get_territory(spec))


@st.cache_data(show_spinner="Calcul du besoin…")
def get_needs(spec: str, weights: NeedWeights = DEFAULT_WEIGHTS) -> dict[str, CommuneNeed]:
    """``code_insee -> CommuneNeed`` for the territory and weights (cached by both)."""
    return compute_need(get_territory(spec), weights, get_matrix(spec))


@st.cache_data(show_spinner=False)
def get_need_table(spec: str, weights: NeedWeights = DEFAULT_WEIGHTS) -> pd.DataFrame:
    """:func:`planner.territory.need.need_table` for the territory and weights (cached by both)."""
    return need_table(get_territory(spec), get_needs(spec, weights))


@st.cache_data(show_spinner=False)
def get_choices() -> list[tuple[str, str]]:
    """The territory selector's ``(spec, label)`` list (cached)."""
    return territory_choices()


def current_spec() -> str:
    """The territory chosen in this session (default :data:`planner.territory.specs.DEFAULT_SPEC`)."""
    return st.session_state.setdefault(SPEC_KEY, DEFAULT_SPEC)


def set_spec(spec: str) -> None:
    """Choose the territory for this session (what belonged to the previous one is dropped)."""
    _switch(spec)
    st.session_state.pop(_SELECT_KEY, None)


def _switch(spec: str) -> None:
    from ui import workspace as uw

    if st.session_state.get(SPEC_KEY) not in (None, spec):
        uw.leave_territory()
        st.session_state.pop(WEIGHTS_KEY, None)
    st.session_state[SPEC_KEY] = spec


def current_weights() -> NeedWeights:
    """The need weights chosen in this session (defaults until the Territoire page changes them)."""
    return st.session_state.setdefault(WEIGHTS_KEY, NeedWeights())


def set_weights(weights: NeedWeights) -> None:
    """Store the session's need weights (and, for the coordination, the territory's settings)."""
    st.session_state[WEIGHTS_KEY] = weights
    try:
        from ui import workspace as uw
        from ui.auth import current_role

        if current_role() == "coordinator":
            uw.save_settings(current_spec(), {"need_weights": weights_dict(weights)})
    except Exception:
        pass


def weights_dict(weights: NeedWeights) -> dict:
    """The weights by name (what a plan and the settings record)."""
    return dataclasses.asdict(weights)


def restore_weights(settings: dict) -> None:
    """Take the need weights stored with the territory's settings, if any and still valid."""
    stored = settings.get("need_weights")
    if not stored or WEIGHTS_KEY in st.session_state:
        return
    with contextlib.suppress(PlannerError, TypeError, ValueError):
        st.session_state[WEIGHTS_KEY] = NeedWeights(
            **{k: v for k, v in stored.items() if k in NeedWeights.__dataclass_fields__}
        )


def spec_label(spec: str) -> str:
    """French label of a spec (an imported file shows as « Fichier : name », added places as « + lieux : name »)."""
    if LIEUX_MARK in spec:
        base, places = spec.split(LIEUX_MARK, 1)
        match = _UPLOAD_SPEC.match(places)
        return f"{spec_label(base)} + lieux : {match.group(2) if match else places}"
    labels = dict(get_choices())
    if spec in labels:
        return labels[spec]
    match = _UPLOAD_SPEC.match(spec)
    return f"Fichier : {match.group(2)}" if match else spec


def upload_dir() -> Path:
    """Where uploaded territory files are kept (``ALLER_VERS_UPLOAD_DIR`` or the temp dir)."""
    base = os.environ.get("ALLER_VERS_UPLOAD_DIR") or os.path.join(
        tempfile.gettempdir(), "aller-vers-territoires"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _safe_name(filename: str) -> str:
    """``mes communes (2).csv`` → ``mes_communes__2_.csv``: ASCII letters, digits, ``._-`` only."""
    name = Path(filename).name
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", stem).lstrip(".")[:100] or "communes"
    return f"{safe}{suffix}"


def keep_upload(data: bytes, filename: str) -> str:
    """Store an uploaded file (already checked) under its content digest; return its reference
    ``fichier:<digest>/<name>``, the only way a spec names a file in the dashboard."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    name = _safe_name(filename)
    target = upload_dir() / digest / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return f"{UPLOAD_PREFIX}{digest}/{name}"


def register_upload(data: bytes, filename: str, role: str) -> str:
    """Check an uploaded file of communes, keep it and make it the session's territory.

    Only the coordination may keep a file on the server (``role`` is the session's role: a
    funder's upload would otherwise leave files on disk). Returns the new spec
    (``fichier:<digest>/<name>``). Raises :class:`planner.errors.InputError` (French, with row and
    column) when the file is bad, :class:`planner.errors.AccessDenied` for another role; nothing
    is stored then.
    """
    if role != "coordinator":
        raise AccessDenied("seule la coordination peut importer un territoire")
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx", ".txt"):
        raise UnknownTerritoryError(f"« {Path(filename).name} » : fichier .csv ou .xlsx attendu")
    load_territory_file(data, filename)  # validate fully before keeping anything
    spec = keep_upload(data, filename)
    set_spec(spec)
    return spec


def territory_selector(*, sidebar: bool = True) -> str:
    """Draw the territory selector (in the sidebar by default) and return the chosen spec.

    The choice is kept in ``st.session_state["territory_spec"]`` so that every page sees it,
    even pages that do not draw the selector.
    """
    spec = current_spec()
    choices = get_choices()
    options = [s for s, _ in choices]
    if spec not in options:
        options = [spec, *options]

    def _changed() -> None:
        _switch(st.session_state[_SELECT_KEY])

    where = st.sidebar if sidebar else st
    where.selectbox(
        "Territoire",
        options,
        index=options.index(spec),
        format_func=spec_label,
        key=_SELECT_KEY,
        on_change=_changed,
        help="Pays de Vierzon par défaut, un bassin de vie INSEE, un EPCI, ou votre fichier (page Territoire).",
    )
    return current_spec()


def load_error(spec: str) -> str | None:
    """French message if the territory cannot be loaded, else ``None`` (for pages to show)."""
    try:
        get_territory(spec)
    except PlannerError as exc:
        return str(exc)
    return None
