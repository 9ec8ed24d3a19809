"""Running the optimiser in the background and showing its progress; the problem of a plan.

The solver never calls Streamlit: :class:`SolveJob` runs :func:`planner.optimise.solve.solve` — or,
for a re-plan, :func:`planner.optimise.stability.replan` — then the saupoudrage baseline, in a
daemon thread, and records progress in a lock-protected object. The page polls it
(:func:`show_progress`) in a short ``time.sleep`` loop that redraws placeholders; any click
interrupts the loop (Streamlit reruns the script), the thread goes on, and the next run resumes
polling — so the page stays responsive and "Annuler" sets the job's stop event.

A finished job's plan becomes the territory's current version through :mod:`ui.workspace`.
The baseline is always computed by :func:`baseline_of` on the plan's own problem
(:func:`problem_for` rebuilds it from the plan file), so a plan reopened shows the same figures.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from planner.errors import PlannerError
from planner.french import french_decimal
from planner.model import Plan, PlanInputs
from planner.problem import PlanningProblem, ProgressEvent, SolveParams
from planner.territory.attendance import GENERAL, PUBLICS

log = logging.getLogger(__name__)

JOB_KEY = "solve_job"
PLAN_KEY = "plan"
BASELINE_KEY = "baseline_plan"
PROBLEM_KEY = "problem"
VERSION_KEY = "plan_version_id"
ERROR_KEY = "solve_error"
ALTERNATIVES_KEY = "plan_alternatives"

PHASES_FR = {
    "pending": "En attente",
    "solve": "Recherche du meilleur plan",
    "baseline": "Calcul du plan de référence (saupoudrage)",
    "alternatives": "Calcul des deux autres plans (au plus près des moins couverts, le moins de km)",
    "done": "Terminé",
    "cancelled": "Annulé — meilleur plan trouvé conservé",
    "failed": "Échec",
}


@dataclass(frozen=True)
class JobSnapshot:
    """What the page shows of a running job, read atomically."""

    phase: str
    elapsed_s: float
    objective: float | None
    bound: float | None
    gap: float | None
    history: tuple[ProgressEvent, ...]
    done: bool
    error: str | None


class SolveJob:
    """One optimiser run in a background thread.

    Parameters
    ----------
    problem
        What to solve.
    params
        Time limit, gap, workers, seed.
    label
        A short French description kept with the plan version (e.g. ``"Plan initial"``).
    with_baseline
        Also compute the saupoudrage baseline on the same problem after the solve.
    alternatives
        Also compute the other plans of the frontier
        (:func:`planner.optimise.alternatives.solve_alternatives`) after the solve.
    solve_fn, baseline_fn
        The functions to run; default :func:`planner.optimise.stability.replan` (the plain solve
        for a first plan) and :func:`baseline_of` (parameters for tests of other solvers).
    previous
        The plan being re-planned (kept to say what moved and why).
    inputs
        What the plan answers besides its season, rules and resources (requests, need weights):
        written into the plan and its baseline.
    """

    def __init__(
        self,
        problem: PlanningProblem,
        params: SolveParams,
        *,
        label: str = "",
        with_baseline: bool = True,
        alternatives: bool = False,
        solve_fn: Callable[..., Plan] | None = None,
        baseline_fn: Callable[[PlanningProblem], Plan] | None = None,
        previous: Plan | None = None,
        inputs: PlanInputs | None = None,
    ) -> None:
        self.problem = problem
        self.params = params
        self.label = label
        self.previous = previous
        self.inputs = inputs or PlanInputs(problem.requests, problem.requests_only)
        self.with_baseline = with_baseline
        self.with_alternatives = alternatives
        self.alternatives: list = []
        self._solve_fn = solve_fn
        self._baseline_fn = baseline_fn
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._phase = "pending"
        self._history: list[ProgressEvent] = []
        self._started = 0.0
        self._ended: float | None = None
        self.plan: Plan | None = None
        self.baseline: Plan | None = None
        self.error: str | None = None
        self.collected = False
        self._thread = threading.Thread(target=self._run, name="aller-vers-solve", daemon=True)

    # -- thread side -------------------------------------------------------------------------
    def start(self) -> SolveJob:
        """Start the background thread (once) and return ``self``."""
        self._started = time.monotonic()
        self._thread.start()
        return self

    def _set_phase(self, phase: str) -> None:
        with self._lock:
            self._phase = phase

    def _on_progress(self, event: ProgressEvent) -> None:
        with self._lock:
            self._history.append(event)

    def _run(self) -> None:
        try:
            from planner.optimise.services import needs_services, solve_services
            from planner.optimise.stability import replan

            services = needs_services(self.problem)
            solve_fn = self._solve_fn or (solve_services if services else replan)
            baseline_fn = self._baseline_fn or baseline_of
            self._set_phase("solve")
            plan = solve_fn(self.problem, params=self.params, on_progress=self._on_progress, stop=self._stop)
            plan = replace(plan, inputs=self.inputs)
            alternatives = []
            if self.with_alternatives and not self._stop.is_set() and not services:  # parcours only
                from planner.optimise.alternatives import solve_alternatives

                self._set_phase("alternatives")
                try:  # the variants are optional: keep the plan if one fails
                    alternatives = [
                        replace(a, plan=replace(a.plan, inputs=self.inputs))
                        for a in solve_alternatives(self.problem, self.params, balanced=plan, stop=self._stop)
                    ]
                except PlannerError:
                    log.error("alternatives failed:\n%s", traceback.format_exc())
            baseline = None
            if self.with_baseline:
                self._set_phase("baseline")
                try:
                    baseline = replace(baseline_fn(self.problem), inputs=self.inputs)
                except Exception:  # the comparison is optional: keep the plan
                    log.error("baseline failed:\n%s", traceback.format_exc())
            with self._lock:
                self.plan, self.baseline, self.alternatives = plan, baseline, alternatives
                self._phase = "cancelled" if self._stop.is_set() else "done"
        except PlannerError as exc:
            with self._lock:
                self.error, self._phase = str(exc), "failed"
        except Exception as exc:  # a bug must reach the page as a sentence, and the log in full
            log.error("solve failed:\n%s", traceback.format_exc())
            with self._lock:
                self.error = f"erreur interne du calcul ({type(exc).__name__} : {exc})"
                self._phase = "failed"
        finally:
            with self._lock:
                self._ended = time.monotonic()
            self._finished.set()

    # -- page side ---------------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the search to stop; the best plan found so far is kept."""
        self._stop.set()

    @property
    def cancel_requested(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        """True when the thread has finished (plan, cancellation or error)."""
        return self._finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job is done or ``timeout`` seconds passed; True when done."""
        return self._finished.wait(timeout)

    def snapshot(self) -> JobSnapshot:
        """The current state, read under the lock."""
        with self._lock:
            last = self._history[-1] if self._history else None
            end = self._ended if self._ended is not None else time.monotonic()
            return JobSnapshot(
                phase=self._phase,
                elapsed_s=max(0.0, end - self._started) if self._started else 0.0,
                objective=last.objective if last else None,
                bound=last.bound if last else None,
                gap=last.gap if last else None,
                history=tuple(self._history),
                done=self._finished.is_set(),
                error=self.error,
            )


def _pct(x: float | None) -> str:
    return "—" if x is None else french_decimal(100 * x, 1) + " %"


# -- Streamlit helpers ----------------------------------------------------------------------------
def current_job() -> SolveJob | None:
    """The job of this browser session, if any."""
    return st.session_state.get(JOB_KEY)


def baseline_of(problem: PlanningProblem) -> Plan:
    """The saupoudrage of the same resource days: one function for every place that shows it.

    It ignores what belongs to the optimised plan's history (locks, exceptions, previous plan),
    so that the comparison of a plan and of its re-plans is made on the same ground.
    """
    from planner.optimise.services import parcours_problem
    from planner.optimise.solve import solve_baseline

    # permanences and home visits: the saupoudrage of the same resource days, in parcours
    return solve_baseline(
        parcours_problem(replace(problem, locked=(), accepted=(), previous=(), keep_value=0.0))
    )


def start_job(
    problem: PlanningProblem,
    params: SolveParams,
    *,
    label: str,
    with_baseline: bool = True,
    alternatives: bool = False,
    previous: Plan | None = None,
    need_factors: Mapping[str, float] | None = None,
) -> SolveJob:
    """Start a background solve for this session (cancelling a previous one still running).

    ``need_factors``: the adjustments of need already applied to ``problem.needs``, recorded in
    the plan's inputs so that reopening it rebuilds the same problem.
    """
    from ui import data as ud

    old = current_job()
    if old is not None and not old.done:
        old.cancel()
    inputs = PlanInputs(
        problem.requests, problem.requests_only, ud.weights_dict(ud.current_weights()), need_factors or {}
    )
    job = SolveJob(
        problem,
        params,
        label=label,
        with_baseline=with_baseline,
        alternatives=alternatives,
        previous=previous,
        inputs=inputs,
    ).start()
    st.session_state[JOB_KEY] = job
    return job


def _render_snapshot(box, snap: JobSnapshot, limit_s: float) -> None:
    with box.container():
        cols = st.columns(4)
        cols[0].metric(
            "Temps écoulé",
            f"{french_decimal(snap.elapsed_s, 1)} s",
            help=f"Limite : {french_decimal(limit_s, 0)} s",
        )
        cols[1].metric(
            "Meilleure valeur trouvée",
            french_decimal(snap.objective, 1),
            help="Valeur du meilleur plan trouvé jusqu'ici (besoin servi, moins le coût des trajets).",
        )
        cols[2].metric(
            "Valeur du meilleur plan possible (au plus)",
            french_decimal(snap.bound, 1),
            help="Aucun plan ne peut dépasser cette valeur : c'est la preuve de qualité.",
        )
        cols[3].metric(
            "Distance au meilleur plan possible",
            f"au plus {_pct(snap.gap)}" if snap.gap is not None else "—",
            help="Le plan trouvé est à ce pourcentage au plus du meilleur plan possible ; 0 % : prouvé optimal.",
        )
        if not snap.done:
            st.progress(
                min(1.0, snap.elapsed_s / limit_s),
                text=f"{PHASES_FR.get(snap.phase, snap.phase)} — s'arrête au plus tard après {french_decimal(limit_s, 0)} s",
            )


def show_progress(job: SolveJob, *, poll_s: float = 0.3, cancel_key: str = "cancel_solve") -> None:
    """Show live progress with an "Annuler" button until the job is done.

    Runs inside the script: the loop redraws placeholders every ``poll_s`` seconds. A click
    anywhere (including "Annuler") reruns the script; the job goes on in its thread.
    """
    cancel_box = st.empty()
    if not job.done and cancel_box.button("Annuler le calcul", key=cancel_key, icon="⏹️"):
        job.cancel()
    limit = job.params.time_limit_s
    title = "Calcul en cours…" if not job.cancel_requested else "Arrêt demandé, le calcul se termine…"
    with st.status(title, expanded=True) as status:
        box = st.empty()
        while True:
            snap = job.snapshot()
            _render_snapshot(box, snap, limit)
            if snap.done:
                break
            time.sleep(poll_s)
        cancel_box.empty()
        if snap.error:
            status.update(label="Le calcul a échoué", state="error", expanded=True)
        else:
            state_label = (
                "Calcul annulé — meilleur plan trouvé conservé" if job.cancel_requested else "Plan prêt"
            )
            status.update(
                label=f"{state_label} ({french_decimal(snap.elapsed_s, 1)} s)",
                state="complete",
                expanded=False,
            )


def collect(job: SolveJob | None = None) -> bool:
    """Move a finished job's plans into the session and make the plan the territory's current
    version (:func:`ui.workspace.commit`); True if it did now.

    Sets ``st.session_state["plan"]``, ``["baseline_plan"]`` and ``["problem"]``, which the
    Tournée and Bilan pages read. Safe to call from any page on every run. When another
    coordinator saved a version meanwhile the plan stays in the session, unsaved, and
    ``ws_conflict`` says so.
    """
    from ui import workspace as uw

    job = job or current_job()
    if job is None or not job.done or job.collected:
        return False
    job.collected = True
    if job.error or job.plan is None:
        st.session_state[ERROR_KEY] = job.error or "le calcul n'a rendu aucun plan"
        return False
    st.session_state.pop(ERROR_KEY, None)
    st.session_state[PLAN_KEY] = job.plan
    if job.baseline is not None:
        st.session_state[BASELINE_KEY] = job.baseline
    st.session_state[PROBLEM_KEY] = job.problem
    if job.alternatives:
        st.session_state[ALTERNATIVES_KEY] = job.alternatives
    else:
        st.session_state.pop(ALTERNATIVES_KEY, None)
    st.session_state.pop("version_error", None)
    uw.commit(job.plan, job.label or "Plan", baseline=job.baseline)
    st.session_state[PROBLEM_KEY] = job.problem
    return True


def keep_alternative(key: str) -> None:
    """Keep the plan ``key`` of the frontier (:data:`ALTERNATIVES_KEY`): it becomes the session's
    plan, its problem carries its rules (re-plans keep them), the saupoudrage beside it is valued
    with those rules, and a version is saved."""
    from planner.optimise.alternatives import variant_problem
    from ui import workspace as uw

    alternatives = st.session_state.get(ALTERNATIVES_KEY) or []
    chosen = next((a for a in alternatives if a.key == key), None)
    if chosen is None:
        return
    base = st.session_state.get(PROBLEM_KEY)
    balanced = next((a for a in alternatives if a.key == "balanced"), None)
    baseline = st.session_state.get(BASELINE_KEY)
    if base is not None and balanced is not None:
        # the problem in the session may be a variant's: start again from the coordinator's rules
        base = replace(base, rules=balanced.plan.rules)
        st.session_state[PROBLEM_KEY] = variant_problem(base, key)
        if baseline is not None:
            # « distance au meilleur plan » sets the two values side by side: one yardstick
            baseline = replace(baseline_of(st.session_state[PROBLEM_KEY]), inputs=baseline.inputs)
            st.session_state[BASELINE_KEY] = baseline
    st.session_state[PLAN_KEY] = chosen.plan
    uw.commit(chosen.plan, f"Plan de saison — {chosen.label}", baseline=baseline)


def last_error() -> str | None:
    """The French error of the last collected job, if it failed (kept until a solve succeeds)."""
    return st.session_state.get(ERROR_KEY)


# -- plan versions --------------------------------------------------------------------------------
def engine() -> Any:
    """The app's database engine (migrated once per URL and process, see :func:`ui.auth.store`)."""
    from ui.auth import store

    return store()


def author() -> str:
    """Who is acting, for the version history and the audit log."""
    try:
        from ui.auth import current_actor

        return current_actor().name
    except Exception:
        return "coordination"


def host_details() -> dict[str, Any]:
    """``code_insee -> HostDetails`` (venue, address, contact) from accepted or scheduled requests.

    Contact data are read only for a coordinator; an unavailable database gives ``{}``.
    """
    from planner.publish.common import HostDetails

    try:
        from planner.store.repo import list_requests
        from ui.auth import current_role

        with_contact = current_role() == "coordinator"
        records = list_requests(engine(), include_contact=with_contact)
    except Exception:
        log.error("reading host details failed:\n%s", traceback.format_exc())
        return {}
    out: dict[str, Any] = {}
    for rec in records:
        if rec.status not in ("accepted", "scheduled"):
            continue
        f = rec.form
        out.setdefault(
            f.code_insee,
            HostDetails(
                venue=f.venue,
                address=f.address,
                contact_name=f.contact_name,
                phone=f.contact_phone,
                email=f.contact_email,
                registration=f.promoter,
            ),
        )
    return out


def problem_for(plan: Plan) -> PlanningProblem:
    """Rebuild the problem a saved plan answers, from the plan file alone: its territory (cached),
    resources, season, rules, locks and accepted exceptions, and its ``inputs`` — the requests,
    the hosts-only choice and the need weights it was computed with.

    A plan written before plans recorded their inputs takes the accepted requests of the
    database and the session's need weights (what the page did then).

    Raises
    ------
    PlannerError
        When the plan's territory cannot be loaded any more.
    """
    from planner.territory.need import NeedWeights
    from ui import data as ud

    spec = plan.territory_spec
    territory = ud.get_territory(spec)
    codes = set(territory.codes)
    recorded = bool(plan.inputs.requests or plan.inputs.need_weights or plan.inputs.requests_only)
    if recorded:
        requests = tuple(q for q in plan.inputs.requests if q.code_insee in codes)
        weights = NeedWeights(**dict(plan.inputs.need_weights)) if plan.inputs.need_weights else NeedWeights()
    else:
        requests = ()
        try:
            from planner.store.repo import accepted_host_requests

            requests = tuple(q for q in accepted_host_requests(engine()) if q.code_insee in codes)
        except Exception:
            log.error("reading accepted requests failed:\n%s", traceback.format_exc())
        weights = ud.current_weights()
    needs = ud.get_needs(spec, weights)
    if plan.inputs.need_factors:  # the season's accepted adjustments (planner.realised.proposals)
        from planner.realised.proposals import Adjustments

        needs = Adjustments(plan.inputs.need_factors).apply_needs(needs)
    return PlanningProblem(
        territory=territory,
        needs=needs,
        matrix=ud.get_matrix(spec),
        resources=plan.resources,
        season=plan.season,
        rules=plan.rules,
        requests=requests,
        locked=tuple(s for s in plan.sessions if s.locked),
        requests_only=plan.inputs.requests_only,
        accepted=tuple(plan.accepted),
    )


# -- settings: resources table, season defaults, validation ---------------------------------------
KIND_LABELS = {"bus": "bus", "team": "équipe"}
PUBLIC_LABELS = {key: p.label for key, p in PUBLICS.items()}
PUBLIC_KEYS = {label: key for key, label in PUBLIC_LABELS.items()}
KIND_CODES = {v: k for k, v in KIND_LABELS.items()}
RESOURCE_COLUMNS = (
    "Nom",
    "Type",
    "Places",
    "Base",
    "Jours",
    "Début",
    "Fin",
    "Séances/jour",
    "Durée (min)",
    "Électricité",
    "Public",
    "Prestation",
    "Rythme",
    "Identifiant",
)
#: What the « Prestation » column offers: label → service types of the resource.
SERVICE_MIXES: dict[str, tuple[str, ...]] = {
    "Parcours": ("parcours",),
    "Permanences": ("permanence",),
    "Mixte (permanence le matin, parcours l'après-midi)": ("parcours", "permanence"),
    "Parcours + visites à domicile": ("parcours", "domicile"),
    "Permanences + visites à domicile": ("permanence", "domicile"),
    "Mixte + visites à domicile": ("parcours", "permanence", "domicile"),
}
SERVICE_MIX_LABELS = {v: k for k, v in SERVICE_MIXES.items()}


def commune_labels(territory) -> dict[str, str]:
    """``code_insee -> label`` for selectors: the name, with the code when two names collide."""
    counts: dict[str, int] = {}
    for c in territory.communes:
        counts[c.name] = counts.get(c.name, 0) + 1
    return {
        c.code_insee: c.name if counts[c.name] == 1 else f"{c.name} ({c.code_insee})"
        for c in territory.communes
    }


def resource_rows(resources, labels: dict[str, str]) -> list[dict[str, Any]]:
    """Resources as rows of the editor (French column names, base as a commune label)."""
    from planner.model import WEEKDAY_NAMES_FR

    return [
        {
            "Nom": r.name,
            "Type": KIND_LABELS[r.kind],
            "Places": r.seats,
            "Base": labels.get(r.base, r.base),
            "Jours": [WEEKDAY_NAMES_FR[d] for d in r.weekdays],
            "Début": r.day_start,
            "Fin": r.day_end,
            "Séances/jour": r.max_sessions_per_day,
            "Durée (min)": r.session_minutes,
            "Électricité": r.needs_power,
            "Public": PUBLIC_LABELS[r.public],
            "Prestation": SERVICE_MIX_LABELS.get(r.services, "Parcours"),
            "Rythme": r.permanence_rhythm,
            "Identifiant": r.id,
        }
        for r in resources
    ]


#: Column dtypes of the resource editor. Nullable dtypes let a new (blank) row hold "missing"
#: without pandas changing the column's dtype: a plain ``bool`` column receiving ``None``
#: becomes ``object`` with a deprecation warning (an error in a later pandas).
RESOURCE_DTYPES: dict[str, str] = {
    "Nom": "string",
    "Type": "string",
    "Identifiant": "string",
    "Places": "Int64",
    "Base": "string",
    "Séances/jour": "Int64",
    "Durée (min)": "Int64",
    "Électricité": "boolean",
    "Public": "string",
    "Prestation": "string",
    "Rythme": "string",
}


def resource_frame(rows: list[dict[str, Any]]) -> Any:
    """The resource editor's table: :data:`RESOURCE_COLUMNS` with :data:`RESOURCE_DTYPES`.

    Parameters
    ----------
    rows
        Rows as from :func:`resource_rows` or a previous edit (``DataFrame.to_dict("records")``);
        blank cells may be ``None``, ``NaN`` or ``pd.NA``.

    Returns
    -------
    pandas.DataFrame
        One row per resource; ``Jours`` (lists) and ``Début``/``Fin`` (times) stay ``object``.
    """
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(RESOURCE_COLUMNS))
    for col in ("Jours", "Début", "Fin"):
        frame[col] = frame[col].astype(object)
    return frame.astype(RESOURCE_DTYPES)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return True
    except Exception:  # pragma: no cover - pandas is always there
        pass
    return isinstance(value, str) and not value.strip()


