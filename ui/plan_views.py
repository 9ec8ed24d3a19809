"""Views of a plan: key figures beside the baseline, map layers, calendars, day sheets.

The functions that build data (``*_rows``, ``*_frame``, :func:`day_sheet`) are pure and take
plain domain objects; the ``render_*`` functions draw with Streamlit. The map uses pydeck
without a basemap (``map_provider=None``, see :mod:`ui.maps`).
"""

from __future__ import annotations

import hashlib
import html
import math
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import altair as alt
import pandas as pd
import pydeck as pdk

from planner.french import french_decimal
from planner.model import DOMICILE, PERMANENCE, SERVICE_LABELS_FR, WEEKDAY_NAMES_FR, Plan, Session, Territory
from planner.problem import PlanningProblem
from planner.publish.common import day_stops, home_visits_phrase, rhythm_of

#: One colour per resource, in the plan's order (RGB), readable on a white background.
RESOURCE_COLOURS: tuple[tuple[int, int, int], ...] = (
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (148, 103, 189),
    (255, 127, 14),
    (23, 190, 207),
    (140, 86, 75),
    (227, 119, 194),
)
UNSERVED_COLOUR = (200, 30, 30)
SLOT_NAMES = ("matin", "après-midi", "soir")


def fr_day(d: date) -> str:
    """``date(2027, 1, 12)`` → ``"mar. 12/01/2027"``."""
    return f"{WEEKDAY_NAMES_FR[d.weekday()][:3]}. {d:%d/%m/%Y}"


def fr_clock(t: time) -> str:
    """``time(9, 5)`` → ``"9 h 05"``."""
    return f"{t.hour} h {t.minute:02d}"


def names_of(territory: Territory | None) -> dict[str, str]:
    """``code_insee -> name`` for the communes of a territory."""
    return {} if territory is None else {c.code_insee: c.name for c in territory.communes}


def resource_colour(plan: Plan, resource_id: str) -> tuple[int, int, int]:
    """The colour of a resource on maps and charts."""
    ids = [r.id for r in plan.resources]
    i = ids.index(resource_id) if resource_id in ids else len(ids)
    return RESOURCE_COLOURS[i % len(RESOURCE_COLOURS)]


def resource_name(plan: Plan, resource_id: str) -> str:
    """What people call a resource (:attr:`planner.model.Resource.name`)."""
    r = next((r for r in plan.resources if r.id == resource_id), None)
    return r.name if r else resource_id


def series_sizes(plan: Plan) -> dict[str, int]:
    """Sessions per series id."""
    out: dict[str, int] = defaultdict(int)
    for s in plan.sessions:
        out[s.series] += 1
    return dict(out)


# ------------------------------------------------------------------------------------ figures
@dataclass(frozen=True)
class KeyFigure:
    """One figure of the header, for the plan and the baseline."""

    label: str
    plan: float | None
    baseline: float | None
    digits: int = 0
    unit: str = ""
    higher_is_better: bool = True
    help: str = ""

    def text(self, value: float | None) -> str:
        """The value in French format with its unit."""
        if value is None:
            return "—"
        if self.unit == "%":
            return french_decimal(100 * value, self.digits) + " %"
        if self.unit in ("au plus %", "au moins %"):
            return f"{self.unit[:-2]} {french_decimal(100 * value, self.digits)} %"
        return french_decimal(value, self.digits) + (f" {self.unit}" if self.unit else "")


def below(objective: float, reference: float) -> float:
    """How far below ``reference`` a plan worth ``objective`` is, as a share (0 to 1)."""
    return 0.0 if reference <= 0 else min(1.0, max(0.0, (reference - objective) / reference))


def key_figures(plan: Plan, baseline: Plan | None) -> list[KeyFigure]:
    """The header figures of a plan with the saupoudrage baseline beside them."""

    def both(f):
        return f(plan), (f(baseline) if baseline is not None else None)

    rows = [
        (
            "Parcours",
            lambda p: len(p.series),
            0,
            "",
            True,
            "Séries de séances au même endroit, même jour, même heure.",
        ),
        ("Séances", lambda p: p.metrics.sessions or len(p.sessions), 0, "", True, "Ateliers de la saison."),
        (
            "Participants attendus",
            lambda p: p.metrics.participants,
            0,
            "",
            True,
            "Personnes attendues (commune d'accueil et voisines dans le rayon d'attraction), comptées une fois.",
        ),
        (
            "Parcours complets",
            lambda p: p.metrics.participants_full_series,
            0,
            "pers.",
            True,
            "Personnes qui suivent un parcours complet (toutes les séances prévues).",
        ),
        ("Kilomètres", lambda p: p.metrics.km, 0, "km", False, "Distance routière totale de la saison."),
        ("Heures de route", lambda p: p.metrics.drive_hours, 1, "h", False, "Temps de conduite total."),
    ]
    out = []
    for label, f, digits, unit, better, help_text in rows:
        a, b = both(f)
        out.append(KeyFigure(label, a, b, digits, unit, better, help_text))
    out.append(quality_figure(plan, baseline))
    return out


