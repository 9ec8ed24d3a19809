"""The host-request form ("demande d'accueil"): its fields, their validation and their export.

A :class:`RequestForm` is what a commune (or a coordinator taking a call) fills in. It is built
from raw widget or spreadsheet values by :func:`parse_request_form`, which raises
:class:`~planner.errors.InputError` with a French message naming the field. Text is kept exactly as
typed (HTML or script included): it is data, never markup, and every display escapes it
(:func:`escape_markdown`, :func:`html.escape`); exports neutralise spreadsheet formulas.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from planner.errors import InputError
from planner.inputs.sheet import Column, Row, cell_text, read_sheet
from planner.inputs.tables import REQUEST_SHEET_COLUMNS, neutralise_formula
from planner.model import HostRequest, check_insee_code, format_weekdays, parse_weekdays

STATUS_LABELS: dict[str, str] = {
    "submitted": "déposée",
    "accepted": "acceptée",
    "declined": "refusée",
    "scheduled": "programmée",
}
PUBLICS: tuple[str, ...] = (
    "seniors",
    "demandeurs d'emploi",
    "jeunes",
    "allocataires de minima sociaux",
    "parents",
    "personnes en situation de handicap",
    "tout public",
)
MAX_LENGTHS: dict[str, int] = {
    "venue": 200,
    "address": 300,
    "publics": 300,
    "themes": 1000,
    "promoter": 300,
    "notes": 2000,
    "contact_name": 120,
    "contact_role": 120,
    "contact_phone": 30,
    "contact_email": 254,
}
FIELD_LABELS: dict[str, str] = {
    "code_insee": "code INSEE",
    "venue": "lieu d'accueil",
    "address": "adresse",
    "has_power": "stationnement avec prise électrique",
    "toilets": "toilettes",
    "accessible_room": "salle accessible",
    "mobile_coverage": "couverture mobile",
    "wifi": "wifi",
    "weekdays": "jours possibles",
    "period_start": "début de période",
    "period_end": "fin de période",
    "blackout_dates": "dates impossibles",
    "expected_participants": "participants attendus",
    "home_visits": "visites à domicile demandées",
    "publics": "publics",
    "themes": "thèmes souhaités",
    "promoter": "promotion et inscriptions",
    "notes": "remarques",
    "contact_name": "nom du contact",
    "contact_role": "fonction du contact",
    "contact_phone": "téléphone du contact",
    "contact_email": "e-mail du contact",
}
CONTACT_FIELDS: tuple[str, ...] = ("contact_name", "contact_role", "contact_phone", "contact_email")
MAX_BLACKOUT_DATES = 366
MAX_PARTICIPANTS = 500
MAX_HOME_VISITS = 200
# Contact data is deleted this many months after the end of the season it was collected for.
CONTACT_RETENTION_MONTHS = 12
PRIVACY_NOTICE = (
    "Données personnelles : seules les coordonnées de la personne à contacter dans la commune sont "
    "enregistrées (aucun nom de participant). Elles ne sont visibles que par la coordination du "
    "dispositif et par la commune elle-même — et, pour les inscriptions, sur l'affiche que la commune "
    "imprime pour annoncer ses dates ; les financeurs ne voient que des chiffres agrégés. "
    f"Elles sont supprimées {CONTACT_RETENTION_MONTHS} mois après la fin de la saison concernée, "
    "ou plus tôt sur simple demande à la coordination, qui peut effacer une demande et son contact."
)

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_PHONE_DIGITS = re.compile(r"^[1-9]\d{8}$")
_TRUE = {"1", "oui", "o", "vrai", "true", "yes", "y", "x"}
_FALSE = {"0", "non", "n", "faux", "false", "no", ""}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$:])")


def _label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


def clean_text(value: Any) -> str:
    """Trim, normalise (NFC) and drop control characters other than newline and tab."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from a spreadsheet cell
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def normalise_phone(text: str) -> str:
    """Return a French phone number as ``01 23 45 67 89``; raise :class:`InputError` if it is not one.

    Accepted: ``0123456789``, ``01 23 45 67 89``, ``01.23.45.67.89``, ``01-23-45-67-89``,
    ``+33 1 23 45 67 89``, ``+33 (0)1 23 45 67 89``, ``0033 1 23 45 67 89``.
    """
    compact = re.sub(r"[\s.\-]", "", text).replace("(0)", "")
    if compact.startswith("+33"):
        rest = compact[3:]
    elif compact.startswith("0033"):
        rest = compact[4:]
    elif compact.startswith("0"):
        rest = compact[1:]
    else:
        rest = ""
    if not _PHONE_DIGITS.match(rest):
        raise InputError(
            f"numéro de téléphone invalide : « {text} » (format attendu : 01 23 45 67 89 ou +33 1 23 45 67 89)",
            column=_label("contact_phone"),
        )
    digits = "0" + rest
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