def _as_time(value: Any, default: str):
    from datetime import datetime
    from datetime import time as dtime

    if _blank(value):
        return dtime.fromisoformat(default)
    if isinstance(value, dtime):
        return value
    if isinstance(value, datetime):
        return value.time()
    text = str(value).strip().replace("h", ":").replace("H", ":")
    if text.endswith(":"):
        text += "00"
    return dtime.fromisoformat(text if len(text.split(":")[0]) == 2 else "0" + text)


def _resource_from_row(n: int, row: dict[str, Any], labels: dict[str, str], rid: str = ""):
    from planner.errors import InputError
    from planner.inputs.tables import RESOURCE_DEFAULTS
    from planner.model import WEEKDAY_NAMES_FR, Resource, parse_weekdays

    where = f"Moyen n° {n}"
    kind_label = "bus" if _blank(row.get("Type")) else str(row["Type"])
    kind = KIND_CODES.get(kind_label, kind_label)
    if kind not in RESOURCE_DEFAULTS:
        raise InputError(f"{where} : type « {kind_label} » inconnu (bus ou équipe)")
    defaults = RESOURCE_DEFAULTS[kind]
    rid = rid or ("" if _blank(row.get("Identifiant")) else str(row["Identifiant"]).strip()) or f"{kind}-{n}"
    if not _blank(row.get("Nom")):
        where = f"{where} ({str(row['Nom']).strip()})"
    base_label = row.get("Base")
    if _blank(base_label):
        raise InputError(f"{where} : choisissez la commune de base")
    codes = {label: code for code, label in labels.items()}
    base = codes.get(str(base_label), str(base_label))
    if base not in labels:
        raise InputError(f"{where} : la commune de base « {base_label} » n'est pas dans le territoire")
    days = row.get("Jours")
    if isinstance(days, str):
        weekdays = parse_weekdays(days)
    elif days is None or (not hasattr(days, "__iter__")) or _blank(days):
        weekdays = parse_weekdays(defaults["weekdays"])
    else:
        weekdays = tuple(sorted(WEEKDAY_NAMES_FR.index(x) for x in days if x in WEEKDAY_NAMES_FR))
    if not weekdays:
        raise InputError(f"{where} : cochez au moins un jour de travail")

    def num(col: str, key: str) -> int:
        value = row.get(col)
        try:
            return int(defaults[key]) if _blank(value) else int(float(value))
        except (TypeError, ValueError):
            raise InputError(f"{where} : « {value} » n'est pas un nombre (colonne {col})") from None

    try:
        start = _as_time(row.get("Début"), defaults["day_start"])
        end = _as_time(row.get("Fin"), defaults["day_end"])
    except ValueError:
        raise InputError(f"{where} : heure illisible (format attendu 9:00)") from None
    power = row.get("Électricité")
    try:
        return Resource(
            id=rid,
            kind=kind,
            seats=num("Places", "seats"),
            base=base,
            weekdays=weekdays,
            day_start=start,
            day_end=end,
            max_sessions_per_day=num("Séances/jour", "max_sessions_per_day"),
            session_minutes=num("Durée (min)", "session_minutes"),
            needs_power=(defaults["needs_power"] == "true") if _blank(power) else bool(power),
            label="" if _blank(row.get("Nom")) else str(row["Nom"]).strip(),
            public=PUBLIC_KEYS.get(str(row.get("Public")), GENERAL)
            if not _blank(row.get("Public"))
            else GENERAL,
            services=SERVICE_MIXES.get(str(row.get("Prestation")), ("parcours",))
            if not _blank(row.get("Prestation"))
            else ("parcours",),
            permanence_rhythm="mensuel" if _blank(row.get("Rythme")) else str(row["Rythme"]).strip(),
        )
    except InputError as exc:
        raise InputError(f"{where} : {exc}") from None


