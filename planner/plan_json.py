"""The plan JSON format: :class:`~planner.model.Plan` to and from plain dictionaries.

This is the exchange format of the CLI (``python -m planner plan … --out plan.json``),
of plan versions and of the ``json`` export. Dates are ISO strings, times ``HH:MM``.
"""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, fields, replace
from datetime import date, time
from pathlib import Path
from typing import Any

from planner.errors import InputError
from planner.model import (
    PARCOURS,
    AcceptedException,
    HostRequest,
    Plan,
    PlanInputs,
    PlanMetrics,
    Resource,
    Route,
    Rules,
    Season,
    Series,
    Session,
    Unserved,
    format_weekdays,
    parse_weekdays,
    session_uid,
)
from planner.territory.attendance import GENERAL

FORMAT_VERSION = 1
# Metrics every plan file has; later ones (with defaults) may be absent from older files.
_REQUIRED_METRICS = tuple(f.name for f in fields(PlanMetrics) if f.default is MISSING)


def rules_to_dict(rules: Rules) -> dict[str, Any]:
    """The rules as written in the plan file (``"rules"``, and a reference's rules in ``"metrics"``)."""
    return {
        "sessions_per_series": rules.sessions_per_series,
        "interval_days": rules.interval_days,
        "interval_tolerance_days": rules.interval_tolerance_days,
        "min_participants": rules.min_participants,
        "catchment_minutes": rules.catchment_minutes,
        "repeat_value": rules.repeat_value,
        "travel_weight": rules.travel_weight,
        "priority": rules.priority,
        "attendance_share": rules.attendance_share,
        "attendance_half_minutes": rules.attendance_half_minutes,
        "km_budget": rules.km_budget,
    }


def rules_from_dict(r: dict[str, Any]) -> Rules:
    """Inverse of :func:`rules_to_dict` (unknown keys ignored, missing ones default)."""
    return Rules(**{k: r[k] for k in r if k in Rules.__dataclass_fields__})


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def _time(text: str) -> time:
    return time.fromisoformat(text)


def resource_to_dict(r: Resource) -> dict[str, Any]:
    """Resource → dict with the CSV column names (weekdays as ``"mar,ven"``)."""
    return {
        "id": r.id,
        "kind": r.kind,
        "seats": r.seats,
        "base": r.base,
        "weekdays": format_weekdays(r.weekdays),
        "day_start": _hhmm(r.day_start),
        "day_end": _hhmm(r.day_end),
        "max_sessions_per_day": r.max_sessions_per_day,
        "session_minutes": r.session_minutes,
        "needs_power": r.needs_power,
        "label": r.label,
        "public": r.public,
        "services": ",".join(r.services),
        "permanence_rhythm": r.permanence_rhythm,
        "permanence_minutes": r.permanence_minutes,
        "permanence_capacity": r.permanence_capacity,
        "home_visit_minutes": r.home_visit_minutes,
    }


def resource_from_dict(d: dict[str, Any]) -> Resource:
    """Inverse of :func:`resource_to_dict`."""
    return Resource(
        id=str(d["id"]),
        kind=str(d["kind"]),
        seats=int(d["seats"]),
        base=str(d["base"]),
        weekdays=parse_weekdays(str(d["weekdays"])),
        day_start=_time(d["day_start"]),
        day_end=_time(d["day_end"]),
        max_sessions_per_day=int(d["max_sessions_per_day"]),
        session_minutes=int(d["session_minutes"]),
        needs_power=bool(d["needs_power"]),
        label=str(d.get("label", "")),
        public=str(d.get("public", "") or GENERAL),
        services=tuple(x for x in str(d.get("services", "") or PARCOURS).split(",") if x),
        permanence_rhythm=str(d.get("permanence_rhythm", "") or "mensuel"),
        permanence_minutes=int(d.get("permanence_minutes", 180)),
        permanence_capacity=float(d.get("permanence_capacity", 3.0)),
        home_visit_minutes=int(d.get("home_visit_minutes", 60)),
    )