QUALITY_LABEL = "Distance au meilleur plan possible"


def quality_figure(plan: Plan, baseline: Plan | None) -> KeyFigure:
    """How far the plan is, at most, from the best possible plan (its proven bound), and how
    far the saupoudrage is, at least, below the plan itself (so below the best possible).

    The plan: ``(bound − value) / bound``, « au plus » since the bound is at least the best
    value; 0 % means proven optimal. The baseline: ``(plan value − baseline value) / plan
    value``, « au moins » since the best plan is worth at least the plan (capped at 100 %).
    """
    m = plan.metrics
    return KeyFigure(
        QUALITY_LABEL,
        below(m.objective, m.bound),
        None if baseline is None else below(baseline.metrics.objective, m.objective),
        1,
        "au plus %",
        False,
        "Le plan est à ce pourcentage au plus du meilleur plan possible (0 % : prouvé optimal). "
        "Sous le chiffre : le saupoudrage est au moins à ce pourcentage en dessous du plan.",
    )


def render_key_figures(plan: Plan, baseline: Plan | None, per_row: int = 4) -> None:
    """Draw the key figures as metric cards, the baseline's value under each one."""
    import streamlit as st

    figures = key_figures(plan, baseline)
    for i in range(0, len(figures), per_row):
        for col, f in zip(st.columns(per_row), figures[i : i + per_row], strict=False):
            below_text = (
                f"au moins {french_decimal(100 * f.baseline, f.digits)} % en dessous"
                if f.label == QUALITY_LABEL and f.baseline is not None
                else f.text(f.baseline)
            )
            col.metric(
                f.label,
                f.text(f.plan),
                delta=None if f.baseline is None else f"saupoudrage : {below_text}",
                delta_color="off",
                delta_arrow="off",
                help=f.help,
                border=True,
            )


def plan_equity_of(plan: Plan, rates=None):
    """The equity and travel figures of ``plan`` from its own file (``rates``: a
    :class:`~planner.publish.report.CostRates` replacing the file's € and CO2 rates)."""
    from planner.publish.equity import equity_of, plan_equity

    if rates is None:
        return plan_equity(plan)
    m = plan.metrics
    return equity_of(plan, m.coverage, m.unmet_need, rates.eur_per_km, rates.co2_kg_per_km)


def render_equity(plan: Plan, baseline: Plan | None = None, rates=None) -> None:
    """« Aller vers » figures of the kept plan: the least-covered third, who travels, the base
    town, km / € / CO2 — the saupoudrage's under each one when given."""
    import streamlit as st

    from planner.publish.equity import HELP, LABELS, equity_lines

    if not plan.metrics.coverage:
        st.info(
            "Ce plan a été enregistré avant les indicateurs d'équité et de trajets : relancez le calcul "
            "pour les obtenir."
        )
        return
    mine = equity_lines(plan_equity_of(plan, rates))
    theirs = (
        equity_lines(plan_equity_of(baseline, rates))
        if baseline is not None and baseline.metrics.coverage
        else None
    )
    keys = [k for k in LABELS if k != "least_covered_need"]
    need = mine["least_covered_need"]
    for i in range(0, len(keys), 3):
        for col, key in zip(st.columns(3), keys[i : i + 3], strict=False):
            notes = []
            if key in ("least_covered_sessions", "least_covered_participants"):
                notes.append(f"besoin non couvert : {need}")
            if theirs is not None:
                notes.append(f"saupoudrage : {theirs[key]}")
            col.metric(
                LABELS[key],
                mine[key],
                delta=" · ".join(notes) or None,
                delta_color="off",
                delta_arrow="off",
                help=HELP[key],
                border=True,
            )