def resources_from_rows(rows: list[dict[str, Any]], labels: dict[str, str]):
    """Build :class:`~planner.model.Resource` objects from editor rows.

    Blank cells take the defaults of the kind (:data:`planner.inputs.tables.RESOURCE_DEFAULTS`);
    a completely empty line is ignored. A row keeps its identifier (hidden column
    « Identifiant »: plans refer to it); a new row gets the first free ``bus-N`` or ``team-N``.

    Raises
    ------
    InputError
        A French message naming the line (« Moyen n° 2 (Équipe nord) : … »).
    """
    from planner.errors import InputError

    def blank_row(row: dict[str, Any]) -> bool:
        values = [v for k, v in row.items() if k not in ("Électricité", "Public", "Prestation", "Rythme")]
        return all(_blank(v) if not isinstance(v, (list, tuple)) else not v for v in values)

    kept = [r for r in rows if not blank_row(r)]
    taken = {str(r["Identifiant"]).strip() for r in kept if not _blank(r.get("Identifiant"))}
    out = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        if blank_row(row):
            continue
        rid = "" if _blank(row.get("Identifiant")) else str(row["Identifiant"]).strip()
        if not rid:
            kind = KIND_CODES.get(str(row.get("Type") or "bus"), str(row.get("Type") or "bus"))
            k = 1
            while f"{kind}-{k}" in taken:
                k += 1
            rid = f"{kind}-{k}"
            taken.add(rid)
        resource = _resource_from_row(n, row, labels, rid)
        if resource.id in seen:
            raise InputError(f"Moyen n° {n} : ce moyen est déjà décrit sur une autre ligne")
        seen.add(resource.id)
        out.append(resource)
    if not out:
        raise InputError("aucun moyen itinérant : ajoutez au moins un bus ou une équipe")
    return tuple(out)