def session_to_dict(s: Session) -> dict[str, Any]:
    """Session → dict in the plan format."""
    return {
        "series": s.series,
        "index": s.index,
        "resource": s.resource,
        "host": s.host,
        "date": s.date.isoformat(),
        "start": _hhmm(s.start),
        "end": _hhmm(s.end),
        "locked": s.locked,
        "uid": s.uid,
        "sequence": s.sequence,
        "service": s.service,
    }


def session_from_dict(d: dict[str, Any]) -> Session:
    """Inverse of :func:`session_to_dict`."""
    return Session(
        series=str(d["series"]),
        index=int(d["index"]),
        resource=str(d["resource"]),
        host=str(d["host"]),
        date=date.fromisoformat(str(d["date"])),
        start=_time(str(d["start"])),
        end=_time(str(d["end"])),
        locked=bool(d.get("locked", False)),
        uid=str(d.get("uid", "")),
        sequence=int(d.get("sequence", 0)),
        service=str(d.get("service", "") or PARCOURS),
    )


def request_to_dict(q: HostRequest) -> dict[str, Any]:
    """A host request as the plan records it (weekdays as ``"mar,ven"``, dates ISO)."""
    return {
        "id": q.id,
        "code_insee": q.code_insee,
        "venue": q.venue,
        "weekdays": format_weekdays(q.weekdays),
        "blackout_dates": sorted(d.isoformat() for d in q.blackout_dates),
        "has_power": q.has_power,
        "expected_participants": q.expected_participants,
        "home_visits": q.home_visits,
    }


def request_from_dict(d: dict[str, Any]) -> HostRequest:
    """Inverse of :func:`request_to_dict`."""
    expected = d.get("expected_participants")
    return HostRequest(
        code_insee=str(d["code_insee"]),
        venue=str(d.get("venue", "")),
        weekdays=parse_weekdays(str(d.get("weekdays", ""))),
        blackout_dates=frozenset(date.fromisoformat(x) for x in d.get("blackout_dates", [])),
        has_power=bool(d.get("has_power", True)),
        expected_participants=None if expected is None else int(expected),
        id=str(d.get("id", "")),
        home_visits=int(d.get("home_visits", 0) or 0),
    )


def accepted_to_dict(a: AcceptedException) -> dict[str, Any]:
    """An accepted exception as written in the plan file."""
    return {"rule": a.rule, "message": a.message, "uid": a.uid, "series": a.series, "by": a.by, "on": a.on}


def accepted_from_dict(d: dict[str, Any]) -> AcceptedException:
    """Inverse of :func:`accepted_to_dict`."""
    return AcceptedException(
        **{k: str(d.get(k, "")) for k in ("rule", "message", "uid", "series", "by", "on")}
    )


def _inputs_to_dict(inputs: PlanInputs) -> dict[str, Any]:
    return {
        "requests": [request_to_dict(q) for q in inputs.requests],
        "requests_only": inputs.requests_only,
        "need_weights": dict(inputs.need_weights),
        **({"need_factors": dict(inputs.need_factors)} if inputs.need_factors else {}),
    }


def _inputs_from_dict(d: dict[str, Any] | None) -> PlanInputs:
    if not d:
        return PlanInputs()
    return PlanInputs(
        requests=tuple(request_from_dict(x) for x in d.get("requests", [])),
        requests_only=bool(d.get("requests_only", False)),
        need_weights={str(k): v for k, v in (d.get("need_weights") or {}).items()},
        need_factors={str(k): float(v) for k, v in (d.get("need_factors") or {}).items()},
    )