def check_email(text: str) -> str:
    """Return the e-mail address (domain lower-cased) or raise :class:`InputError`."""
    if len(text) > MAX_LENGTHS["contact_email"] or not _EMAIL.match(text):
        raise InputError(
            f"adresse e-mail invalide : « {text} » (exemple : accueil@mairie-exemple.fr)",
            column=_label("contact_email"),
        )
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def _fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class RequestForm:
    """A validated host request as a commune fills it in.

    ``has_power`` is "parking with an electric hook-up for the bus"; ``weekdays`` are 0 (Monday)
    … 6; the availability period is optional; ``publics`` lists the audiences expected.
    Construction checks everything that does not depend on today's date (see :meth:`check_dates`).
    """

    code_insee: str
    venue: str
    address: str = ""
    has_power: bool = False
    toilets: bool = False
    accessible_room: bool = False
    mobile_coverage: bool = False
    wifi: bool = False
    weekdays: tuple[int, ...] = ()
    period_start: date | None = None
    period_end: date | None = None
    blackout_dates: frozenset[date] = frozenset()
    expected_participants: int | None = None
    home_visits: int = 0
    publics: tuple[str, ...] = ()
    themes: str = ""
    promoter: str = ""
    notes: str = ""
    contact_name: str = ""
    contact_role: str = ""
    contact_phone: str = ""
    contact_email: str = ""

    def __post_init__(self) -> None:
        check_insee_code(self.code_insee)
        if not self.venue.strip():
            raise InputError("indiquez le lieu d'accueil (salle, place…)", column=_label("venue"))
        for name, limit in MAX_LENGTHS.items():
            value = ", ".join(self.publics) if name == "publics" else getattr(self, name)
            if len(value) > limit:
                raise InputError(
                    f"texte trop long : {len(value)} caractères pour {limit} au plus", column=_label(name)
                )
            if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
                raise InputError("caractères de contrôle non autorisés", column=_label(name))
        if any(d not in range(7) for d in self.weekdays):
            raise InputError("jour de semaine invalide", column=_label("weekdays"))
        object.__setattr__(self, "weekdays", tuple(sorted(set(self.weekdays))))
        if (self.period_start is None) != (self.period_end is None):
            raise InputError(
                "indiquez le début et la fin de la période de disponibilité, ou aucun des deux",
                column=_label("period_end"),
            )
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise InputError(
                f"la fin de la période ({_fr(self.period_end)}) précède son début ({_fr(self.period_start)})",
                column=_label("period_end"),
            )
        object.__setattr__(self, "blackout_dates", frozenset(self.blackout_dates))
        if len(self.blackout_dates) > MAX_BLACKOUT_DATES:
            raise InputError(
                f"trop de dates impossibles ({len(self.blackout_dates)}, {MAX_BLACKOUT_DATES} au plus)",
                column=_label("blackout_dates"),
            )
        if self.expected_participants is not None and not (
            0 <= self.expected_participants <= MAX_PARTICIPANTS
        ):
            raise InputError(
                f"nombre de participants attendus invalide : {self.expected_participants} "
                f"(entre 0 et {MAX_PARTICIPANTS})",
                column=_label("expected_participants"),
            )
        if not 0 <= self.home_visits <= MAX_HOME_VISITS:
            raise InputError(
                f"nombre de visites à domicile invalide : {self.home_visits} (entre 0 et {MAX_HOME_VISITS})",
                column=_label("home_visits"),
            )
        if self.contact_email:
            object.__setattr__(self, "contact_email", check_email(self.contact_email))
        if self.contact_phone:
            object.__setattr__(self, "contact_phone", normalise_phone(self.contact_phone))

    def check_dates(self, today: date) -> None:
        """Raise :class:`InputError` if a period or blackout date lies before ``today``."""
        if self.period_start and self.period_start < today:
            raise InputError(
                f"la période de disponibilité commence dans le passé ({_fr(self.period_start)})",
                column=_label("period_start"),
            )
        past = sorted(d for d in self.blackout_dates if d < today)
        if past:
            raise InputError(f"date impossible déjà passée : {_fr(past[0])}", column=_label("blackout_dates"))

    @property
    def has_contact(self) -> bool:
        """True when any contact field is filled."""
        return any(getattr(self, name) for name in CONTACT_FIELDS)

    def without_contact(self) -> RequestForm:
        """The same request with the contact person's data removed."""
        return _replace(self, contact_name="", contact_role="", contact_phone="", contact_email="")

    def checklist(self) -> dict[str, bool]:
        """The equipment checklist as ``label -> ticked``."""
        return {
            "stationnement avec prise électrique pour le bus": self.has_power,
            "toilettes": self.toilets,
            "salle accessible (PMR)": self.accessible_room,
            "couverture réseau mobile": self.mobile_coverage,
            "wifi": self.wifi,
        }