def default_season_dates(today=None):
    """The next half school year: first Monday of January → last Friday of June.

    From July to December the coming January is meant; from January to June, the
    following September → December half is offered instead (first Monday of September
    → the Friday before Christmas week).
    """
    from datetime import date, timedelta

    today = today or date.today()
    if today.month >= 7:
        year = today.year + 1
        start = date(year, 1, 4)
        start += timedelta(days=(7 - start.weekday()) % 7)
        end = date(year, 6, 30)
        end -= timedelta(days=(end.weekday() - 4) % 7)
    else:
        year = today.year
        start = date(year, 9, 1)
        start += timedelta(days=(7 - start.weekday()) % 7)
        end = date(year, 12, 19)
        end -= timedelta(days=(end.weekday() - 4) % 7)
    return start, end


@dataclass(frozen=True)
class Validation:
    """What is wrong (blocks the solve) and what is doubtful (shown, does not block)."""

    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when nothing blocks the solve."""
        return not self.errors


def validate_settings(resources, season, rules, requests=(), requests_only: bool = False) -> Validation:
    """Explain, before any solve, the settings that cannot give a plan (French sentences)."""
    from datetime import timedelta

    from planner.model import WEEKDAY_NAMES_FR
    from planner.rules.calendar import open_days

    errors: list[str] = []
    warnings: list[str] = []
    k = rules.sessions_per_series
    span_days = (season.end - season.start).days + 1
    min_span = (k - 1) * max(1, rules.interval_days - rules.interval_tolerance_days) + 1
    if span_days < min_span:
        errors.append(
            f"La saison dure {span_days} jours : trop court pour un parcours de {k} séances espacées "
            f"d'au moins {max(1, rules.interval_days - rules.interval_tolerance_days)} jours. "
            "Allongez la saison ou réduisez le nombre de séances."
        )
    low, high = (
        max(1, rules.interval_days - rules.interval_tolerance_days),
        rules.interval_days + rules.interval_tolerance_days,
    )
    if k > 1 and not any(low <= 7 * w <= high for w in range(1, 10)):
        errors.append(
            f"Intervalle de {rules.interval_days} jours ± {rules.interval_tolerance_days} : un parcours garde le même "
            "jour de semaine, il faut donc pouvoir espacer les séances d'un nombre entier de semaines. "
            "Choisissez un intervalle multiple de 7 jours ou élargissez la tolérance."
        )
    for r in resources:
        days = open_days(season, r.weekdays)
        day_names = ", ".join(WEEKDAY_NAMES_FR[d] for d in r.weekdays)
        if len(days) < k:
            errors.append(
                f"« {r.name} » ne travaille que {len(days)} jour(s) ouvert(s) dans la saison "
                f"({day_names}) : impossible de tenir un parcours de {k} séances. Ajoutez des jours ou allongez la saison."
            )
        day_min = (r.day_end.hour * 60 + r.day_end.minute) - (r.day_start.hour * 60 + r.day_start.minute)
        if r.max_sessions_per_day * r.session_minutes > day_min:
            fits = max(1, day_min // r.session_minutes)
            warnings.append(
                f"« {r.name} » : {r.max_sessions_per_day} séances de {r.session_minutes} min ne tiennent pas "
                f"entre {r.day_start:%H:%M} et {r.day_end:%H:%M} ; au plus {fits} séance(s) par jour seront planifiées."
            )
        if r.seats < rules.min_participants:
            warnings.append(
                f"« {r.name} » a {r.seats} places, moins que le seuil d'ouverture "
                f"({rules.min_participants}) : il ne pourra ouvrir aucun parcours."
            )
    if resources and all(r.seats < rules.min_participants for r in resources):
        errors.append(
            f"Le seuil d'ouverture d'un parcours ({rules.min_participants} participants) dépasse les places "
            f"de tous les moyens (au plus {max(r.seats for r in resources)}). Baissez le seuil ou ajoutez des places."
        )
    if requests_only and not requests:
        errors.append(
            "Vous avez choisi de ne planifier que chez les communes qui ont demandé, mais aucune demande "
            "n'est retenue. Incluez des demandes ou décochez cette option."
        )
    if (season.end - season.start) > timedelta(days=400):
        warnings.append("Saison de plus d'un an : le calcul sera plus long.")
    return Validation(tuple(errors), tuple(warnings))


# -- how the plan chooses, the attendance curve, the plans of the frontier ------------------------
def _how_it_chooses() -> str:
    from planner.model import Rules
    from planner.optimise.objective import priority_weight
    from planner.territory.attendance import rules_curve

    rules = Rules()
    curve = rules_curve(rules.attendance_share, rules.attendance_half_minutes, rules.catchment_minutes)

    def pct(x: float) -> str:
        return f"{french_decimal(100 * x, 0)} %"

    p = rules.priority
    return f"""
