"""French everywhere, in a real browser: every page of every role, and the loop with a commune.

The app is served with passwords for the coordination and the funders, on a database prepared
beforehand: a plan of the Vierzon season in force (with a session locked and an exception
accepted), requests waiting, accepted and scheduled, and a commune link. Then, for the
coordination, the funders and a commune, every page (and every tab of the Tournée and the
Demandes) is read as a person sees it — visible text, placeholders and tooltips, icons aside —
and must hold no English word of Streamlit's widgets and no internal identifier.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from devtools.served_app import served_app
from planner.hosting.request_form import RequestForm
from planner.inputs.tables import default_resources
from planner.optimise.solve import solve
from planner.problem import PlanningProblem, SolveParams
from planner.rules.adjust import accept, move_session, set_locked
from planner.rules.calendar import build_season
from planner.store import access, repo, workspace
from planner.store.access import Actor
from planner.store.db import dispose_engine, open_store
from planner.territory.need import NeedWeights, compute_need
from planner.territory.specs import load_territory
from planner.territory.travel import territory_matrix

pytestmark = pytest.mark.e2e

COORD_PASSWORD = "coordination-essai-2027"
FUNDER_PASSWORD = "financeur-essai-2027"
COORD = Actor("coordinator", "coordination")

#: English texts of Streamlit's widgets (and of the date pickers) that must never show.
ENGLISH = re.compile(
    r"\b(Browse files|Drag and drop|per file|Upload|Choose an? options?|Choose|Select all|No results|"
    r"Fullscreen|fullscreen|Download as CSV|Search|Running|Stop|None|Deploy|Rerun|Clear|Delete|Add row|"
    r"Zoom In|Zoom Out|Zoom in|Zoom out|Reset|Toggle|Enter to|Escape to|Use arrow|focused|"
    r"dd|yyyy|YYYY|DD|Loading|Please wait|Help for|"
    r"January|February|March|April|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
#: Internal identifiers: series ids, resource ids, raw request ids.
IDS = re.compile(r"\b(S\d{2}-\d{5}|M\d{2}-\d{5}|(?:bus|team|equipe)-\d+)\b")

VISIBLE_TEXT = """() => {
  const parts = [];
  const icon = (el) => el.closest('[data-testid="stIconMaterial"], .material-symbols-rounded, [translate="no"]');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node = walker.nextNode();
  while (node) {
    const el = node.parentElement;
    if (el && !icon(el) && el.checkVisibility({visibilityProperty: true, opacityProperty: true})
        && !['SCRIPT', 'STYLE'].includes(el.tagName)) {
      parts.push(node.nodeValue);
    }
    node = walker.nextNode();
  }
  for (const el of document.querySelectorAll('[placeholder], [title]')) {
    if (el.checkVisibility()) {
      parts.push(el.getAttribute('placeholder') || '');
      parts.push(el.getAttribute('title') || '');
    }
  }
  return parts.join('\\n');
}"""


def _prepare(workdir) -> dict:
    """The database the served app will open: a plan in force, requests, a commune link."""
    url = f"sqlite:///{workdir / 'aller-vers.sqlite'}"
    engine = open_store(url)
    territory = load_territory("vierzon")
    matrix = territory_matrix(territory)
    problem = PlanningProblem(
        territory,
        compute_need(territory, NeedWeights(), matrix),
        matrix,
        default_resources(territory),
        build_season(date(2027, 1, 4), date(2027, 6, 25)),
    )
    plan = solve(problem, SolveParams(time_limit_s=20, workers=1, seed=0))
    first = min(plan.sessions, key=lambda s: (s.date, s.start))
    plan = set_locked(plan, [(first.series, first.index)])
    second = sorted((s for s in plan.sessions if not s.locked), key=lambda s: (s.date, s.start))[0]
    moved = move_session(
        plan, problem, (second.series, second.index), new_date=second.date.replace(day=second.date.day + 1)
    )
    plan = accept(moved, by="coordination")
    host = next(s.host for s in plan.sessions)
    waiting = repo.submit_request(engine, RequestForm(code_insee="18103", venue="Salle des fêtes"), COORD)
    hosted = repo.submit_request(
        engine, RequestForm(code_insee=host, venue="Mairie", contact_email="mairie@exemple.fr"), COORD
    )
    repo.review_request(engine, hosted, "accepted", "", COORD)
    workspace.commit_plan(engine, "vierzon", plan, "Plan de saison", COORD, base=workspace.Base(None, 0))
    link = access.create_commune_link(engine, host, COORD)
    dispose_engine(url)
    return {"token": link.token, "host": host, "waiting": waiting}


@pytest.fixture(scope="module")
def french_app(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-french")
    seeded = _prepare(workdir)
    env = {"ALLER_VERS_COORDINATOR_PASSWORD": COORD_PASSWORD, "ALLER_VERS_FUNDER_PASSWORD": FUNDER_PASSWORD}
    with served_app(workdir, extra_env=env) as url:
        yield url, seeded


def _scan(page, where: str, found: list[str]) -> None:
    page.wait_for_timeout(1200)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    text = page.evaluate(VISIBLE_TEXT)
    for pattern in (ENGLISH, IDS):
        for m in pattern.finditer(text):
            context = text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ¶ ")
            found.append(f"{where}: « {m.group(0)} » dans « {context} »")


def _sign_in(page, url: str, password: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Aller-vers — connexion").wait_for()
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_test_id("stSidebarNav").wait_for()


def _pages(page, names: list[str], where: str, found: list[str], tabs: dict[str, list[str]]) -> None:
    for name in names:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
        page.get_by_role("heading").first.wait_for()
        page.wait_for_timeout(1500)
        _scan(page, f"{where} / {name}", found)
        for tab in tabs.get(name, []):
            page.get_by_role("tab", name=tab).click()
            _scan(page, f"{where} / {name} / {tab}", found)


def test_every_page_of_every_role_speaks_french(french_app, browser_page):
    url, seeded = french_app
    page = browser_page
    found: list[str] = []
    # an anonymous visitor: the sign-in page
    page.goto(url)
    page.get_by_role("heading", name="Aller-vers — connexion").wait_for()
    _scan(page, "connexion", found)
    # the coordination: every page, every tab
    _sign_in(page, url, COORD_PASSWORD)
    tournee_tabs = ["Carte", "Calendrier", "Parcours", "Non desservies", "Feuille de route", "Ajuster",
                    "Communes à prévenir", "Versions", "Exports"]  # fmt: skip
    demandes_tabs = [
        "À examiner",
        "Toutes les demandes",
        "Saisir une demande",
        "Liens des communes",
        "Import / export",
    ]
    _pages(
        page,
        ["Accueil", "Territoire", "Demandes", "Planification", "Tournée", "Ma tournée actuelle", "Bilan"],
        "coordination",
        found,
        {"Tournée": tournee_tabs, "Demandes": demandes_tabs},
    )
    # a date picker opened: months and weekdays in French
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Planification").click()
    page.get_by_role("heading", name="Planification de la saison").wait_for()
    page.get_by_test_id("stDateInput").first.get_by_role("button").first.click()
    page.wait_for_timeout(800)
    _scan(page, "coordination / calendrier ouvert", found)
    page.keyboard.press("Escape")
    # the funders
    page.get_by_role("button", name="Se déconnecter").click()
    _sign_in(page, url, FUNDER_PASSWORD)
    _pages(page, ["Accueil", "Territoire", "Bilan"], "financeur", found, {})
    # a commune, by its link
    page.goto(f"{url}/?jeton={seeded['token']}")
    page.get_by_role("heading", name=re.compile("Demande d'accueil")).wait_for()
    _scan(page, "commune", found)
    assert found == [], "\n".join(found)


def test_a_commune_sees_its_request_at_once_then_its_dates(french_app, browser_page):
    url, seeded = french_app
    page = browser_page
    page.goto(f"{url}/?jeton={seeded['token']}")
    page.get_by_role("heading", name=re.compile("Demande d'accueil")).wait_for()
    # the request scheduled by the plan in force: its dates and the files to download
    page.get_by_text(re.compile(r"Vos \d+ séances sont programmées")).first.wait_for()
    page.get_by_role("button", name="Télécharger l'affiche (PDF)").first.wait_for()
    page.get_by_role("button", name="Ajouter ces dates à mon agenda (.ics)").first.wait_for()
    # a new request: listed as soon as it is sent
    page.get_by_label("Nom du lieu (salle, place…)").fill("Salle du conseil")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.get_by_text(re.compile(r"Demande n° \d+ enregistrée")).wait_for()
    page.get_by_text("Lieu : Salle du conseil").wait_for()
    page.get_by_text("la coordination va l'examiner").first.wait_for()
