"""The plan as rows with French headers, shared by the Excel and CSV exports.

Values stay typed (``date``, ``time``, numbers); text cells are neutralised against formula
injection by the writers, not here.
"""

from __future__ import annotations

from typing import Any

from planner.model import DOMICILE, SERVICE_LABELS_FR, WEEKDAY_NAMES_FR
from planner.publish.common import (
    ExportContext,
    day_stops,
    home_visits_phrase,
    ordered_sessions,
    resource_days,
    resource_label,
    rhythm_of,
    series_label,
    series_size,
    sessions_by_series,
    with_names,
)
from planner.publish.report import epci_frame, figures_frame, key_figures
from planner.publish.revisions import identity

Rows = list[dict[str, Any]]


def calendar_rows(ctx: ExportContext) -> Rows:
    """One row per session, by date: the season's calendar."""
    k = series_size(ctx.plan)
    return [
        {
            "Date": s.date,
            "Jour": WEEKDAY_NAMES_FR[s.date.weekday()],
            "Début": s.start,
            "Fin": s.end,
            "Moyen": resource_label(ctx.plan, s.resource),
            "Commune": ctx.name(s.host),
            "Code INSEE": s.host,
            "Lieu": ctx.place(s.host),
            "Prestation": SERVICE_LABELS_FR[s.service],
            "Parcours": series_label(ctx.plan, s.series, ctx.name),
            # « 1 sur 5 », not « 1/5 »: a spreadsheet would read that as the 1st of May
            "Séance": f"{s.index} sur {k.get(s.series, 1)}",
            "Verrouillée": "oui" if s.locked else "non",
        }
        for s in ordered_sessions(ctx.plan.sessions)
    ]


def session_rows(ctx: ExportContext) -> Rows:
    """One row per session with identifiers (the machine-friendly list; re-imports as locked sessions)."""
    return [
        {
            "Parcours (id)": s.series,
            "Séance n°": s.index,
            "Moyen (id)": s.resource,
            "Code INSEE": s.host,
            "Commune": ctx.name(s.host),
            "Date": s.date,
            "Début": s.start,
            "Fin": s.end,
            "Verrouillée": "oui" if s.locked else "non",
            "Identifiant de séance": identity(ctx.plan, s),
            "Révision": s.sequence,
            "Prestation": s.service,
        }
        for s in ordered_sessions(ctx.plan.sessions)
    ]


def series_rows(ctx: ExportContext) -> Rows:
    """One row per series: host, resource, participants, first and last date, origins."""
    by_series = sessions_by_series(ctx.plan)
    rows = []
    for ser in ctx.plan.series:
        ss = by_series.get(ser.id, [])
        rows.append(
            {
                "Parcours": series_label(ctx.plan, ser.id, ctx.name),
                "Parcours (id)": ser.id,
                "Prestation": SERVICE_LABELS_FR[ser.service],
                "Rythme": rhythm_of(ser).poster_fr if rhythm_of(ser) else "",
                "Commune d'accueil": ctx.name(ser.host),
                "Code INSEE": ser.host,
                "Moyen": resource_label(ctx.plan, ser.resource),
                "Participants attendus": ser.participants,
                "Séances": len(ss),
                "Première séance": ss[0].date if ss else None,
                "Dernière séance": ss[-1].date if ss else None,
                "Jour": WEEKDAY_NAMES_FR[ss[0].date.weekday()] if ss else "",
                "Horaire": f"{ss[0].start:%H:%M}–{ss[0].end:%H:%M}" if ss else "",
                "Communes d'origine": ", ".join(
                    f"{ctx.name(c)} ({n})" for c, n in sorted(ser.from_communes.items())
                ),
            }
        )
    return rows


def day_sheet_rows(ctx: ExportContext) -> Rows:
    """One row per stop of each resource-day, with the day's route length and drive time."""
    routes = {(r.resource, r.date): r for r in ctx.plan.routes}
    series = {s.id: s for s in ctx.plan.series}
    rows = []
    for resource, day, sessions in resource_days(ctx.plan):
        route = routes.get((resource, day))
        for order, (s, count) in enumerate(day_stops(sessions), start=1):
            host = ctx.host(s.host)
            home = s.service == DOMICILE
            last = sessions[sessions.index(s) + count - 1]
            rows.append(
                {
                    "Date": day,
                    "Moyen": resource_label(ctx.plan, resource),
                    "Étape": order,
                    "Début": s.start,
                    "Fin": last.end,
                    "Commune": ctx.name(s.host),
                    "Lieu": "à domicile (adresses données par la mairie)" if home else ctx.place(s.host),
                    "Contact": host.contact_line,
                    "Participants attendus": count
                    if home
                    else (series[s.series].participants if s.series in series else None),
                    "Parcours": home_visits_phrase(count, ctx.name(s.host))
                    if home
                    else series_label(ctx.plan, s.series, ctx.name),
                    "Séance n°": s.index,
                    "Km de la journée": round(route.km, 1) if route else None,
                    "Minutes de route de la journée": round(route.drive_minutes) if route else None,
                    "Itinéraire": " → ".join(ctx.name(c) for c in route.stops) if route else "",
                }
            )
    return rows


def unserved_rows(ctx: ExportContext) -> Rows:
    """Communes and requests left out, with the reason and what would change it."""
    return [
        {
            "Code INSEE": u.code_insee,
            "Commune": u.name or ctx.name(u.code_insee),
            "Demande": u.request_id,
            "Besoin non couvert": round(u.unmet_need, 1),
            "Raison": with_names(u.reason, ctx.plan),
            "Ce qui changerait la décision": with_names(u.what_would_help, ctx.plan),
        }
        for u in sorted(ctx.plan.unserved, key=lambda u: -u.unmet_need)
    ]


def figure_rows(ctx: ExportContext) -> Rows:
    """Key figures with their definitions; plan metrics alone when the territory is unknown."""
    rc = ctx.report
    if rc is not None:
        figs = key_figures(ctx.plan, rc, ctx.baseline, ctx.rates)
        return figures_frame(figs).astype(object).where(lambda d: d.notna(), None).to_dict("records")
    m = ctx.plan.metrics
    return [
        {"Indicateur": "Personnes suivant un parcours complet", "Plan": m.participants_full_series},
        {"Indicateur": "Personnes touchées (séances isolées comprises)", "Plan": m.participants},
        {"Indicateur": "Séances", "Plan": m.sessions},
        {"Indicateur": "Kilomètres parcourus", "Plan": round(m.km, 1)},
        {"Indicateur": "Heures de route", "Plan": round(m.drive_hours, 1)},
    ]


def epci_rows(ctx: ExportContext) -> Rows:
    """Figures by EPCI (empty without territory, needs and matrix)."""
    rc = ctx.report
    if rc is None:
        return []
    df = epci_frame(ctx.plan, rc, ctx.baseline)
    return df.astype(object).where(df.notna(), None).to_dict("records")