# ------------------------------------------------------------------------------------ tables
def series_frame(plan: Plan, names: Mapping[str, str]) -> pd.DataFrame:
    """One row per series: host, resource, weekday and time, dates, participants, origins."""
    by_series: dict[str, list[Session]] = defaultdict(list)
    for s in sorted(plan.sessions, key=lambda s: (s.date, s.start)):
        by_series[s.series].append(s)
    rows = []
    for ser in plan.series:
        ss = by_series.get(ser.id, [])
        first = ss[0] if ss else None
        rows.append(
            {
                "Commune d'accueil": names.get(ser.host, ser.host),
                "Prestation": _service_text(ser),
                "Moyen": resource_name(plan, ser.resource),
                "Jour": WEEKDAY_NAMES_FR[first.date.weekday()] if first else "",
                "Horaire": f"{fr_clock(first.start)} – {fr_clock(first.end)}" if first else "",
                "Dates": ", ".join(f"{s.date:%d/%m}" for s in ss),
                "Séances": len(ss),
                "Participants": ser.participants,
                "Venus de": ", ".join(
                    f"{names.get(c, c)} ({n})"
                    for c, n in sorted(ser.from_communes.items(), key=lambda x: -x[1])
                ),
                "Verrouillées": sum(s.locked for s in ss),
                "Parcours (id)": ser.id,
            }
        )
    return pd.DataFrame(rows)


def _service_text(ser) -> str:
    """« parcours », « permanence, tous les 2es mardis du mois », « visites à domicile »."""
    rhythm = rhythm_of(ser)
    text = SERVICE_LABELS_FR[ser.service]
    return f"{text}, {rhythm.poster_fr}" if rhythm else text


def sessions_frame(plan: Plan, names: Mapping[str, str]) -> pd.DataFrame:
    """One row per session in date order, with a ``Verrouillée`` column (for the lock editor)."""
    k = series_sizes(plan)
    rows = [
        {
            "Verrouillée": s.locked,
            "Date": s.date,
            "Jour": WEEKDAY_NAMES_FR[s.date.weekday()],
            "Début": s.start.strftime("%H:%M"),
            "Fin": s.end.strftime("%H:%M"),
            "Commune": names.get(s.host, s.host),
            "Moyen": resource_name(plan, s.resource),
            "Prestation": SERVICE_LABELS_FR[s.service],
            "Séance": f"{s.index}/{k.get(s.series, 1)}",
            "Parcours (id)": s.series,
            "n°": s.index,
        }
        for s in ordered(plan.sessions)
    ]
    return pd.DataFrame(rows)


def ordered(sessions) -> list[Session]:
    """Sessions by date, start, resource, series, index (the order of every list)."""
    return sorted(sessions, key=lambda s: (s.date, s.start, s.resource, s.series, s.index))


def unserved_frame(plan: Plan, names: Mapping[str, str]) -> pd.DataFrame:
    """Communes and requests left out, with their reason and what would change it."""
    rows = [
        {
            "Commune": u.name or names.get(u.code_insee, u.code_insee),
            "Demande": f"n° {u.request_id.removeprefix('D')}" if u.request_id else "",
            "Besoin non couvert (pers.)": round(u.unmet_need),
            "Raison": u.reason,
            "Ce qui changerait la donne": u.what_would_help,
        }
        for u in sorted(plan.unserved, key=lambda u: (not u.request_id, -u.unmet_need))
    ]
    return pd.DataFrame(
        rows,
        columns=["Commune", "Demande", "Besoin non couvert (pers.)", "Raison", "Ce qui changerait la donne"],
    )


# ------------------------------------------------------------------------------------ day sheet
def _plus(t: time, minutes: float) -> time:
    return (datetime.combine(date(2000, 1, 1), t) + timedelta(minutes=minutes)).time()


def _round_down(t: time, step: int = 5) -> time:
    return time(t.hour, t.minute - t.minute % step)


