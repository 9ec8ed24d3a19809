"""« Ajustements proposés »: the coordinator accepts or refuses each proposal of the realised.

Decisions and the accepted adjustments are stored in the territory's workspace settings
(``adjustments``), never applied silently: the next plan (Planification) and the re-plans of
Tournée use them, and record the need factors in the plan file (``inputs.need_factors``); an
accepted attendance share becomes the Planification slider's value (stored with the rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import streamlit as st

from planner.errors import PlannerError
from planner.french import french_decimal
from planner.model import Plan
from planner.realised.proposals import Adjustments, Proposal, propose
from planner.realised.season import RealisedSeason

SETTINGS_KEY = "adjustments"
FLASH_KEY = "adj_flash"


def _stored_dict() -> dict:
    from ui import workspace as uw

    return dict(uw.settings().get(SETTINGS_KEY) or {})


def stored() -> Adjustments:
    """The accepted adjustments of the current territory (none when nothing was accepted)."""
    try:
        return Adjustments.from_dict(_stored_dict())
    except PlannerError:
        return Adjustments()


def decisions() -> dict[str, dict]:
    """``proposal key -> {"accepted": bool, "proposed": value}`` as decided."""
    return dict(_stored_dict().get("decisions") or {})


def _decided(p: Proposal, done: Mapping[str, dict]) -> dict | None:
    d = done.get(p.key)
    return d if d is not None and abs(float(d.get("proposed", -1)) - p.proposed) < 1e-9 else None


def decide(spec: str, proposal: Proposal, accepted: bool) -> None:
    """Store the coordinator's decision (and the adjustment when accepted)."""
    from ui import workspace as uw

    data = _stored_dict()
    adj = Adjustments.from_dict(data)
    if accepted:
        if proposal.kind == "need":
            adj = Adjustments({**adj.need_factors, proposal.commune: proposal.proposed}, adj.attendance_share)
        else:
            adj = Adjustments(adj.need_factors, proposal.proposed)
    done = dict(data.get("decisions") or {})
    done[proposal.key] = {"accepted": accepted, "proposed": proposal.proposed}
    changes = {SETTINGS_KEY: adj.to_dict() | {"decisions": done}}
    if accepted and proposal.kind == "attendance":  # the Planification slider shows what is used
        widgets = dict(uw.settings().get("widgets") or {})
        widgets["pl_att_share"] = proposal.proposed
        changes["widgets"] = widgets
        if isinstance(st.session_state.get("_pl_saved"), dict):
            st.session_state["_pl_saved"]["pl_att_share"] = proposal.proposed
        st.session_state.pop("pl_att_share", None)
    uw.save_settings(spec, changes)


def recalibrated(problem, plan: Plan):
    """``problem`` with the accepted adjustments: need of the territory's model × factors, and the
    accepted attendance share (for a re-plan of the rest of the season)."""
    from planner.territory.need import NeedWeights
    from ui import data as ud

    adj = stored()
    if not adj.need_factors and adj.attendance_share is None:
        return problem
    weights = (
        NeedWeights(**dict(plan.inputs.need_weights)) if plan.inputs.need_weights else ud.current_weights()
    )
    base = ud.get_needs(plan.territory_spec, weights)
    return replace(problem, needs=adj.apply_needs(base), rules=adj.apply_rules(problem.rules))


def render(plan: Plan, realised: RealisedSeason, names: Mapping[str, str]) -> None:
    """Proposals with their reasons and a decision each; the adjustments in force under them."""
    from ui.bilan_realised import namer

    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)
    name = namer(names)
    current = stored()
    done = decisions()
    proposals = propose(plan, realised, adjustments=current, name=name)
    st.caption(
        "Ce que la saison dit des hypothèses du plan : une commune dont le parcours est resté sous le seuil compte "
        "moins, une commune aux séances complètes compte plus, la part des voisins qui viennent suit ce qui s'est "
        "vu. Rien n'est appliqué sans votre accord : un ajustement accepté sert au prochain calcul (Planification, "
        "Replanifier) et figure dans le fichier du plan."
    )
    open_ = [p for p in proposals if _decided(p, done) is None]
    if not proposals:
        st.write(
            "Aucun ajustement proposé pour l'instant : il faut au moins deux séances renseignées par commune."
        )
    elif not open_:
        st.write("Chaque ajustement proposé a reçu votre décision.")
    spec = plan.territory_spec
    for i, p in enumerate(open_):
        with st.container(border=True):
            title = name(p.commune) if p.kind == "need" else "Courbe de venue des voisins"
            st.markdown(f"**{title}** — {p.label}")
            st.write(p.reason)
            c1, c2 = st.columns(2)
            if c1.button("Accepter", key=f"adj_yes_{p.key}", icon=":material/check:", type="primary"):
                decide(spec, p, True)
                st.session_state[FLASH_KEY] = (
                    f"Ajustement accepté : {title}, {p.label}. Il servira au prochain calcul."
                )
                st.rerun()
            if c2.button("Refuser", key=f"adj_no_{p.key}", icon=":material/close:"):
                decide(spec, p, False)
                st.session_state[FLASH_KEY] = f"Ajustement refusé : {title}. Rien ne change."
                st.rerun()
        if i >= 30:
            st.caption(f"… et {len(open_) - i - 1} autre(s).")
            break
    if current.need_factors or current.attendance_share is not None:
        st.markdown("**Ajustements en vigueur pour le prochain calcul**")
        lines = [
            f"- {name(code)} : besoin compté ×{french_decimal(f, 2)}"
            for code, f in current.need_factors.items()
        ]
        if current.attendance_share is not None:
            lines.append(f"- Part des voisins qui viennent : {french_decimal(current.attendance_share, 2)}")
        st.markdown("\n".join(lines))