def with_uids(sessions: tuple[Session, ...], territory_spec: str) -> tuple[Session, ...]:
    """``sessions`` with an identity for those that have none (files written before identities)."""
    return tuple(s if s.uid else replace(s, uid=session_uid(territory_spec, s)) for s in sessions)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """Serialise a plan to the documented JSON structure."""
    season, rules, m = plan.season, plan.rules, plan.metrics
    return {
        "format_version": FORMAT_VERSION,
        "kind": plan.kind,
        "territory": plan.territory_spec,
        "season": {
            "start": season.start.isoformat(),
            "end": season.end.isoformat(),
            "closed_dates": sorted(d.isoformat() for d in season.closed_dates),
            "closed_reasons": {d.isoformat(): r for d, r in sorted(season.closed_reasons.items())},
        },
        "rules": rules_to_dict(rules),
        "resources": [resource_to_dict(r) for r in plan.resources],
        "series": [
            {
                "id": s.id,
                "host": s.host,
                "resource": s.resource,
                "participants": s.participants,
                "from_communes": dict(s.from_communes),
                "from_minutes": dict(s.from_minutes),
                "service": s.service,
                "rhythm": s.rhythm,
                "capacity": s.capacity,
            }
            for s in plan.series
        ],
        "sessions": [session_to_dict(s) for s in plan.sessions],
        "routes": [
            {
                "resource": r.resource,
                "date": r.date.isoformat(),
                "stops": list(r.stops),
                "km": round(r.km, 2),
                "drive_minutes": round(r.drive_minutes, 1),
            }
            for r in plan.routes
        ],
        "unserved": [
            {
                "code_insee": u.code_insee,
                "name": u.name,
                "unmet_need": round(u.unmet_need, 2),
                "reason": u.reason,
                "what_would_help": u.what_would_help,
                "request_id": u.request_id,
            }
            for u in plan.unserved
        ],
        "metrics": {
            "status": m.status,
            "objective": m.objective,
            "bound": m.bound,
            "gap": m.gap,
            "solve_seconds": round(m.solve_seconds, 3),
            "need_total": round(m.need_total, 2),
            "unmet_need_total": round(m.unmet_need_total, 2),
            "participants": m.participants,
            "participants_full_series": m.participants_full_series,
            "sessions": m.sessions,
            "km": round(m.km, 2),
            "drive_hours": round(m.drive_hours, 2),
            "coverage": dict(m.coverage),
            "unmet_need": dict(m.unmet_need),
            "least_covered": list(m.least_covered),
            "least_covered_need_share": m.least_covered_need_share,
            "least_covered_session_share": m.least_covered_session_share,
            "least_covered_participant_share": m.least_covered_participant_share,
            "least_covered_hosts": m.least_covered_hosts,
            "participants_travelling": m.participants_travelling,
            "travel_minutes_mean": round(m.travel_minutes_mean, 2),
            "travel_minutes_max": round(m.travel_minutes_max, 1),
            "warnings": list(m.warnings),
            "base_series": m.base_series,
            "base_sessions": m.base_sessions,
            "km_eur": round(m.km_eur, 2),
            "co2_kg": round(m.co2_kg, 2),
            "eur_per_km": m.eur_per_km,
            "co2_kg_per_km": m.co2_kg_per_km,
            "best_objective": m.best_objective,
            "restricted_bound": m.restricted_bound,
            "greedy_parts": m.greedy_parts,
            # written only when set: plans of the frontier valued under the coordinator's rules
            **(
                {}
                if m.reference_rules is None
                else {
                    "reference_value": m.reference_value,
                    "reference_rules": rules_to_dict(m.reference_rules),
                }
            ),
        },
        "accepted_exceptions": [accepted_to_dict(a) for a in plan.accepted],
        "inputs": _inputs_to_dict(plan.inputs),
    }


#: Metrics every plan file has; the later ones (equity and travel figures) default when absent.
_REQUIRED_METRICS = (
    "status",
    "objective",
    "bound",
    "gap",
    "solve_seconds",
    "need_total",
    "unmet_need_total",
    "participants",
    "participants_full_series",
    "sessions",
    "km",
    "drive_hours",
)


def _metrics(m: dict[str, Any]) -> PlanMetrics:
    values = {k: m[k] for k in _REQUIRED_METRICS}
    values |= {k: m[k] for k in PlanMetrics.__dataclass_fields__ if k in m and k not in values}
    if "coverage" in values:
        values["coverage"] = {str(k): float(v) for k, v in values["coverage"].items()}
    if "unmet_need" in values:
        values["unmet_need"] = {str(k): float(v) for k, v in values["unmet_need"].items()}
    if "least_covered" in values:
        values["least_covered"] = tuple(str(c) for c in values["least_covered"])
    if "warnings" in values:
        values["warnings"] = tuple(str(w) for w in values["warnings"])
    if values.get("reference_rules") is not None:
        values["reference_rules"] = rules_from_dict(values["reference_rules"])
    return PlanMetrics(**values)