def _round_up(t: time, step: int = 5) -> time:
    total = t.hour * 60 + t.minute + (-(t.minute) % step)
    total = min(total, 23 * 60 + 59)
    return time(total // 60, total % 60)


def day_sheet(
    plan: Plan,
    problem: PlanningProblem | None,
    resource_id: str,
    day: date,
    *,
    names: Mapping[str, str] | None = None,
    hosts: Mapping[str, object] | None = None,
) -> list[dict[str, str]]:
    """The day sheet of one resource on one day: departure, each stop, return.

    Parameters
    ----------
    plan, problem
        The plan and its problem (drive times come from ``problem.matrix``; without a problem
        the drive times are left blank).
    resource_id, day
        Which resource and which day.
    names
        ``code_insee -> name``.
    hosts
        ``code_insee -> details`` with optional ``venue``, ``address`` and ``contact_line``
        attributes (e.g. :class:`planner.publish.common.HostDetails`).

    Returns
    -------
    list of dict
        Rows with ``Heure``, ``Étape``, ``Commune``, ``Lieu``, ``Contact``, ``Participants attendus``.
        Empty when the resource does not work that day.
    """
    names = names or {}
    hosts = hosts or {}
    todays = [s for s in ordered(plan.sessions) if s.resource == resource_id and s.date == day]
    if not todays:
        return []
    resource = next((r for r in plan.resources if r.id == resource_id), None)
    base = resource.base if resource else todays[0].host
    series = {s.id: s for s in plan.series}
    k = series_sizes(plan)

    def leg(a: str, b: str) -> tuple[float, float] | None:
        """Drive minutes and km from ``a`` to ``b`` (``None`` without a matrix)."""
        if problem is None:
            return None
        try:
            return problem.matrix.minutes(a, b), problem.matrix.km(a, b)
        except KeyError:
            return None

    def leg_text(x: tuple[float, float] | None) -> str:
        return "" if x is None else f"{french_decimal(x[0])} min, {french_decimal(x[1], 1)} km"

    def row(when: str, step: str, code: str, place: str = "", contact: str = "", people: str = "") -> dict:
        return {
            "Heure": when,
            "Étape": step,
            "Commune": names.get(code, code),
            "Lieu": place,
            "Contact": contact,
            "Participants attendus": people,
        }

    rows: list[dict[str, str]] = []
    first = leg(base, todays[0].host)
    leave = None
    if first is not None:
        leave = _round_down(_plus(todays[0].start, -first[0]))
        if resource is not None and leave < resource.day_start:
            leave = resource.day_start
    rows.append(row(fr_clock(leave) if leave else "", "Départ de la base", base, "Base du moyen itinérant"))
    previous = base
    for s, count in day_stops(todays):
        if previous != s.host:
            rows.append(row("", f"Trajet ({leg_text(leg(previous, s.host))})".replace(" ()", ""), s.host))
        if s.service == DOMICILE:  # a number of visits, never an address
            last = todays[todays.index(s) + count - 1]
            contact = getattr(hosts.get(s.host), "contact_line", "")
            step = home_visits_phrase(count, names.get(s.host, s.host))
            place = "À domicile (adresses auprès de la mairie ou du CCAS)"
            rows.append(
                row(f"{fr_clock(s.start)} – {fr_clock(last.end)}", step, s.host, place, contact, str(count))
            )
            previous = s.host
            continue
        details = hosts.get(s.host)
        venue = getattr(details, "venue", "") or "Mairie (lieu à confirmer)"
        address = getattr(details, "address", "")
        contact = getattr(details, "contact_line", "")
        ser = series.get(s.series)
        people = ""
        if ser is not None:
            people = str(ser.participants)
            origins = [
                f"{names.get(c, c)} {n}" for c, n in sorted(ser.from_communes.items(), key=lambda x: -x[1])
            ]
            if len(origins) > 1 or (origins and next(iter(ser.from_communes)) != s.host):
                people += " (" + ", ".join(origins) + ")"
        rows.append(
            row(
                f"{fr_clock(s.start)} – {fr_clock(s.end)}",
                (
                    f"Permanence (passage {s.index}/{k.get(s.series, 1)})"
                    if s.service == PERMANENCE
                    else f"Séance {s.index}/{k.get(s.series, 1)} du parcours"
                )
                + (" 🔒" if s.locked else ""),
                s.host,
                ", ".join(x for x in (venue, address) if x),
                contact,
                people,
            )
        )
        previous = s.host
    back = leg(previous, base)
    if previous == base:
        rows.append(
            row(fr_clock(todays[-1].end), "Fin de journée (la dernière séance a lieu à la base)", base)
        )
    else:
        arrive = _round_up(_plus(todays[-1].end, back[0])) if back is not None else None
        step = f"Retour à la base ({leg_text(back)})".replace(" ()", "")
        rows.append(row(fr_clock(arrive) if arrive else "", step, base))
    return rows


def working_days(plan: Plan, resource_id: str) -> list[date]:
    """Days on which ``resource_id`` has at least one session."""
    return sorted({s.date for s in plan.sessions if s.resource == resource_id})


# ------------------------------------------------------------------------------------ charts
def _slot_of(s: Session) -> int:
    """0 for a morning session, 1 for an afternoon one, 2 for an evening one."""
    return 0 if s.start < time(12, 0) else (1 if s.start < time(18, 0) else 2)


def _slot_labels(plan: Plan) -> dict[tuple[str, int], tuple[int, str]]:
    """``(series, index) -> (rank, label)`` of each session's place in its resource's day.

    A resource with at most two sessions a day (the bus) reads "matin" / "après-midi"; a team
    with more reads "1er créneau", "2e créneau"… by start-time order within the day.
    """
    max_per_day = {r.id: r.max_sessions_per_day for r in plan.resources}
    days: dict[tuple[str, date], list[Session]] = defaultdict(list)
    for s in plan.sessions:
        days[(s.resource, s.date)].append(s)
    out: dict[tuple[str, int], tuple[int, str]] = {}
    for (rid, _), items in days.items():
        for pos, s in enumerate(sorted(items, key=lambda s: s.start)):
            if max_per_day.get(rid, 2) <= 2:
                slot = _slot_of(s)
                out[(s.series, s.index)] = (slot, SLOT_NAMES[slot])
            else:
                out[(s.series, s.index)] = (pos, "1er créneau" if pos == 0 else f"{pos + 1}e créneau")
    return out


#: Name of the point selection of the calendars (the key of the selection in Streamlit's event).
CALENDAR_SELECTION = "seances"


def session_ref(s: Session) -> str:
    """A session's reference in the calendars' data: ``"<series id>#<session number>"``."""
    return f"{s.series}#{s.index}"


def selection_refs(event: object) -> list[str]:
    """The session references a calendar selection holds, in click order, without repeats.

    Parameters
    ----------
    event
        What ``st.altair_chart(..., on_select="rerun")`` returns (``{"selection":
        {CALENDAR_SELECTION: [{"cle": ...}, ...]}}``), its ``selection`` part, or the list of
        selected points itself. ``None`` and empty selections give ``[]``; points without a
        ``cle`` (e.g. a closed-day bar) are ignored.
    """
    points: object = event
    if isinstance(points, Mapping) and "selection" in points:
        points = points["selection"]
    if isinstance(points, Mapping):
        points = points.get(CALENDAR_SELECTION, [])
    if isinstance(points, Mapping):  # a raw Vega-Lite point store: {"vlPoint": {"or": [...]}}
        points = (points.get("vlPoint") or {}).get("or", [])
    out: list[str] = []
    for point in points if isinstance(points, (list, tuple)) else []:
        ref = point.get("cle") if isinstance(point, Mapping) else None
        if isinstance(ref, str) and ref not in out:
            out.append(ref)
    return out


def selected_sessions(plan: Plan, event: object) -> list[Session]:
    """The sessions of ``plan`` selected on a calendar, in the calendar's order (:func:`ordered`).

    References that are not in ``plan`` (a selection left over from another plan) are dropped.
    """
    refs = set(selection_refs(event))
    return [s for s in ordered(plan.sessions) if session_ref(s) in refs]


def calendar_key(plan: Plan, view: str) -> str:
    """The widget key of a selectable calendar of ``plan`` (``view``: ``"gantt"`` or ``"series"``).

    The key changes with the sessions (dates, hosts, locks), so a selection never outlives the
    plan it was made on: after a lock, a move or a re-plan the calendar starts unselected.
    """
    facts = sorted(
        (s.series, s.index, s.date.isoformat(), s.start.isoformat(), s.host, s.resource, s.locked)
        for s in plan.sessions
    )
    digest = hashlib.blake2b(repr(facts).encode(), digest_size=6).hexdigest()
    return f"tn_cal_{view}_{digest}"


def _pick() -> alt.Parameter:
    """The calendars' point selection: each click adds or removes one session (double-click clears)."""
    return alt.selection_point(
        name=CALENDAR_SELECTION, fields=["cle"], empty=False, toggle="true", clear="dblclick"
    )


def calendar_frame(plan: Plan, names: Mapping[str, str]) -> pd.DataFrame:
    """One row per session for the calendar charts.

    ``semaine``/``fin_semaine`` bound the Monday-to-Monday week of the session; ``ligne`` is the
    calendar row (resource, weekday, morning/afternoon) and ``ordre`` sorts the rows; ``cle`` is
    the session's :func:`session_ref` (what a click on the calendar selects).
    """
    k = series_sizes(plan)
    res_order = {r.id: i for i, r in enumerate(plan.resources)}
    rows = []
    slots = _slot_labels(plan)
    for s in ordered(plan.sessions):
        slot, slot_name = slots[(s.series, s.index)]
        monday = s.date - timedelta(days=s.date.weekday())
        weekday = WEEKDAY_NAMES_FR[s.date.weekday()]
        rows.append(
            {
                "jour": pd.Timestamp(s.date),
                "fin": pd.Timestamp(s.date + timedelta(days=1)),
                "semaine": pd.Timestamp(monday),
                "fin_semaine": pd.Timestamp(monday + timedelta(days=7)),
                "milieu": pd.Timestamp(monday) + pd.Timedelta(hours=84),
                "moyen": resource_name(plan, s.resource),
                "créneau": slot_name,
                "ligne": f"{resource_name(plan, s.resource)} · {weekday} {slot_name}",
                "ordre": res_order.get(s.resource, 99) * 100 + s.date.weekday() * 10 + slot,
                "commune": names.get(s.host, s.host),
                "séance": f"{s.index}/{k.get(s.series, 1)}",
                "horaire": f"{fr_clock(s.start)} – {fr_clock(s.end)}",
                "verrouillée": "oui" if s.locked else "non",
                "date": f"{fr_day(s.date)}",
                "cle": session_ref(s),
            }
        )
    return pd.DataFrame(rows)


def closed_frame(plan: Plan) -> pd.DataFrame:
    """Closed dates of the season (for shading the calendar)."""
    rows = [
        {
            "jour": pd.Timestamp(d),
            "fin": pd.Timestamp(d + timedelta(days=1)),
            "raison": f"{fr_day(d)} : {plan.season.closed_reasons.get(d, 'fermé')}",
        }
        for d in sorted(plan.season.closed_dates)
        if plan.season.start <= d <= plan.season.end
    ]
    return pd.DataFrame(rows, columns=["jour", "fin", "raison"])


_MONTHS_SHORT = "['janv.','févr.','mars','avr.','mai','juin','juil.','août','sept.','oct.','nov.','déc.']"
#: Vega expression for French axis labels: "4 janv.", "1 févr."…
FR_DATE_LABEL = f"date(datum.value) + ' ' + {_MONTHS_SHORT}[month(datum.value)]"


def _season_axis(plan: Plan, field: str) -> alt.X:
    monday = plan.season.start - timedelta(days=plan.season.start.weekday())
    return alt.X(
        f"{field}:T",
        title=None,
        scale=alt.Scale(domain=[pd.Timestamp(monday), pd.Timestamp(plan.season.end + timedelta(days=1))]),
        axis=alt.Axis(labelExpr=FR_DATE_LABEL, labelAngle=0, tickCount={"interval": "week", "step": 2}),
    )


#: Vega's « tableau20 » colours, in its order (what the calendar drew before its legend left Vega).
TABLEAU20 = (
    "#4c78a8", "#9ecae9", "#f58518", "#ffbf79", "#54a24b", "#88d27a", "#b79a20", "#f2cf5b", "#439894", "#83bcb6",
    "#e45756", "#ff9d98", "#79706e", "#bab0ac", "#d67195", "#fcbfd2", "#b279a2", "#d6a5c9", "#9e765f", "#d8b5a5",
)  # fmt: skip


def _plain_key(name: str) -> str:
    """Sort key of a commune name as a French reader sorts it (accents and case aside)."""
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)).casefold()