def _replace(form: RequestForm, **changes: Any) -> RequestForm:
    values = {name: getattr(form, name) for name in RequestForm.__dataclass_fields__}
    values.update(changes)
    return RequestForm(**values)


def parse_bool(value: Any, name: str) -> bool:
    """``oui``/``non``, ``1``/``0``, ``vrai``/``faux``, ``true``/``false`` (or a real bool)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = clean_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"valeur oui/non attendue, reçu « {text} »", column=_label(name))


def parse_date(value: Any, name: str) -> date | None:
    """A date from a ``date``, ``AAAA-MM-JJ`` or ``JJ/MM/AAAA``; empty gives ``None``."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = clean_text(value)
    if not text:
        return None
    try:
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
            day, month, year = (int(x) for x in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise InputError(
            f"date invalide : « {text} » (format attendu : AAAA-MM-JJ ou JJ/MM/AAAA)", column=_label(name)
        ) from exc


def parse_dates(value: Any, name: str = "blackout_dates") -> frozenset[date]:
    """Several dates separated by commas, semicolons or spaces (or an iterable of dates)."""
    if value is None:
        return frozenset()
    if isinstance(value, Iterable) and not isinstance(value, str):
        items = list(value)
    else:
        items = [x for x in re.split(r"[,; \n]+", clean_text(value)) if x]
    days = {parse_date(x, name) for x in items}
    return frozenset(d for d in days if d is not None)


def parse_participants(value: Any, field: str = "expected_participants") -> int | None:
    """An integer number of participants (or of home visits: ``field``), or ``None`` when empty."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        raise InputError("nombre entier attendu", column=_label(field))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = clean_text(value)
    if not text:
        return None
    if not re.fullmatch(r"-?\d+", text):
        raise InputError(f"nombre entier attendu, reçu « {text} »", column=_label(field))
    return int(text)


def parse_publics(value: Any) -> tuple[str, ...]:
    """Audiences from a list or a text separated by commas or semicolons."""
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else re.split(r"[,;]", clean_text(value))
    seen: dict[str, None] = {}
    for item in items:
        text = clean_text(item)
        if text:
            seen[text] = None
    return tuple(seen)


def parse_request_form(
    raw: Mapping[str, Any],
    *,
    today: date | None = None,
    file: str | None = None,
    row: int | None = None,
) -> RequestForm:
    """Build and validate a :class:`RequestForm` from raw widget or spreadsheet values.

    Parameters
    ----------
    raw
        Field name → value (text, bool, date, list…). The optimiser's request-file column
        ``venue`` is the venue name; unknown keys are ignored.
    today
        When given, dates before it are refused (see :meth:`RequestForm.check_dates`).
    file, row
        Where the values come from, to locate error messages.

    Raises
    ------
    InputError
        The first problem found, in French, with the field (and file/row) concerned.
    """
    try:
        weekdays_raw = raw.get("weekdays", "")
        weekdays = (
            tuple(weekdays_raw)
            if isinstance(weekdays_raw, list | tuple)
            else parse_weekdays(clean_text(weekdays_raw))
        )
        form = RequestForm(
            code_insee=clean_text(raw.get("code_insee", "")).zfill(5)
            if clean_text(raw.get("code_insee", "")).isdigit()
            else clean_text(raw.get("code_insee", "")).upper(),
            venue=clean_text(raw.get("venue", "")),
            address=clean_text(raw.get("address", "")),
            has_power=parse_bool(raw.get("has_power", False), "has_power"),
            toilets=parse_bool(raw.get("toilets", False), "toilets"),
            accessible_room=parse_bool(raw.get("accessible_room", False), "accessible_room"),
            mobile_coverage=parse_bool(raw.get("mobile_coverage", False), "mobile_coverage"),
            wifi=parse_bool(raw.get("wifi", False), "wifi"),
            weekdays=weekdays,
            period_start=parse_date(raw.get("period_start"), "period_start"),
            period_end=parse_date(raw.get("period_end"), "period_end"),
            blackout_dates=parse_dates(raw.get("blackout_dates")),
            expected_participants=parse_participants(raw.get("expected_participants")),
            home_visits=parse_participants(raw.get("home_visits"), "home_visits") or 0,
            publics=parse_publics(raw.get("publics")),
            themes=clean_text(raw.get("themes", "")),
            promoter=clean_text(raw.get("promoter", "")),
            notes=clean_text(raw.get("notes", "")),
            contact_name=clean_text(raw.get("contact_name", "")),
            contact_role=clean_text(raw.get("contact_role", "")),
            contact_phone=clean_text(raw.get("contact_phone", "")),
            contact_email=clean_text(raw.get("contact_email", "")),
        )
        if today is not None:
            form.check_dates(today)
        return form
    except InputError as exc:
        if file is None and row is None:
            raise
        raise InputError(exc.message, file=file, row=row, column=exc.column) from exc


def availability_blackouts(form: RequestForm, margin_days: int = 366) -> frozenset[date]:
    """Blackout dates plus every day within ``margin_days`` outside the availability period.

    The optimiser's :class:`~planner.model.HostRequest` knows blackout dates only; an availability
    period "from … to …" becomes the days around it.
    """
    days = set(form.blackout_dates)
    if form.period_start and form.period_end:
        days.update(form.period_start - timedelta(days=i) for i in range(1, margin_days + 1))
        days.update(form.period_end + timedelta(days=i) for i in range(1, margin_days + 1))
    return frozenset(days)


def to_host_request(form: RequestForm, request_id: str) -> HostRequest:
    """The optimiser's view of an accepted request (:class:`planner.model.HostRequest`)."""
    return HostRequest(
        code_insee=form.code_insee,
        venue=form.venue,
        weekdays=form.weekdays,
        blackout_dates=availability_blackouts(form),
        has_power=form.has_power,
        expected_participants=form.expected_participants,
        id=request_id,
        home_visits=form.home_visits,
    )


@dataclass(frozen=True)
class RequestRecord:
    """A stored request: the form plus its status, decision and planned dates."""

    id: int
    form: RequestForm
    status: str
    decision_reason: str = ""
    scheduled_dates: tuple[date, ...] = ()
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def status_label(self) -> str:
        """The status in French."""
        return STATUS_LABELS.get(self.status, self.status)


EXPORT_COLUMNS: tuple[str, ...] = (
    "id",
    "code_insee",
    "venue",
    "address",
    "status",
    "decision_reason",
    "weekdays",
    "period_start",
    "period_end",
    "blackout_dates",
    "has_power",
    "toilets",
    "accessible_room",
    "mobile_coverage",
    "wifi",
    "expected_participants",
    "home_visits",
    "publics",
    "themes",
    "promoter",
    "notes",
    "scheduled_dates",
    *CONTACT_FIELDS,
)


def export_rows(
    records: Iterable[RequestRecord], *, include_contact: bool, neutralise: bool = True
) -> list[dict[str, Any]]:
    """Flat rows for CSV/Excel, formulas neutralised (unless ``neutralise`` is false: the Excel
    writer keeps text as text itself); contact columns only if ``include_contact``.

    The column names are those of ``python -m planner requests import`` so an export re-imports.
    """
    rows = []
    for rec in records:
        f = rec.form
        row: dict[str, Any] = {
            "id": rec.id,
            "code_insee": f.code_insee,
            "venue": f.venue,
            "address": f.address,
            "status": rec.status,
            "decision_reason": rec.decision_reason,
            "weekdays": format_weekdays(f.weekdays),
            "period_start": f.period_start.isoformat() if f.period_start else "",
            "period_end": f.period_end.isoformat() if f.period_end else "",
            "blackout_dates": ";".join(d.isoformat() for d in sorted(f.blackout_dates)),
            "has_power": "oui" if f.has_power else "non",
            "toilets": "oui" if f.toilets else "non",
            "accessible_room": "oui" if f.accessible_room else "non",
            "mobile_coverage": "oui" if f.mobile_coverage else "non",
            "wifi": "oui" if f.wifi else "non",
            "expected_participants": "" if f.expected_participants is None else f.expected_participants,
            "home_visits": f.home_visits,
            "publics": ", ".join(f.publics),
            "themes": f.themes,
            "promoter": f.promoter,
            "notes": f.notes,
            "scheduled_dates": ";".join(d.isoformat() for d in rec.scheduled_dates),
        }
        if include_contact:
            row.update({name: getattr(f, name) for name in CONTACT_FIELDS})
        rows.append(
            {k: neutralise_formula(v) if neutralise and isinstance(v, str) else v for k, v in row.items()}
        )
    return rows


def requests_csv(records: Iterable[RequestRecord], *, include_contact: bool) -> bytes:
    """The requests as a French CSV like every other export (``;``, UTF-8 with BOM), formulas neutralised."""
    from planner.publish.csv import csv_bytes

    rows = export_rows(records, include_contact=include_contact)
    columns = [c for c in EXPORT_COLUMNS if include_contact or c not in CONTACT_FIELDS]
    return csv_bytes(rows, columns)


def requests_xlsx(records: Iterable[RequestRecord], *, include_contact: bool) -> bytes:
    """The requests as an Excel workbook: text cells stay text (never a formula), printable."""
    from openpyxl import Workbook

    from planner.publish.xlsx import add_sheet

    rows = export_rows(records, include_contact=include_contact, neutralise=False)
    columns = [c for c in EXPORT_COLUMNS if include_contact or c not in CONTACT_FIELDS]
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_sheet(workbook, "demandes", [{c: row[c] for c in columns} for row in rows], "Aucune demande.")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def escape_markdown(text: str) -> str:
    """Escape ``text`` for ``st.markdown``: shown literally, never as markup, link or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


#: Columns of a request file: the optimiser's (:data:`planner.inputs.tables.REQUEST_SHEET_COLUMNS`)
#: plus the form's, each under its key and its French names (the form's labels among them).
IMPORT_COLUMNS: tuple[Column, ...] = (
    *(
        Column(c.key, c.names, required=c.key in ("code_insee", "venue"))
        for c in REQUEST_SHEET_COLUMNS
        if c.key != "id"
    ),
    Column("address", ("adresse",)),
    Column("toilets", ("toilettes",)),
    Column("accessible_room", ("salle accessible", "salle accessible (pmr)", "accessibilité", "pmr")),
    Column("mobile_coverage", ("couverture mobile", "couverture réseau mobile", "réseau mobile")),
    Column("wifi", ("wi-fi",)),
    Column("period_start", ("début de période", "disponible à partir du", "à partir du", "du")),
    Column("period_end", ("fin de période", "jusqu'au", "au")),
    Column("publics", ("public", "publics visés")),
    Column("themes", ("thèmes", "thèmes souhaités")),
    Column("promoter", ("promotion et inscriptions", "promotion", "inscriptions")),
    Column("notes", ("remarques", "commentaires", "commentaire")),
    Column("contact_name", ("nom du contact", "contact")),
    Column("contact_role", ("fonction du contact", "fonction")),
    Column("contact_phone", ("téléphone du contact", "téléphone", "tél", "tel")),
    Column("contact_email", ("e-mail du contact", "e-mail", "email", "courriel", "mail")),
)
_BOOLEAN_FIELDS = ("has_power", "toilets", "accessible_room", "mobile_coverage", "wifi")
# Fields the sheet reads as typed values; every other cell goes to the form as text.
_TYPED = {
    *_BOOLEAN_FIELDS,
    "period_start",
    "period_end",
    "blackout_dates",
    "expected_participants",
    "home_visits",
    "weekdays",
}


def _import_values(row: Row) -> dict[str, Any]:
    """The raw values of one request row, dates, yes/no and numbers already read by the sheet."""
    values: dict[str, Any] = {c.key: row.raw(c.key) for c in IMPORT_COLUMNS}
    values["code_insee"] = row.insee("code_insee")
    for name in _BOOLEAN_FIELDS:
        values[name] = row.boolean(name)
    values["period_start"] = row.date("period_start")
    values["period_end"] = row.date("period_end")
    values["blackout_dates"] = row.dates("blackout_dates")
    values["expected_participants"] = row.integer("expected_participants", 0, MAX_PARTICIPANTS)
    values["home_visits"] = row.integer("home_visits", 0, MAX_HOME_VISITS)
    values["weekdays"] = row.weekdays("weekdays")
    return {k: (cell_text(v) if k not in _TYPED and v is not None else v) for k, v in values.items()}


def read_request_table(source: Any, name: str, *, today: date | None = None) -> list[RequestForm]:
    """Read a CSV, Excel or JSON file of requests; every row must be valid.

    The file goes through the tolerant reader (:func:`planner.inputs.sheet.read_sheet`): French
    headers (« Code INSEE », « Lieu », « Jours possibles », « Électricité »…), a title row above
    the header, real Excel dates, cp1252. Only ``code_insee`` and ``venue`` are required.

    Parameters
    ----------
    source
        A path, raw bytes or a binary file-like object (e.g. an upload).
    name
        The file name, for its extension and for error messages.
    today
        Dates before it are refused.

    Returns
    -------
    list of RequestForm
        One per data row, in file order.

    Raises
    ------
    InputError
        Unreadable file, missing required column, no request, or the first bad row (file, line and
        column named).
    """
    sheet = read_sheet(source, IMPORT_COLUMNS, filename=name, json_key="requests")
    if not sheet.rows:
        raise InputError("aucune demande dans le fichier", file=sheet.file)
    return [
        parse_request_form(_import_values(row), today=today, file=sheet.file, row=row.line)
        for row in sheet.rows
    ]