def plan_from_dict(d: dict[str, Any], source: str = "plan") -> Plan:
    """Rebuild a :class:`Plan` from :func:`plan_to_dict` output.

    Raises
    ------
    InputError
        With a French message when a field is missing or malformed.
    """
    try:
        s, r, m = d["season"], d["rules"], d["metrics"]
        season = Season(
            start=date.fromisoformat(s["start"]),
            end=date.fromisoformat(s["end"]),
            closed_dates=frozenset(date.fromisoformat(x) for x in s.get("closed_dates", [])),
            closed_reasons={date.fromisoformat(k): v for k, v in s.get("closed_reasons", {}).items()},
        )
        rules = rules_from_dict(r)
        return Plan(
            territory_spec=str(d.get("territory", "")),
            season=season,
            rules=rules,
            resources=tuple(resource_from_dict(x) for x in d.get("resources", [])),
            series=tuple(
                Series(
                    id=str(x["id"]),
                    host=str(x["host"]),
                    resource=str(x["resource"]),
                    participants=int(x["participants"]),
                    from_communes={str(k): int(v) for k, v in x.get("from_communes", {}).items()},
                    from_minutes={str(k): float(v) for k, v in x.get("from_minutes", {}).items()},
                    service=str(x.get("service", "") or PARCOURS),
                    rhythm=str(x.get("rhythm", "")),
                    capacity=float(x.get("capacity", 0.0)),
                )
                for x in d.get("series", [])
            ),
            sessions=with_uids(
                tuple(session_from_dict(x) for x in d.get("sessions", [])), str(d.get("territory", ""))
            ),
            routes=tuple(
                Route(
                    resource=str(x["resource"]),
                    date=date.fromisoformat(x["date"]),
                    stops=tuple(x["stops"]),
                    km=float(x["km"]),
                    drive_minutes=float(x["drive_minutes"]),
                )
                for x in d.get("routes", [])
            ),
            unserved=tuple(
                Unserved(
                    code_insee=str(x["code_insee"]),
                    unmet_need=float(x["unmet_need"]),
                    reason=str(x["reason"]),
                    what_would_help=str(x["what_would_help"]),
                    name=str(x.get("name", "")),
                    request_id=str(x.get("request_id", "")),
                )
                for x in d.get("unserved", [])
            ),
            metrics=_metrics(m),
            kind=_kind(d.get("kind", "optimised")),
            accepted=tuple(accepted_from_dict(x) for x in d.get("accepted_exceptions", [])),
            inputs=_inputs_from_dict(d.get("inputs")),
        )
    except InputError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"plan illisible : champ manquant ou invalide ({exc})", file=source) from exc


def save_plan(plan: Plan, path: str | Path) -> None:
    """Write ``plan`` as indented UTF-8 JSON; a file that cannot be written is a French
    :class:`~planner.errors.InputError` naming it."""
    try:
        Path(path).write_text(json.dumps(plan_to_dict(plan), ensure_ascii=False, indent=2), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"impossible d'écrire le plan ({exc.strerror})", file=str(path)) from exc


def _kind(value: object) -> str:
    """The plan's kind, a short identifier (it ends up in file names)."""
    kind = str(value)
    if not re.fullmatch(r"[a-z_]{1,40}", kind):
        raise ValueError("type de plan invalide")
    return kind


def load_plan(path: str | Path) -> Plan:
    """Read a plan JSON file written by :func:`save_plan`."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("fichier introuvable", file=p.name) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"JSON invalide ({exc})", file=p.name) from exc
    if not isinstance(data, dict):
        raise InputError("un objet JSON de plan est attendu", file=p.name)
    return plan_from_dict(data, source=p.name)