def commune_colours(plan: Plan, names: Mapping[str, str]) -> dict[str, str]:
    """The colour of each host commune on the calendar, by name in alphabetical order."""
    hosts = sorted({names.get(s.host, s.host) for s in plan.sessions}, key=_plain_key)
    return {name: TABLEAU20[i % len(TABLEAU20)] for i, name in enumerate(hosts)}


def gantt_legend_html(plan: Plan, names: Mapping[str, str]) -> str:
    """The legend of :func:`gantt_chart` (colour → host commune) as HTML that wraps at any width.

    Vega laid it out in five fixed columns under the plot: long names, or a narrow window
    (1,000 px), pushed it past the chart's edge, where it was cut.
    """
    items = "".join(
        f'<span style="white-space:nowrap"><span style="color:{colour}">■</span> {html.escape(name)}</span>'
        for name, colour in commune_colours(plan, names).items()
    )
    return (
        '<div style="font-size:0.85rem"><b>Commune d\'accueil</b>'
        f'<div style="display:flex;flex-wrap:wrap;gap:0.1rem 1.1rem">{items}</div></div>'
    )


def gantt_chart(plan: Plan, names: Mapping[str, str]) -> alt.LayerChart | alt.Chart:
    """Season calendar per resource: one row per (resource, weekday, morning/afternoon), one
    column per week, each cell coloured by its host commune; locked sessions carry a padlock and
    closed days are grey bars.

    Cells are selectable (:data:`CALENDAR_SELECTION`, by :func:`session_ref`): a selected cell
    gets a thick black border; read the selection with :func:`selected_sessions`. Its legend is
    :func:`gantt_legend_html`, drawn by the page under it (same colours, :func:`commune_colours`)."""
    data = calendar_frame(plan, names)
    if data.empty:
        return alt.Chart(pd.DataFrame({"jour": []})).mark_point()
    order = list(data.sort_values("ordre")["ligne"].drop_duplicates())
    y = alt.Y("ligne:N", title=None, sort=order, axis=alt.Axis(labelLimit=260))
    colours = commune_colours(plan, names)
    pick = _pick()
    cells = (
        alt.Chart(data)
        .mark_rect(cursor="pointer")
        .encode(
            x=_season_axis(plan, "semaine"),
            x2="fin_semaine:T",
            y=y,
            color=alt.Color(
                "commune:N",
                title="Commune d'accueil",
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("date:N", title="Date"),
                alt.Tooltip("horaire:N", title="Horaire"),
                alt.Tooltip("commune:N", title="Commune"),
                alt.Tooltip("séance:N", title="Séance"),
                alt.Tooltip("moyen:N", title="Moyen"),
                alt.Tooltip("verrouillée:N", title="Verrouillée"),
            ],
            stroke=alt.condition(pick, alt.value("black"), alt.value("white")),
            strokeWidth=alt.condition(pick, alt.value(3), alt.value(1)),
        )
        .add_params(pick)
    )
    layers: list = [cells]
    locked = data[data["verrouillée"] == "oui"]
    if not locked.empty:
        # the padlock's data carries the session's ``cle``: a click on it selects its cell
        layers.append(alt.Chart(locked).mark_text(text="🔒", fontSize=11).encode(x="milieu:T", y=y))
    closed = closed_frame(plan)
    if not closed.empty:
        layers.insert(
            0,
            alt.Chart(closed)
            .mark_rect(color="#999999", opacity=0.3)
            .encode(x="jour:T", x2="fin:T", tooltip=[alt.Tooltip("raison:N", title="Fermé")]),
        )
    return alt.layer(*layers).properties(height=max(90, 30 * len(order)))


