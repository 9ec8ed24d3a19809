"""« Ajustements proposés »: what a season's attendance says about the next season's assumptions.

The plan assumed, per host commune, a group of a given size drawn from its unmet need, and a
share of neighbours who make the trip (:mod:`planner.territory.attendance`). What happened may
say otherwise. This module turns the realised into *proposals*, each with its reason in French;
the coordinator accepts or refuses each one (never applied silently), and the accepted ones
become :class:`Adjustments` that the next plan uses and records in its file
(:attr:`planner.model.PlanInputs.need_factors`, :attr:`planner.model.Rules.attendance_share`).

Rules (each a judgement, stated in the proposal's reason):

* **A commune whose parcours stayed under the threshold counts less.** Over the sessions the
  team went to (held, or cancelled because nobody came) — at least :data:`MIN_SESSIONS` —, if
  participants per session stayed under the rules' threshold (``min_participants``), the
  commune's need is multiplied by *realised / planned* participants per session (at least
  :data:`MIN_FACTOR`).
* **A commune with full sessions counts more.** If at least half of its held sessions were
  full (participants ≥ the resource's seats), people were turned away or waited: its need is
  multiplied by :data:`FULL_FACTOR` (a waiting list is not measured: the factor is a step, to
  confirm with the next season).
* **Neighbours came less (or more) than assumed.** Over the held sessions whose participants'
  communes are known — at least :data:`MIN_SESSIONS` —, the share of participants living in
  another commune than the host is compared with the plan's (its ``from_communes``); if the
  ratio is below 3/4 or above 4/3, the attendance curve's ``b`` (share of neighbours who come)
  is scaled by it (between 0.05 and 1, by steps of 0.05).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from planner.errors import InputError
from planner.french import french_decimal
from planner.model import CommuneNeed, Plan, Rules
from planner.realised.season import RealisedSeason

#: Sessions the team went to, at least, before a commune's turnout says anything.
MIN_SESSIONS = 2
#: A commune's need never drops below this share of the model's in one step.
MIN_FACTOR = 0.25
#: Step up of a commune whose sessions were full.
FULL_FACTOR = 1.25
#: Share of held sessions that must be full to propose the step up.
FULL_SHARE = 0.5
#: Neighbours' share ratio outside [1/RATIO, RATIO] proposes a new attendance share.
RATIO = 4 / 3
#: Bounds of the attendance share (as the planning page's slider).
SHARE_BOUNDS = (0.05, 1.0)
#: Step of the attendance share (as the planning page's slider).
SHARE_STEP = 0.05

ATTENDANCE_KEY = "attendance_share"


@dataclass(frozen=True)
class Proposal:
    """One proposed adjustment.

    Parameters
    ----------
    key
        ``"need:<code_insee>"`` or ``"attendance_share"``: what is adjusted, unique in a list.
    kind
        ``"need"`` (a commune's need factor) or ``"attendance"`` (the share of neighbours who come).
    commune
        INSEE code for a need factor, ``""`` otherwise.
    current, proposed
        The value now (factor 1 when never adjusted; the rules' share) and the proposed one.
    reason
        Why, in French, with the figures it rests on.
    """

    key: str
    kind: str
    commune: str
    current: float
    proposed: float
    reason: str

    @property
    def label(self) -> str:
        """« besoin ×0,62 → ×0,45 » / « voisins qui viennent 0,60 → 0,40 », in French."""
        if self.kind == "need":
            return f"besoin compté ×{french_decimal(self.current, 2)} → ×{french_decimal(self.proposed, 2)}"
        return f"part des voisins qui viennent : {french_decimal(self.current, 2)} → {french_decimal(self.proposed, 2)}"


@dataclass(frozen=True)
class Adjustments:
    """The accepted adjustments a plan is computed with.

    ``need_factors`` multiplies the need (and unmet need) of communes; ``attendance_share``
    replaces the rules' ``b`` when set.
    """

    need_factors: Mapping[str, float] = field(default_factory=dict)
    attendance_share: float | None = None

    def __post_init__(self) -> None:
        for code, f in self.need_factors.items():
            if not (isinstance(f, int | float) and math.isfinite(f) and 0 < f <= 10):
                raise InputError(f"coefficient de besoin invalide pour la commune {code} : {f}")
        if self.attendance_share is not None and not 0 < self.attendance_share <= 1:
            raise InputError("la part des voisins qui viennent doit être comprise entre 0 et 1")
        object.__setattr__(
            self,
            "need_factors",
            MappingProxyType({k: float(v) for k, v in sorted(self.need_factors.items())}),
        )

    def apply_needs(self, needs: Mapping[str, CommuneNeed]) -> dict[str, CommuneNeed]:
        """``needs`` with each adjusted commune's need and unmet need multiplied by its factor."""
        return {
            code: n
            if code not in self.need_factors
            else CommuneNeed(
                n.code_insee,
                n.need * self.need_factors[code],
                n.coverage,
                n.unmet_need * self.need_factors[code],
            )
            for code, n in needs.items()
        }

    def apply_rules(self, rules: Rules) -> Rules:
        """``rules`` with the accepted attendance share."""
        return (
            rules if self.attendance_share is None else replace(rules, attendance_share=self.attendance_share)
        )

    def to_dict(self) -> dict:
        """As stored in the settings or an adjustments file (JSON)."""
        return {"need_factors": dict(self.need_factors), "attendance_share": self.attendance_share}

    @classmethod
    def from_dict(cls, d: Mapping | None) -> Adjustments:
        """Inverse of :meth:`to_dict` (``None`` or ``{}``: no adjustment)."""
        d = d or {}
        try:
            factors = {str(k): float(v) for k, v in (d.get("need_factors") or {}).items()}
            share = d.get("attendance_share")
            return cls(factors, None if share is None else float(share))
        except (TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"ajustements illisibles : {exc}") from None


def _round(x: float) -> float:
    return round(x, 2)


def _n(x: float, d: int = 1) -> str:
    return french_decimal(x, d)


def _need_proposals(plan, realised, adjustments, name) -> list[Proposal]:
    seats = {r.id: r.seats for r in plan.resources}
    group = {s.id: s.participants for s in plan.series}
    went: dict[str, list[tuple[int, int, int]]] = defaultdict(list)  # host -> (participants, planned, seats)
    for s in plan.sessions:
        o = realised.outcomes.get(s.uid)
        if o is None or not (o.held or o.cancel_reason == "no_show"):
            continue
        went[s.host].append((o.participants, group.get(s.series, 0), seats.get(s.resource, 0)))
    out = []
    threshold = plan.rules.min_participants
    for host, rows in went.items():
        n = len(rows)
        if n < MIN_SESSIONS:
            continue
        done = sum(r[0] for r in rows) / n
        planned = sum(r[1] for r in rows) / n
        assumed = plan.inputs.need_factors.get(host, 1.0)  # what this plan was computed with
        current = adjustments.need_factors.get(host, assumed)
        held = [r for r in rows if r[0] > 0]
        full = sum(1 for r in held if r[2] and r[0] >= r[2])
        if done < threshold and planned > 0:
            factor = max(MIN_FACTOR, min(1.0, done / planned))
            out.append(
                Proposal(
                    f"need:{host}",
                    "need",
                    host,
                    current,
                    _round(assumed * factor),
                    f"À {name(host)}, {n} séance(s) où l'équipe est venue ont réuni {_n(done)} participant(s) en "
                    f"moyenne, sous le seuil de {threshold} (le plan en attendait {_n(planned)}) : son besoin "
                    f"compterait ×{french_decimal(factor, 2)} à la prochaine saison.",
                )
            )
        elif held and full >= FULL_SHARE * len(held):
            out.append(
                Proposal(
                    f"need:{host}",
                    "need",
                    host,
                    current,
                    _round(assumed * FULL_FACTOR),
                    f"À {name(host)}, {full} séance(s) sur {len(held)} tenues étaient complètes (toutes les places "
                    f"prises) : des personnes n'ont pas pu venir. Son besoin compterait ×{french_decimal(FULL_FACTOR, 2)} "
                    "(un pas, à confirmer par une liste d'attente la saison suivante).",
                )
            )
    return [p for p in out if abs(p.proposed - p.current) >= 0.005]  # already accepted: nothing new


def _attendance_proposal(plan, realised, adjustments) -> Proposal | None:
    by_id = {s.id: s for s in plan.series}
    planned_far = planned_all = 0.0
    done_far = done_known = 0
    sessions = 0
    for s in plan.sessions:
        o = realised.outcomes.get(s.uid)
        series = by_id.get(s.series)
        if o is None or not o.held or series is None or not o.residence:
            continue
        sessions += 1
        done_known += sum(o.residence.values())
        done_far += sum(n for code, n in o.residence.items() if code != s.host)
        planned_all += sum(series.from_communes.values())
        planned_far += sum(n for code, n in series.from_communes.items() if code != s.host)
    if sessions < MIN_SESSIONS or not done_known or planned_far <= 0 or planned_all <= 0:
        return None
    planned_share, done_share = planned_far / planned_all, done_far / done_known
    ratio = done_share / planned_share
    if 1 / RATIO <= ratio <= RATIO:
        return None
    assumed = plan.rules.attendance_share  # what this plan was computed with
    current = adjustments.attendance_share if adjustments.attendance_share is not None else assumed
    # to the planning page's step (0.05): the value the coordinator will see on its slider
    proposed = _round(
        min(SHARE_BOUNDS[1], max(SHARE_BOUNDS[0], round(assumed * ratio / SHARE_STEP) * SHARE_STEP))
    )
    if proposed == _round(current):
        return None
    more = "plus" if ratio > 1 else "moins"
    return Proposal(
        ATTENDANCE_KEY,
        "attendance",
        "",
        current,
        proposed,
        f"Sur {sessions} séance(s) tenue(s) dont on connaît la commune des participants, "
        f"{_n(100 * done_share, 0)} % venaient d'une autre commune que celle d'accueil ; le plan en supposait "
        f"{_n(100 * planned_share, 0)} %. Les voisins viennent {more} que prévu : la part des voisins qui "
        f"viennent passerait de {french_decimal(current, 2)} à {french_decimal(proposed, 2)} (proportionnellement).",
    )


def propose(
    plan: Plan,
    realised: RealisedSeason,
    *,
    adjustments: Adjustments | None = None,
    name: Callable[[str], str] | None = None,
) -> tuple[Proposal, ...]:
    """The adjustments the realised of ``plan`` suggests (see the module's rules).

    Parameters
    ----------
    plan
        The plan the outcomes belong to.
    realised
        What happened.
    adjustments
        Those already accepted (their value is the proposal's ``current``). Proposals start from
        what ``plan`` was computed with (its ``inputs.need_factors`` and rules), so the same
        season never compounds; one already accepted is not proposed again.
    name
        ``code_insee -> name`` for the reasons (default: the code).
    """
    adjustments = adjustments or Adjustments()
    name = name or (lambda c: c)
    realised = realised.for_plan(plan)
    out = _need_proposals(plan, realised, adjustments, name)
    att = _attendance_proposal(plan, realised, adjustments)
    return tuple(sorted(out, key=lambda p: p.key)) + ((att,) if att else ())


def accept(
    proposals: Iterable[Proposal], keys: Iterable[str], base: Adjustments | None = None
) -> Adjustments:
    """``base`` with the proposals whose key is in ``keys`` applied (the others left out).

    Raises
    ------
    InputError
        A key that is not one of the proposals'.
    """
    base = base or Adjustments()
    by_key = {p.key: p for p in proposals}
    factors = dict(base.need_factors)
    share = base.attendance_share
    for key in keys:
        if key not in by_key:
            raise InputError(f"ajustement inconnu : « {key} » (proposés : {', '.join(by_key) or 'aucun'})")
        p = by_key[key]
        if p.kind == "need":
            factors[p.commune] = p.proposed
        else:
            share = p.proposed
    return Adjustments(factors, share)