**1. Qui compte.** Chaque commune a un besoin non couvert : les personnes qui ont besoin d'aide avec le
numérique et qu'aucun lieu fixe (EPN, France services, médiathèque…) n'aide déjà (page Territoire). Une
personne compte d'autant plus que sa commune est mal couverte : c'est la **priorité aux moins couverts**.
Avec {french_decimal(p, 0)} (par défaut), une personne d'une commune qu'aucun lieu fixe ne couvre compte 1,
une personne d'une commune couverte à 44 % (Graçay) {french_decimal(priority_weight(0.44, p), 2)}, une
personne d'une commune entièrement couverte {french_decimal(priority_weight(1.0, p), 2)}. Un deuxième groupe
dans la même commune compte moitié moins qu'un premier groupe ailleurs, et une très petite commune pèse un
peu moins, pour que chaque parcours réunisse un vrai groupe.

**2. Qui vient.** Les personnes à qui s'adressent ces ateliers se déplacent peu : « elles n'ont pas
forcément les moyens ou l'envie de se déplacer ». Un parcours recrute donc d'abord dans sa commune ; d'une
commune voisine ne vient qu'une part, qui baisse vite avec la route : {pct(curve.at(5))} à 5 min,
{pct(curve.at(10))} à 10 min, {pct(curve.at(15))} à 15 min, personne au-delà (aînés isolés : encore moins ;
jeunes en recherche d'emploi : davantage, jusqu'à 25 min). Ces personnes comptent aussi pour cette part :
le bus est fait pour aller vers celles et ceux qui ne viennent pas. Ces chiffres sont des réglages
raisonnés à partir d'études sur la santé et la mobilité des aînés, pas des mesures : notez la commune de
chaque participant pendant une saison pour les ajuster.