def gantt_height(plan: Plan, names: Mapping[str, str]) -> int:
    """Pixel height that shows every row of :func:`gantt_chart` and its date axis (its legend is
    HTML under it, :func:`gantt_legend_html`).

    Streamlit sizes a chart by the height it is given; the chart's own ``height`` property is
    not enough.
    """
    data = calendar_frame(plan, names)
    if data.empty:
        return 120
    return 30 * data["ligne"].nunique() + 50


def series_height(plan: Plan, names: Mapping[str, str]) -> int:
    """Pixel height that shows every host line of :func:`series_chart` and its legend."""
    data = calendar_frame(plan, names)
    return 120 if data.empty else 24 * data["commune"].nunique() + 110


def series_chart(plan: Plan, names: Mapping[str, str]) -> alt.Chart:
    """One line per host commune: its sessions as dots over the season — regularity at a glance.

    Dots are selectable like the cells of :func:`gantt_chart` (a selected dot grows)."""
    data = calendar_frame(plan, names)
    if data.empty:
        return alt.Chart(pd.DataFrame({"jour": []})).mark_point()
    first = data.groupby("commune")["jour"].min().sort_values()
    pick = _pick()
    return (
        alt.Chart(data)
        .mark_point(filled=True, opacity=0.9, cursor="pointer")
        .encode(
            x=_season_axis(plan, "jour"),
            y=alt.Y("commune:N", title=None, sort=list(first.index)),
            color=alt.Color("moyen:N", title="Moyen", legend=alt.Legend(orient="bottom")),
            shape=alt.Shape(
                "verrouillée:N",
                title="Verrouillée",
                scale=alt.Scale(domain=["non", "oui"], range=["circle", "square"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("date:N", title="Date"),
                alt.Tooltip("horaire:N", title="Horaire"),
                alt.Tooltip("séance:N", title="Séance"),
                alt.Tooltip("moyen:N", title="Moyen"),
            ],
            size=alt.condition(pick, alt.value(260), alt.value(90)),
            stroke=alt.condition(pick, alt.value("black"), alt.value("white")),
            strokeWidth=alt.condition(pick, alt.value(2), alt.value(0)),
        )
        .add_params(pick)
        .properties(height=max(120, 22 * len(first)))
    )


# ------------------------------------------------------------------------------------ map
def _coords(territory: Territory) -> dict[str, tuple[float, float]]:
    return {c.code_insee: (c.lon, c.lat) for c in territory.communes}


def host_points(plan: Plan, territory: Territory) -> list[dict]:
    """One point per host commune, radius growing with the participants of its series."""
    xy = _coords(territory)
    names = names_of(territory)
    people: dict[str, int] = defaultdict(int)
    n_series: dict[str, int] = defaultdict(int)
    res: dict[str, str] = {}
    for ser in plan.series:
        people[ser.host] += ser.participants
        n_series[ser.host] += 1
        res.setdefault(ser.host, ser.resource)
    out = []
    for host, total in people.items():
        if host not in xy:
            continue
        r, g, b = resource_colour(plan, res[host])
        out.append(
            {
                "lon": xy[host][0],
                "lat": xy[host][1],
                "radius": 400 + 180 * math.sqrt(total),
                "color": [r, g, b, 210],
                "name": names.get(host, host),
                "tip": f"{n_series[host]} parcours, {total} participants attendus\n"
                f"{resource_name(plan, res[host])}",
            }
        )
    return out


def contribution_lines(plan: Plan, territory: Territory) -> list[dict]:
    """Lines from each contributing commune to the host it sends people to."""
    xy = _coords(territory)
    names = names_of(territory)
    out = []
    for ser in plan.series:
        for code, n in ser.from_communes.items():
            if code == ser.host or code not in xy or ser.host not in xy or n <= 0:
                continue
            out.append(
                {
                    "source": list(xy[code]),
                    "target": list(xy[ser.host]),
                    "width": 1 + math.sqrt(n) / 2,
                    "name": f"{names.get(code, code)} → {names.get(ser.host, ser.host)}",
                    "tip": f"{n} personne(s) viennent au parcours de {names.get(ser.host, ser.host)}",
                }
            )
    return out


def route_paths(plan: Plan, territory: Territory) -> list[dict]:
    """Each day's route as a path, coloured by resource (identical paths drawn once)."""
    xy = _coords(territory)
    names = names_of(territory)
    seen: dict[tuple, dict] = {}
    for r in plan.routes:
        if not all(c in xy for c in r.stops):
            continue
        key = (r.resource, r.stops)
        if key in seen:
            seen[key]["days"] += 1
            continue
        red, g, b = resource_colour(plan, r.resource)
        seen[key] = {
            "path": [list(xy[c]) for c in r.stops],
            "color": [red, g, b, 150],
            "days": 1,
            "resource": resource_name(plan, r.resource),
            "stops": " → ".join(names.get(c, c) for c in r.stops),
            "km": r.km,
        }
    out = []
    for v in seen.values():
        v["name"] = v["resource"]
        v["tip"] = f"{v['stops']}\n{french_decimal(v['km'], 1)} km par jour, {v['days']} jour(s)"
        out.append(v)
    return out


def unserved_points(plan: Plan, territory: Territory) -> list[dict]:
    """Communes left out (with unmet need), for a red ring on the map."""
    xy = _coords(territory)
    names = names_of(territory)
    return [
        {
            "lon": xy[u.code_insee][0],
            "lat": xy[u.code_insee][1],
            "name": f"{u.name or names.get(u.code_insee, u.code_insee)} — non desservie",
            "tip": u.reason + (f"\n{u.what_would_help}" if u.what_would_help else ""),
        }
        for u in plan.unserved
        if u.code_insee in xy
    ]


def base_points(plan: Plan, territory: Territory) -> list[dict]:
    """The bases of the resources."""
    xy = _coords(territory)
    names = names_of(territory)
    out = []
    for r in plan.resources:
        if r.base in xy:
            red, g, b = resource_colour(plan, r.id)
            out.append(
                {
                    "lon": xy[r.base][0],
                    "lat": xy[r.base][1],
                    "color": [red, g, b, 255],
                    "name": f"Base : {names.get(r.base, r.base)}",
                    "tip": r.name,
                }
            )
    return out


def plan_layers(plan: Plan, territory: Territory) -> list[pdk.Layer]:
    """The plan's map layers above the commune outlines: routes, contributions, unserved, hosts, bases."""
    return [
        pdk.Layer(
            "PathLayer",
            data=route_paths(plan, territory),
            get_path="path",
            get_color="color",
            get_width=80,
            width_min_pixels=2,
            width_max_pixels=5,
            joint_rounded=True,
            cap_rounded=True,
            pickable=True,
            id="routes",
        ),
        pdk.Layer(
            "LineLayer",
            data=contribution_lines(plan, territory),
            get_source_position="source",
            get_target_position="target",
            get_color=[90, 90, 90, 160],
            get_width="width",
            pickable=True,
            id="contributions",
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data=unserved_points(plan, territory),
            get_position=["lon", "lat"],
            get_radius=900,
            radius_min_pixels=4,
            get_fill_color=[*UNSERVED_COLOUR, 40],
            get_line_color=[*UNSERVED_COLOUR, 230],
            line_width_min_pixels=2,
            stroked=True,
            filled=True,
            pickable=True,
            id="unserved",
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data=host_points(plan, territory),
            get_position=["lon", "lat"],
            get_radius="radius",
            radius_min_pixels=5,
            get_fill_color="color",
            get_line_color=[255, 255, 255, 255],
            line_width_min_pixels=1,
            stroked=True,
            pickable=True,
            id="hosts",
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data=base_points(plan, territory),
            get_position=["lon", "lat"],
            get_radius=350,
            get_fill_color=[0, 0, 0, 255],
            get_line_color="color",
            line_width_min_pixels=3,
            stroked=True,
            pickable=True,
            id="bases",
        ),
    ]


def plan_deck(plan: Plan, territory: Territory) -> pdk.Deck:
    """The offline map of a plan: commune outlines, then :func:`plan_layers`."""
    from ui import maps

    layers = [maps.outline_layer(territory.codes), *plan_layers(plan, territory)]
    return maps.make_deck(layers, maps.view_for(territory))
