"""The dashboard's service settings: the « Prestation » and « Rythme » columns of the resource
editor, the solve they start, and how the Tournée tables show the service."""

from __future__ import annotations

from dataclasses import replace

import pytest

from planner.errors import InputError
from planner.model import DOMICILE, PARCOURS, PERMANENCE, HostRequest, Resource
from planner.problem import SolveParams
from tests.builders import vierzon_problem
from ui import plan_views as pv
from ui import planning as up


def test_editor_rows_carry_the_service_mix_and_rhythm() -> None:
    labels = {"18279": "Vierzon", "18100": "Genouilly"}
    bus = Resource("bus-1", "bus", 12, "18279", services=(PARCOURS, PERMANENCE), permanence_rhythm="2e mardi")
    rows = up.resource_rows([bus], labels)
    assert rows[0]["Prestation"].startswith("Mixte") and rows[0]["Rythme"] == "2e mardi"
    (back,) = up.resources_from_rows(rows, labels)
    assert back.services == (PARCOURS, PERMANENCE) and back.permanence_rhythm == "2e mardi"
    old = {k: v for k, v in rows[0].items() if k not in ("Prestation", "Rythme")}
    (plain,) = up.resources_from_rows([old], labels)
    assert plain.services == (PARCOURS,)  # settings saved before this column load unchanged
    with pytest.raises(InputError, match=r"Moyen n° 1.*rythme"):
        up.resources_from_rows([rows[0] | {"Rythme": "de temps en temps"}], labels)


def test_the_page_job_solves_permanences_with_their_model() -> None:
    p = vierzon_problem()
    p = replace(p, resources=(replace(p.resources[0], services=(PERMANENCE, DOMICILE)),))
    p = replace(p, requests=(HostRequest("18100", home_visits=2),))
    job = up.SolveJob(p, SolveParams(time_limit_s=10, workers=1), with_baseline=False)
    job.start().wait(60)
    snap = job.snapshot()
    assert snap.error is None and job.plan is not None
    assert {s.service for s in job.plan.series} == {PERMANENCE, DOMICILE}
    names = {c.code_insee: c.name for c in p.territory.communes}
    series = pv.series_frame(job.plan, names)
    assert any(x.startswith("permanence, tous les ") for x in series["Prestation"])
    day = next(s.date for s in job.plan.sessions if s.service == DOMICILE)
    sheet = pv.day_sheet(job.plan, p, "bus-1", day, names=names)
    assert any(r["Étape"] == "2 visites à domicile à Genouilly" for r in sheet)
