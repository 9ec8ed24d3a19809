"""Planned vs done, per parcours and overall: sessions held, participants per session, people who
came back, completion, where participants came from, and the cost per person trained.

Definitions (also in :data:`DEFINITIONS`, in French, for the screens and the Excel export):

* a session is **held**, **cancelled** or **not recorded** (future, or not entered yet);
* **participants per session** = participants of the held sessions / held sessions; the plan's
  figure is the group size it assumed (:attr:`~planner.model.Series.participants`) over the same
  sessions;
* **came to all / most sessions**: only when the source follows people from one session to the
  next (the Coop export); « most » is :func:`~planner.realised.attendance.most_threshold` of the
  sessions covered (4 of 5). A sheet that only counts heads cannot tell: the figure is then
  « non mesurable » (``None``), never guessed;
* a person **trained** came to most sessions of a planned parcours (4 of its 5). Measured from
  attendance when there is some; otherwise *estimated* as the parcours' participants per held
  session when it held most of its sessions — the stable-group assumption the plan itself makes
  (``participants_full_series``), so that plan and reality are compared on the same footing;
* **completion rate** = people trained / people identified who came at least once, over the
  measured parcours that are finished (every session recorded): mid-season it is not known yet;
* **where participants came from**: people per held session by commune of residence, averaged
  per parcours, against the plan's ``from_communes`` of the same parcours;
* **cost**: the funders' report's own formula (:func:`planner.publish.report.plan_figures`,
  :class:`~planner.publish.report.CostRates`) applied to the sessions that mobilised the
  resource — held ones and those nobody came to (the team did come) — and to the routes of
  their days.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import pandas as pd

from planner.french import french_decimal
from planner.model import Plan
from planner.publish.report import CostRates, ReportContext, full_series_ids, plan_figures, served_by_commune
from planner.realised.age_bands import age_band_label, age_band_order
from planner.realised.attendance import SeriesAttendance, most_threshold
from planner.realised.outcome import CANCEL_REASONS, SOURCES
from planner.realised.places import region_places
from planner.realised.season import RealisedSeason

NAN = float("nan")


def _ratio(a: float, b: float) -> float:
    return a / b if b else NAN


@dataclass(frozen=True)
class SeriesRealised:
    """Planned vs done for one parcours."""

    series: str
    host: str
    planned_sessions: int
    held: int
    cancelled: int
    not_recorded: int
    cancel_reasons: Mapping[str, int]
    planned_group: int
    participations: int
    attendance: SeriesAttendance | None = None

    @property
    def per_session(self) -> float:
        """Participants per held session (``nan`` when none was held)."""
        return _ratio(self.participations, self.held)

    @property
    def sessions_rate(self) -> float:
        """Held sessions / planned sessions."""
        return _ratio(self.held, self.planned_sessions)

    @property
    def most(self) -> int:
        """Sessions of the planned parcours that make « most » of it (4 of 5)."""
        return most_threshold(self.planned_sessions)

    @property
    def measured(self) -> bool:
        """True when the source identified people, so that repeat attendance is known."""
        return self.attendance is not None and self.attendance.people > 0

    @property
    def came_all(self) -> int | None:
        """People who came to every session the source covered (``None``: not measurable)."""
        return self.attendance.came_all if self.measured else None

    @property
    def came_most(self) -> int | None:
        """People who came to most sessions the source covered (``None``: not measurable)."""
        return self.attendance.came_most if self.measured else None

    @property
    def trained(self) -> float:
        """People trained: measured, or estimated (see the module's docstring)."""
        if self.measured:
            return float(self.attendance.came_at_least(self.most))
        return self.per_session if self.held >= self.most else 0.0

    @property
    def finished(self) -> bool:
        """True when every session of the parcours is recorded (held or cancelled) and one was held."""
        return self.not_recorded == 0 and self.held > 0

    @property
    def completion_rate(self) -> float | None:
        """People trained / people identified, once the parcours is finished (``None`` otherwise)."""
        return self.trained / self.attendance.people if self.measured and self.finished else None


def series_realised(plan: Plan, realised: RealisedSeason) -> tuple[SeriesRealised, ...]:
    """Planned vs done for every parcours of ``plan``, in plan order."""
    realised = realised.for_plan(plan)
    sessions = defaultdict(list)
    for s in plan.sessions:
        sessions[s.series].append(s)
    out = []
    for series in plan.series:
        outcomes = [realised.outcomes.get(s.uid) for s in sessions[series.id]]
        held = [o for o in outcomes if o is not None and o.held]
        cancelled = [o for o in outcomes if o is not None and not o.held]
        out.append(
            SeriesRealised(
                series=series.id,
                host=series.host,
                planned_sessions=len(outcomes),
                held=len(held),
                cancelled=len(cancelled),
                not_recorded=sum(o is None for o in outcomes),
                cancel_reasons=MappingProxyType(dict(Counter(o.cancel_reason for o in cancelled))),
                planned_group=series.participants,
                participations=sum(o.participants for o in held),
                attendance=realised.attendance.get(series.id),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class RealisedFigures:
    """Planned vs done for the whole plan (see :data:`DEFINITIONS`)."""

    planned_sessions: int
    held: int
    cancelled: int
    not_recorded: int
    cancel_reasons: Mapping[str, int]
    participations: int
    planned_participations: int
    series_measured: int
    series_total: int
    people_identified: int
    came_all: int | None
    came_most: int | None
    trained: float
    trained_measured: float
    planned_trained: int
    completion_rate: float | None
    cost_eur: float | None = None
    planned_cost_eur: float | None = None
    series: tuple[SeriesRealised, ...] = field(default_factory=tuple)

    @property
    def per_session(self) -> float:
        """Participants per held session."""
        return _ratio(self.participations, self.held)

    @property
    def planned_per_session(self) -> float:
        """Participants per session the plan assumed, over the same (held) sessions."""
        return _ratio(self.planned_participations, self.held)

    @property
    def cost_per_trained(self) -> float | None:
        """Realised cost / people trained."""
        return None if self.cost_eur is None else _ratio(self.cost_eur, self.trained)

    @property
    def planned_cost_per_trained(self) -> float | None:
        """Planned cost / people the plan expected to train."""
        return None if self.planned_cost_eur is None else _ratio(self.planned_cost_eur, self.planned_trained)


def mobilised_plan(plan: Plan, realised: RealisedSeason) -> Plan:
    """The part of ``plan`` that mobilised the resource: held sessions, those nobody came to,
    and the routes of their days (what the realised cost is computed on)."""
    sessions = tuple(
        s
        for s in plan.sessions
        if (o := realised.outcomes.get(s.uid)) is not None and (o.held or o.cancel_reason == "no_show")
    )
    days = {(s.resource, s.date) for s in sessions}
    return replace(
        plan, sessions=sessions, routes=tuple(r for r in plan.routes if (r.resource, r.date) in days)
    )


def _cost(plan: Plan, ctx: ReportContext, rates: CostRates) -> float:
    if not plan.sessions:
        return 0.0
    return plan_figures(plan, ctx, rates).cost_eur


def realised_figures(
    plan: Plan, realised: RealisedSeason, ctx: ReportContext | None = None, rates: CostRates | None = None
) -> RealisedFigures:
    """Planned vs done for the whole of ``plan``.

    Parameters
    ----------
    plan
        The plan the outcomes belong to.
    realised
        What happened (outcomes by session ``uid``, attendance by parcours).
    ctx
        Territory, need and drive times, for the costs (``None``: no cost figures).
    rates
        Money rates (defaults of :class:`~planner.publish.report.CostRates`).
    """
    realised = realised.for_plan(plan)
    per_series = series_realised(plan, realised)
    group = {s.id: s.participants for s in plan.series}
    held_sessions = realised.held(plan)
    measured = [x for x in per_series if x.measured]
    done = [x for x in measured if x.finished]
    full = full_series_ids(plan)
    cost = planned_cost = None
    if ctx is not None:
        rates = rates or CostRates()
        cost = _cost(mobilised_plan(plan, realised), ctx, rates)
        planned_cost = _cost(plan, ctx, rates)
    return RealisedFigures(
        planned_sessions=len(plan.sessions),
        held=len(held_sessions),
        cancelled=sum(x.cancelled for x in per_series),
        not_recorded=sum(x.not_recorded for x in per_series),
        cancel_reasons=MappingProxyType(
            dict(sum((Counter(x.cancel_reasons) for x in per_series), Counter()))
        ),
        participations=sum(x.participations for x in per_series),
        planned_participations=sum(group.get(s.series, 0) for s in held_sessions),
        series_measured=len(measured),
        series_total=len(per_series),
        people_identified=sum(x.attendance.people for x in measured),
        came_all=sum(x.came_all for x in measured) if measured else None,
        came_most=sum(x.came_most for x in measured) if measured else None,
        trained=sum(x.trained for x in per_series),
        trained_measured=sum(x.trained for x in measured),
        planned_trained=sum(s.participants for s in plan.series if s.id in full),
        completion_rate=(
            _ratio(sum(x.trained for x in done), sum(x.attendance.people for x in done)) if done else None
        ),
        cost_eur=cost,
        planned_cost_eur=planned_cost,
        series=per_series,
    )


def measurement_note(fig: RealisedFigures) -> str:
    """One French sentence saying how far repeat attendance is measured, for screens and reports."""
    held = sum(1 for x in fig.series if x.held)
    if not held:
        return "Aucune séance tenue n'est encore enregistrée."
    if fig.series_measured == held:
        return "Assiduité mesurée pour tous les parcours tenus : la source suit les personnes d'une séance à l'autre."
    if not fig.series_measured:
        return (
            "Assiduité non mesurable : la source compte les présents sans suivre les personnes d'une séance à "
            "l'autre ; les personnes formées sont estimées (groupe supposé stable, comme dans le plan)."
        )
    return (
        f"Assiduité mesurée pour {fig.series_measured} parcours tenus sur {held} ; pour les autres, la source "
        "ne suit pas les personnes et les personnes formées sont estimées (groupe supposé stable)."
    )


# ------------------------------------------------------------------------------------ tables

#: key -> (French label, one-line French definition, unit, decimals)
DEFINITIONS: dict[str, tuple[str, str, str, int]] = {
    "sessions": ("Séances", "Séances prévues au plan ; réalisé : séances tenues.", "séances", 0),
    "cancelled": ("Séances annulées", "Séances annulées (météo, panne, personne n'est venu…).", "séances", 0),
    "not_recorded": (
        "Séances non renseignées",
        "Séances dont on ne sait pas encore ce qu'elles ont donné (à venir, ou pas encore saisies).",
        "séances",
        0,
    ),
    "per_session": (
        "Participants par séance",
        "Participants des séances tenues divisés par le nombre de ces séances ; prévu : taille de groupe attendue par le plan pour ces mêmes séances.",
        "pers.",
        1,
    ),
    "came_all": (
        "Personnes venues à toutes les séances",
        "Personnes identifiées venues à toutes les séances tenues de leur parcours (seulement quand la source suit les personnes d'une séance à l'autre).",
        "pers.",
        0,
    ),
    "came_most": (
        "Personnes venues à la plupart des séances",
        "Personnes identifiées venues à au moins trois quarts des séances tenues de leur parcours (4 sur 5).",
        "pers.",
        0,
    ),
    "trained": (
        "Personnes formées",
        "Personnes venues à la plupart des séances d'un parcours (4 sur 5) : mesuré quand la source suit les personnes, sinon estimé par les participants par séance des parcours tenus en grande partie (groupe supposé stable, comme le fait le plan).",
        "pers.",
        0,
    ),
    "completion_rate": (
        "Taux d'achèvement",
        "Personnes formées rapportées aux personnes identifiées venues au moins une fois, sur les parcours terminés où la source suit les personnes.",
        "%",
        0,
    ),
    "cost_eur": (
        "Coût estimé",
        "Kilomètres × coût au km + heures mobilisées × coût horaire ; réalisé : séances tenues ou sans participant et tournées de leurs jours.",
        "€",
        0,
    ),
    "cost_per_trained": ("Coût par personne formée", "Coût estimé divisé par les personnes formées.", "€", 0),
}


def _none(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def figures_frame(fig: RealisedFigures, *, formatted: bool = False) -> pd.DataFrame:
    """The overall figures, planned and done, with French headers and definitions."""
    pct = None if fig.completion_rate is None else fig.completion_rate * 100
    values = {
        "sessions": (fig.planned_sessions, fig.held),
        "cancelled": (None, fig.cancelled),
        "not_recorded": (None, fig.not_recorded),
        "per_session": (fig.planned_per_session, fig.per_session),
        "came_all": (None, fig.came_all),
        "came_most": (None, fig.came_most),
        "trained": (fig.planned_trained, fig.trained),
        "completion_rate": (None, pct),
        "cost_eur": (fig.planned_cost_eur, fig.cost_eur),
        "cost_per_trained": (fig.planned_cost_per_trained, fig.cost_per_trained),
    }
    rows = []
    for key, (label, definition, unit, decimals) in DEFINITIONS.items():
        planned, done = (_none(v) for v in values[key])

        def show(v: float | None, decimals: int = decimals) -> object:
            if formatted:
                return french_decimal(v, decimals)
            return None if v is None else round(float(v), decimals + 2)

        rows.append(
            {
                "Indicateur": label,
                "Prévu": show(planned),
                "Réalisé": show(done),
                "Unité": unit,
                "Définition": definition,
            }
        )
    return pd.DataFrame(rows)


def _measure(x: SeriesRealised) -> str:
    if x.measured:
        return "mesuré"
    return "estimé" if x.held else "—"


def series_frame(
    plan: Plan, realised: RealisedSeason, name: Callable[[str], str] | None = None
) -> pd.DataFrame:
    """One row per parcours: planned vs done, French headers."""
    name = name or region_places().name
    rows = []
    for x in series_realised(plan, realised):
        rows.append(
            {
                "Parcours": x.series,
                "Commune d'accueil": name(x.host),
                "code_insee": x.host,
                "Séances prévues": x.planned_sessions,
                "Séances tenues": x.held,
                "Séances annulées": x.cancelled,
                "Séances non renseignées": x.not_recorded,
                "Motifs d'annulation": ", ".join(
                    f"{CANCEL_REASONS[k]} ({n})" for k, n in sorted(x.cancel_reasons.items())
                ),
                "Participants par séance (prévu)": x.planned_group,
                "Participants par séance (réalisé)": _none(x.per_session),
                "Personnes identifiées": x.attendance.people if x.measured else None,
                "Venues à toutes les séances": x.came_all,
                "Venues à la plupart des séances": x.came_most,
                "Personnes formées": round(x.trained, 1),
                "Taux d'achèvement (%)": None
                if x.completion_rate is None
                else round(x.completion_rate * 100, 1),
                "Assiduité": _measure(x),
            }
        )
    return pd.DataFrame(rows)


def sessions_frame(
    plan: Plan, realised: RealisedSeason, name: Callable[[str], str] | None = None
) -> pd.DataFrame:
    """One row per planned session: date, commune, what happened, participants.

    The last column, ``uid``, is the session's identity for joining with an entry form; it is
    not for display.
    """
    name = name or region_places().name
    group = {s.id: s.participants for s in plan.series}
    rows = []
    for s in sorted(plan.sessions, key=lambda s: (s.date, s.start, s.series)):
        o = realised.outcomes.get(s.uid)
        status = "Non renseignée" if o is None else ("Tenue" if o.held else "Annulée")
        row = {
            "Date": s.date,
            "Début": s.start,
            "Commune": name(s.host),
            "code_insee": s.host,
            "Parcours": s.series,
            "Séance n°": s.index,
            "Statut": status,
            "Motif d'annulation": "" if o is None else o.reason_label,
            "Participants (prévu)": group.get(s.series, 0),
            "Participants": None if o is None else o.participants,
            "Source": "" if o is None else SOURCES[o.source],
            "uid": s.uid,
        }
        rows.append(row)
    return pd.DataFrame(rows)


def origins_frame(
    plan: Plan, realised: RealisedSeason, name: Callable[[str], str] | None = None
) -> pd.DataFrame:
    """Where participants came from vs where the plan expected them, per commune.

    Over the parcours with at least one held session: the plan's people per session by home
    commune (``from_communes``, through :func:`planner.publish.report.served_by_commune`)
    against the participants per held session by commune of residence, averaged per parcours.
    A last row « Commune inconnue » holds the participants whose commune was not recorded.
    """
    name = name or region_places().name
    realised = realised.for_plan(plan)
    by_series: dict[str, list] = defaultdict(list)
    for s in plan.sessions:
        o = realised.outcomes.get(s.uid)
        if o is not None and o.held:
            by_series[s.series].append(o)
    planned = served_by_commune(plan, by_series.keys())
    done: Counter[str] = Counter()
    for outcomes in by_series.values():
        for o in outcomes:
            for code, n in o.residence.items():
                done[code] += n / len(outcomes)
            done[""] += o.residence_unknown / len(outcomes)
    codes = sorted(set(planned) | {c for c in done if c}, key=lambda c: (-planned.get(c, 0), name(c)))
    known = sum(v for c, v in done.items() if c)
    total_planned = sum(planned.values())
    rows = [
        {
            "code_insee": c,
            "Commune": name(c),
            "Prévu (personnes par séance)": planned.get(c, 0),
            "Réalisé (personnes par séance)": round(done.get(c, 0.0), 2),
            "Part prévue (%)": round(100 * _ratio(planned.get(c, 0), total_planned), 1),
            "Part réalisée (% des communes connues)": round(100 * _ratio(done.get(c, 0.0), known), 1),
        }
        for c in codes
    ]
    if done.get("", 0) > 0:
        rows.append(
            {
                "code_insee": "",
                "Commune": "Commune inconnue",
                "Prévu (personnes par séance)": 0,
                "Réalisé (personnes par séance)": round(done[""], 2),
                "Part prévue (%)": None,
                "Part réalisée (% des communes connues)": None,
            }
        )
    return pd.DataFrame(rows)


def ages_frame(plan: Plan, realised: RealisedSeason) -> pd.DataFrame:
    """Participations of the held sessions by age band, youngest first, then « non communiqué »."""
    realised = realised.for_plan(plan)
    held = [o for o in realised.outcomes.values() if o.held]
    counts: Counter[str] = Counter()
    for o in held:
        counts.update(o.age_bands)
    total = sum(o.participants for o in held)
    rows = [
        {
            "Tranche d'âge": age_band_label(b),
            "Participations": n,
            "Part (%)": round(100 * _ratio(n, total), 1),
        }
        for b, n in sorted(counts.items(), key=lambda kv: age_band_order(kv[0]))
    ]
    unknown = total - sum(counts.values())
    if unknown:
        rows.append(
            {
                "Tranche d'âge": "non communiqué",
                "Participations": unknown,
                "Part (%)": round(100 * unknown / total, 1),
            }
        )
    return pd.DataFrame(rows, columns=["Tranche d'âge", "Participations", "Part (%)"])


__all__ = [
    "DEFINITIONS",
    "RealisedFigures",
    "SeriesRealised",
    "ages_frame",
    "figures_frame",
    "measurement_note",
    "mobilised_plan",
    "origins_frame",
    "realised_figures",
    "series_frame",
    "series_realised",
    "sessions_frame",
]