**3. Les kilomètres.** Rouler est le travail du bus. Les kilomètres ne retirent jamais une commune peu
couverte au profit d'une commune mieux couverte : ils départagent seulement des plans de même valeur (le
moins de kilomètres gagne). Vous pouvez fixer un budget de la saison (en km ou en euros) ou donner un poids
aux kilomètres : c'est alors un choix assumé, et le plan « le moins de km » montre ce qu'il coûte.

**4. Les règles.** Des parcours de {rules.sessions_per_series} séances, même jour et même heure chaque
semaine ; au moins {rules.min_participants} participants et pas plus que les places ; les jours de tournée,
la route de la journée, les demandes des communes et les séances déjà annoncées.

**5. Pourquoi une commune attend.** Chaque commune laissée de côté reçoit sa vraie raison, calculée en
essayant de la servir : quel parcours il faudrait retirer (et comme cette commune est couverte), combien de
kilomètres de plus, et ce qui changerait la donne.

**6. À vous de choisir.** Le calcul peut proposer trois plans côte à côte : au plus près des moins
couverts, équilibré, le moins de km. Un clic garde celui que vous retenez ; Tournée et Bilan montrent ses
chiffres d'équité et de trajets.
"""


HOW_IT_CHOOSES = _how_it_chooses()


def attendance_frame(share: float, half_minutes: float, catchment_minutes: float) -> Any:
    """Share of a neighbour's people who would come, by public and drive time (a French table)."""
    import pandas as pd

    from planner.territory.attendance import AttendanceCurve, curve_of

    default = AttendanceCurve(share, half_minutes, catchment_minutes)
    rows = []
    for key, public in PUBLICS.items():
        curve = curve_of(key, default)
        row = {"Public": public.label}
        for t in (5, 10, 15, 20, 25):
            row[f"À {t} min"] = f"{french_decimal(100 * curve.at(t), 0)} %"
        rows.append(row)
    return pd.DataFrame(rows)


def comparison_rows(alternatives) -> list[dict[str, str]]:
    """The plans of the frontier side by side: one row per figure, one column per plan."""
    from planner.publish.equity import LABELS, equity_lines

    lines = [equity_lines(a.equity) for a in alternatives]
    rows = [
        {"Indicateur": "Valeur selon vos réglages"}
        | {a.label: french_decimal(a.value, 1) for a in alternatives},
        {"Indicateur": "Parcours"} | {a.label: str(len(a.plan.series)) for a in alternatives},
    ]
    rows += [
        {"Indicateur": LABELS[k]} | {a.label: x[k] for a, x in zip(alternatives, lines, strict=True)}
        for k in LABELS
    ]
    return rows
