"""AppTest flows of the Demandes page and of sign-in: communes by token, coordination review, roles."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.hosting.request_form import RequestForm
from planner.store import access, repo
from planner.store.access import Actor
from planner.store.db import dispose_engine, open_store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
COORD = Actor("coordinator", "test")
SCRIPT = '<script>alert("x")</script><b onmouseover=alert(1)>gras</b>'


@pytest.fixture
def engine():
    """The app's store: the empty per-test database of ``tests/conftest.py`` (no password set)."""
    eng = open_store()
    yield eng
    dispose_engine()


def seed(engine) -> tuple[int, int]:
    mine = repo.submit_request(
        engine,
        RequestForm(code_insee="18103", venue="Salle de Graçay", contact_email="mairie@gracay.fr"),
        COORD,
    )
    other = repo.submit_request(
        engine,
        RequestForm(code_insee="18279", venue="Médiathèque de Vierzon", contact_email="secret@vierzon.fr"),
        COORD,
    )
    return mine, other


def app(token: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if token is not None:
        at.query_params["jeton"] = token
    return at


def all_text(at: AppTest) -> str:
    """Everything rendered as plain text (st.text, tables) and as markdown-like elements."""
    parts = [e.value for e in at.text]
    for frame in at.dataframe:
        parts.append(frame.value.to_string())
    return "\n".join(parts)


def as_read(markdown: str) -> str:
    """What a reader sees of an escaped markdown message (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def rendered_markup(at: AppTest) -> list[str]:
    """Values of the elements Streamlit renders as markdown."""
    kinds = (
        at.markdown,
        at.caption,
        at.title,
        at.header,
        at.subheader,
        at.success,
        at.error,
        at.info,
        at.warning,
    )
    return [e.value for kind in kinds for e in kind]


def test_commune_link_opens_only_its_own_requests(engine):
    seed(engine)
    link = access.create_commune_link(engine, "18103", COORD)
    at = app(link.token).run()
    assert not at.exception
    assert "18103" in at.title[0].value
    text = all_text(at)
    assert "Salle de Graçay" in text and "mairie@gracay.fr" in text
    assert "Vierzon" not in text and "secret@vierzon.fr" not in text
    assert len(at.tabs) == 0  # none of the coordination's tabs
    assert not [b for b in at.button if b.label in ("Accepter", "Refuser")]


def test_commune_files_a_request_for_itself_shown_as_text(engine):
    link = access.create_commune_link(engine, "18103", COORD)
    at = app(link.token).run()
    for key in ("venue", "address", "promoter", "cname", "crole"):
        at.text_input(key=f"commune_form_{key}").input(SCRIPT)
    for key in ("themes", "notes"):
        at.text_area(key=f"commune_form_{key}").input(SCRIPT)
    at.checkbox(key="commune_form_power").check()
    at.text_input(key="commune_form_cphone").input("02 48 51 42 07")
    at.text_input(key="commune_form_cemail").input("accueil@gracay.fr")
    at.multiselect(key="commune_form_weekdays").select(1)
    at.button(key="FormSubmitter:commune_form-Envoyer la demande").click()
    at.run()
    assert not at.exception
    assert at.success and "enregistrée" in at.success[0].value
    stored = repo.list_requests(engine)
    assert len(stored) == 1
    form = stored[0].form
    assert form.code_insee == "18103" and form.venue == SCRIPT and form.themes == SCRIPT
    assert form.has_power and form.weekdays == (1,)
    assert SCRIPT in all_text(at)  # listed at once, as text
    at.run()
    assert SCRIPT in all_text(at)
    assert not any("<script" in value or "onmouseover=" in value for value in rendered_markup(at))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cemail", "pas-un-email", "adresse e-mail invalide"),
        ("cphone", "12 34", "numéro de téléphone invalide"),
        ("blackout", "01/01/2020", "déjà passée : 01/01/2020"),
    ],
)
def test_commune_form_errors_are_french_and_store_nothing(engine, field, value, message):
    link = access.create_commune_link(engine, "18103", COORD)
    at = app(link.token).run()
    at.text_input(key="commune_form_venue").input("Salle des fêtes")
    at.text_input(key=f"commune_form_{field}").input(value)
    at.button(key="FormSubmitter:commune_form-Envoyer la demande").click()
    at.run()
    assert (
        at.error and "Demande non enregistrée" in at.error[0].value and message in as_read(at.error[0].value)
    )
    assert repo.list_requests(engine) == ()


def test_commune_form_period_end_before_start(engine):
    link = access.create_commune_link(engine, "18103", COORD)
    at = app(link.token).run()
    at.text_input(key="commune_form_venue").input("Salle des fêtes")
    start = date.today() + timedelta(days=60)
    at.date_input(key="commune_form_from").set_value(start)
    at.date_input(key="commune_form_to").set_value(start - timedelta(days=10))
    at.button(key="FormSubmitter:commune_form-Envoyer la demande").click()
    at.run()
    assert at.error and "précède son début" in at.error[0].value
    assert repo.list_requests(engine) == ()


def _plan_in_force(engine):
    """The small Vierzon plan (Massay 18140 hosts five Tuesdays; Chéry 18064 is left out) as the
    coordination's current version."""
    from planner.plan_json import load_plan
    from planner.store import workspace

    plan = load_plan(Path(__file__).resolve().parents[1] / "data" / "plan_vierzon_petit.json")
    workspace.commit_plan(engine, "vierzon", plan, "Plan de saison", COORD, base=workspace.Base(None, 0))
    return plan


def test_commune_sees_its_request_at_once_then_its_dates_poster_and_calendar(engine):
    link = access.create_commune_link(engine, "18140", COORD)
    at = app(link.token).run()
    assert "Aucune demande pour l'instant." in [m.value for m in at.markdown]
    at.text_input(key="commune_form_venue").input("Salle polyvalente")
    at.checkbox(key="commune_form_power").check()
    at.button(key="FormSubmitter:commune_form-Envoyer la demande").click()
    at.run()
    assert not at.exception
    # right after sending: the request is listed, waiting for the coordination
    assert "Salle polyvalente" in all_text(at)
    assert any("la coordination va l'examiner" in i.value for i in at.info)
    (rec,) = repo.list_requests(engine, code_insee="18140")
    repo.review_request(engine, rec.id, "accepted", "Bienvenue dans la tournée", COORD)
    plan = _plan_in_force(engine)  # saving the plan schedules the request on its dates
    at.run()
    markup = " ".join(rendered_markup(at))
    assert "Statut : programmée" in markup
    assert "Vos 5 séances sont programmées" in markup
    assert "- mardi 3 mars 2026, de 9 h 30 à 12 h 30" in markup
    names = sorted(b.proto.label for b in at.get("download_button"))
    assert names == ["Ajouter ces dates à mon agenda (.ics)", "Télécharger l'affiche (PDF)"]
    assert "Bienvenue dans la tournée" in all_text(at)
    assert len([s for s in plan.sessions if s.host == "18140"]) == 5


def test_a_commune_left_out_is_told_why_and_what_next(engine):
    rid = repo.submit_request(engine, RequestForm(code_insee="18064", venue="Mairie de Chéry"), COORD)
    repo.review_request(engine, rid, "accepted", "", COORD)
    _plan_in_force(engine)
    link = access.create_commune_link(engine, "18064", COORD)
    at = app(link.token).run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "n'accueille pas de séance cette saison" in warning and "Pas assez de participants" in warning
    assert "reprendra pour la prochaine saison" in " ".join(c.value for c in at.caption)
    assert not at.get("download_button")


def test_commune_gets_its_published_calendar_and_its_subscription(engine):
    from dataclasses import replace

    import icalendar

    from planner.hosting.feed_server import feed_bytes
    from planner.plan_json import load_plan
    from planner.store import publications, workspace

    plan = load_plan(Path(__file__).resolve().parents[1] / "data" / "plan_vierzon_petit.json")
    massay = [s for s in plan.sessions if s.host == "18140"]
    # the published plan moves Massay's series to Graçay (18103), the commune of the link
    plan = replace(
        plan, sessions=tuple(replace(s, host="18103") if s in massay else s for s in plan.sessions)
    )
    version = workspace.save_version(engine, plan, "annoncé", "test")
    publications.publish_plan_version(engine, version, COORD)
    link = access.create_commune_link(engine, "18103", COORD)
    at = app(link.token).run()
    (feed,) = [c.value for c in at.code if "/calendrier/" in c.value]
    token = feed.rsplit("/", 1)[1].removesuffix(".ics")
    assert publications.resolve_feed(engine, token) == publications.Feed("commune", "18103")
    assert link.token not in feed
    assert len(at.get("download_button")) == 1
    cal = icalendar.Calendar.from_ical(feed_bytes(engine, token)[0])
    assert len(cal.walk("VEVENT")) == len(massay)


def _bad_tokens(engine) -> dict[str, tuple[str, str]]:
    good = access.create_commune_link(engine, "18103", COORD)
    expired = access.create_commune_link(
        engine, "18103", COORD, expires_days=1, now=datetime.now(UTC) - timedelta(days=3)
    )
    revoked = access.create_commune_link(engine, "18103", COORD)
    access.revoke_link(engine, revoked.link_id, COORD)
    flipped = good.token[:-1] + ("A" if good.token[-1] != "A" else "B")
    return {
        "missing": ("", "lien incomplet"),
        "tampered": (flipped, "lien invalide"),
        "expired": (expired.token, "lien expiré"),
        "revoked": (revoked.token, "lien révoqué"),
    }


@pytest.mark.parametrize("case", ["missing", "tampered", "expired", "revoked"])
def test_bad_token_shows_french_refusal_and_nothing_else(engine, case):
    seed(engine)
    token, message = _bad_tokens(engine)[case]
    at = app(token).run()
    assert not at.exception
    assert at.error and "Accès refusé" in at.error[0].value and message in at.error[0].value
    assert not at.title and not at.text and not at.text_input and not at.dataframe
    assert len(repo.list_requests(engine)) == 2


def test_coordinator_accepts_and_declines_with_reason(engine):
    first, second = seed(engine)
    at = app()
    at.switch_page("app_pages/demandes.py").run()
    assert not at.exception
    assert at.title[0].value == "Demandes d'accueil"
    assert [m.value for m in at.metric][:2] == ["2", "0"]
    accept = [b for b in at.button if b.label == "Accepter"]
    at.text_area(key=f"pending_reason_{first}").input("Salle équipée, bienvenue")
    accept[0].click()
    at.run()
    assert repo.get_request(engine, first, COORD).status == "accepted"
    assert repo.get_request(engine, first, COORD).decision_reason == "Salle équipée, bienvenue"

    refuse = [b for b in at.button if b.label == "Refuser"]
    refuse[0].click()  # no reason: refused, nothing changes
    at.run()
    assert at.error and "indiquez la raison du refus" in at.error[0].value
    assert repo.get_request(engine, second, COORD).status == "submitted"
    at.text_area(key=f"pending_reason_{second}").input("Pas de prise pour le bus")
    next(b for b in at.button if b.label == "Refuser").click()
    at.run()
    rec = repo.get_request(engine, second, COORD)
    assert rec.status == "declined" and rec.decision_reason == "Pas de prise pour le bus"
    assert [h.to_status for h in repo.request_history(engine, second, COORD)] == ["submitted", "declined"]
    assert [r.id for r in repo.accepted_host_requests(engine)] == [f"D{first}"]


def test_coordinator_sees_user_text_as_text(engine):
    repo.submit_request(
        engine,
        RequestForm(code_insee="18103", venue=SCRIPT, themes=SCRIPT, notes=SCRIPT, contact_name=SCRIPT),
        COORD,
    )
    at = app()
    at.switch_page("app_pages/demandes.py").run()
    assert not at.exception
    assert SCRIPT in all_text(at)
    assert not any("<script" in value or "onmouseover=" in value for value in rendered_markup(at))
    assert not any("<script" in e.label for e in at.expander)


def signed_in_coordinator(monkeypatch) -> AppTest:
    """The app with a coordination password set and entered (not local mode)."""
    monkeypatch.setenv("ALLER_VERS_COORDINATOR_PASSWORD", "mot-de-passe-coordination")
    at = app().run()
    at.text_input[0].input("mot-de-passe-coordination")
    at.button[0].click()
    at.run()
    assert "Connecté : coordination" in [c.value for c in at.sidebar.caption]
    return at


def test_coordinator_creates_a_link_shown_once(engine, monkeypatch):
    at = signed_in_coordinator(monkeypatch)
    at.switch_page("app_pages/demandes.py").run()
    at.selectbox(key="link_commune").select("18103")
    at.button(key="FormSubmitter:new_link-Créer le lien").click()
    at.run()
    assert not at.exception
    url = at.code[0].value
    token = url.split("jeton=")[1]
    assert url.startswith("http://localhost:8501/?jeton=")
    assert access.resolve_commune_token(engine, token).code_insee == "18103"


def test_password_configured_requires_sign_in(engine, monkeypatch):
    monkeypatch.setenv("ALLER_VERS_COORDINATOR_PASSWORD", "mot-de-passe-coordination")
    at = app().run()
    assert at.title[0].value == "Aller-vers — connexion"
    assert access.check_password(engine, "mot-de-passe-coordination") == "coordinator"  # stored hashed
    with pytest.raises(ValueError, match=r"Known pages: \['Connexion'\]"):
        at.switch_page("app_pages/demandes.py")  # not even registered for an anonymous visitor
    at.text_input[0].input("mauvais")
    at.button[0].click()
    at.run()
    assert at.error and "Mot de passe incorrect" in at.error[0].value
    at.text_input[0].input("mot-de-passe-coordination")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert "Connecté : coordination" in [c.value for c in at.sidebar.caption]
    at.switch_page("app_pages/demandes.py").run()
    assert at.title[0].value == "Demandes d'accueil"


def test_funder_never_reaches_the_requests(engine, monkeypatch):
    seed(engine)
    monkeypatch.setenv("ALLER_VERS_COORDINATOR_PASSWORD", "mot-de-passe-coordination")
    monkeypatch.setenv("ALLER_VERS_FUNDER_PASSWORD", "mot-de-passe-financeur")
    at = app().run()
    at.text_input[0].input("mot-de-passe-financeur")
    at.button[0].click()
    at.run()
    assert "Connecté : financeur (lecture seule)" in [c.value for c in at.sidebar.caption]
    with pytest.raises(ValueError, match="Could not find a navigation page") as info:
        at.switch_page("app_pages/demandes.py")
    known = str(info.value).split("Known pages:")[1]
    for page in ("accueil.py", "territoire.py", "bilan.py"):
        assert page in known
    for page in ("demandes.py", "planification.py", "tournee.py"):
        assert page not in known
    assert "secret@vierzon.fr" not in all_text(at)


def test_coordinator_view_as_funder_hides_the_requests(engine):
    seed(engine)
    at = app().run()
    assert [t.label for t in at.sidebar.toggle] == ["Voir comme un financeur"]
    # AppTest re-runs only the page script after the first run, so the switch is set on a new session.
    funder_view = app()
    funder_view.session_state["_auth_view_as_funder"] = True
    funder_view.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        funder_view.switch_page("app_pages/demandes.py")
    at.switch_page("app_pages/demandes.py").run()
    assert at.title[0].value == "Demandes d'accueil"


def test_app_start_erases_contacts_past_retention(engine):
    old = repo.submit_request(
        engine,
        RequestForm(
            code_insee="18103",
            venue="Salle",
            period_start=date(2020, 1, 6),
            period_end=date(2020, 3, 27),
            contact_email="ancien@mairie.fr",
        ),
        COORD,
    )
    at = app()
    at.switch_page("app_pages/demandes.py").run()
    assert not at.exception
    rec = repo.get_request(engine, old, COORD)
    assert rec.form.venue == "Salle" and not rec.form.has_contact
    assert "ancien@mairie.fr" not in all_text(at)


def test_coordinator_opens_a_pending_request_and_deletes_it_with_its_contact(engine):
    first, second = seed(engine)
    at = app()
    at.switch_page("app_pages/demandes.py").run()
    at.selectbox(key="open_request").select(second)
    at.run()
    assert not at.exception  # open in "À examiner" and in "Toutes les demandes" at once
    assert "secret@vierzon.fr" in all_text(at)
    at.button(key=f"all_delete_{second}").click()
    at.run()
    assert not at.exception
    assert [r.id for r in repo.list_requests(engine)] == [first]
    assert "secret@vierzon.fr" not in all_text(at)


OIDC_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "aller-vers",
        "client_secret": "secret",
        "server_metadata_url": "https://idp.example.fr/.well-known/openid-configuration",
    },
    "aller_vers": {"coordinator_emails": ["coordination@pays-vierzon.fr"]},
}


@pytest.mark.parametrize(
    ("user", "coordinator"),
    [
        ({"is_logged_in": True, "email": "Coordination@pays-vierzon.fr"}, True),
        ({"is_logged_in": True, "email": "quelquun@ailleurs.fr"}, False),
        ({"is_logged_in": False}, False),
        ({"is_logged_in": True, "email": "coordination@pays-vierzon.fr", "email_verified": False}, False),
    ],
)
def test_oidc_sign_in_with_allowed_emails(engine, user, coordinator):
    at = app()
    at.secrets = OIDC_SECRETS
    at.user = user
    at.run()
    assert not at.exception
    if coordinator:
        assert "Connecté : coordination" in [c.value for c in at.sidebar.caption]
        at.switch_page("app_pages/demandes.py").run()
        assert at.title[0].value == "Demandes d'accueil"
    else:
        assert at.title[0].value == "Aller-vers — connexion"
        assert any(b.label == "Se connecter avec le compte de l'organisme" for b in at.button)


def _upload_csv(bad_row: int | None) -> bytes:
    day = (date.today() + timedelta(days=45)).isoformat()
    lines = ["code_insee;venue;weekdays;blackout_dates;has_power;expected_participants;contact_email"]
    for i in range(10):
        email = "pas-un-email" if i == bad_row else f"mairie{i}@exemple.fr"
        lines.append(f"18{100 + i:03d};Salle {i};mar;{day};oui;8;{email}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_coordinator_import_is_all_or_nothing(engine):
    at = app()
    at.switch_page("app_pages/demandes.py").run()
    at.file_uploader(key="import_file").upload("demandes.csv", _upload_csv(bad_row=6), "text/csv")
    at.run()
    at.button(key="import_button").click()
    at.run()
    assert not at.exception
    assert at.error and "Import annulé, aucune demande enregistrée" in at.error[0].value
    assert "ligne 8" in at.error[0].value and "adresse e-mail invalide" in as_read(at.error[0].value)
    assert repo.list_requests(engine) == ()
    at.file_uploader(key="import_file").upload("demandes.csv", _upload_csv(bad_row=None), "text/csv")
    at.run()
    at.button(key="import_button").click()
    at.run()
    assert at.success and "10 demandes importées" in at.success[0].value
    assert len(repo.list_requests(engine)) == 10


def _revoke_after_uses(engine, link_id: int, uses: int) -> None:
    """Make the database revoke ``link_id`` right after its ``uses``-th check (a SQLite trigger).

    Each check of a token records its use; the trigger counts them and keeps the "last use" old
    so that every check writes it. This replays a coordinator revoking the link (or the link
    expiring) in the middle of one page run, deterministically.
    """
    from sqlalchemy import text

    with engine.begin() as c:
        c.execute(text("CREATE TABLE test_link_uses (n INTEGER NOT NULL)"))
        c.execute(text("INSERT INTO test_link_uses VALUES (0)"))
        c.execute(
            text(
                "CREATE TRIGGER test_revoke_mid_run AFTER UPDATE OF last_used_at ON access_links "
                f"WHEN NEW.id = {int(link_id)} BEGIN "
                "UPDATE test_link_uses SET n = n + 1; "
                "UPDATE access_links SET last_used_at = '2000-01-01 00:00:00.000000', "
                f"revoked_at = CASE WHEN (SELECT n FROM test_link_uses) >= {int(uses)} "
                "THEN '2001-01-01 00:00:00.000000' ELSE NULL END WHERE id = NEW.id; END"
            )
        )


@pytest.mark.parametrize("uses", [1, 2, 3, 4, 5])
def test_link_revoked_during_a_run_never_shows_other_communes(engine, uses):
    # Before the fix the page checked the link several times per run; a revocation between two
    # checks gave the commune role with no commune, i.e. every commune's requests and contacts.
    seed(engine)
    link = access.create_commune_link(engine, "18103", COORD)
    _revoke_after_uses(engine, link.link_id, uses)
    at = app(link.token).run()
    shown = all_text(at) + "\n".join(rendered_markup(at))
    assert "secret@vierzon.fr" not in shown and "Médiathèque de Vierzon" not in shown
    assert not at.tabs and not [b for b in at.button if b.label in ("Accepter", "Refuser")]
    # either the whole page is refused, or it is the commune's own page
    assert ("Accès refusé" in shown) or ("mairie@gracay.fr" in shown)


@pytest.mark.parametrize(
    ("emails", "user", "coordinator"),
    [
        # no allow-list: any account of the provider (e.g. any Google account) used to be coordinator
        (None, {"is_logged_in": True, "email": "inconnu@gmail.com"}, False),
        ([], {"is_logged_in": True, "email": "inconnu@gmail.com"}, False),
        (["@pays-vierzon.fr"], {"is_logged_in": True, "email": "Claire@Pays-Vierzon.fr"}, True),
        (["@pays-vierzon.fr"], {"is_logged_in": True, "email": "claire@evil-pays-vierzon.fr"}, False),
        (["@pays-vierzon.fr"], {"is_logged_in": True}, False),
    ],
)
def test_oidc_without_allow_list_grants_nothing(engine, emails, user, coordinator):
    secrets = {"auth": OIDC_SECRETS["auth"]}
    if emails is not None:
        secrets["aller_vers"] = {"coordinator_emails": emails}
    at = app()
    at.secrets = secrets
    at.user = user
    at.run()
    assert not at.exception
    if coordinator:
        assert "Connecté : coordination" in [c.value for c in at.sidebar.caption]
    else:
        assert at.title[0].value == "Aller-vers — connexion"
        assert "Connecté : coordination" not in [c.value for c in at.sidebar.caption]


def test_import_error_quoting_a_cell_shows_it_as_text_not_markup(engine):
    # An error message quotes the bad cell of a file written by someone else (a commune's
    # spreadsheet): markdown there must not become a remote image or a link in the coordinator's page.
    payload = "![suivi](https://evil.example/p.png)[Valider](https://evil.example/login)"
    csv_text = (
        "code_insee;venue;weekdays;blackout_dates;has_power;expected_participants;contact_email\n"
        f"18103;Salle;mar;;oui;8;{payload}\n"
    )
    at = app()
    at.switch_page("app_pages/demandes.py").run()
    at.file_uploader(key="import_file").upload("demandes.csv", csv_text.encode("utf-8"), "text/csv")
    at.run()
    at.button(key="import_button").click()
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert "adresse e-mail invalide" in as_read(message) and payload in as_read(message)
    assert "](https://" not in message and "![" not in message
    assert repo.list_requests(engine) == ()


def test_local_mode_creates_no_commune_link(engine):
    # Without a coordination password every visitor is the coordination: a commune removing the
    # token from its link would have seen every request and contact. No link is created then.
    seed(engine)
    at = app()
    at.switch_page("app_pages/demandes.py").run()
    assert not at.exception
    assert any("Mode local sans mot de passe" in w.value for w in at.warning)
    assert not [b for b in at.button if b.label == "Créer le lien"]
    assert access.list_links(engine) == []
    # revoking the links made before stays possible
    old = access.create_commune_link(engine, "18103", COORD)
    at.run()
    at.selectbox(key="revoke_id").select(old.link_id)
    at.button(key="revoke_button").click()
    at.run()
    assert access.list_links(engine)[0].state() == "revoked"


def test_one_password_for_both_roles_is_refused_at_start(engine, monkeypatch):
    # Tried coordinator first, a shared password would have signed every funder in as coordinator.
    monkeypatch.setenv("ALLER_VERS_COORDINATOR_PASSWORD", "meme-mot-de-passe")
    monkeypatch.setenv("ALLER_VERS_FUNDER_PASSWORD", "meme-mot-de-passe")
    at = app().run()
    assert not at.exception
    assert at.error and "doit différer" in at.error[0].value
    assert not at.text_input  # no sign-in form, nothing else
    assert not access.has_password(engine, "funder")


def test_nothing_of_a_funder_session_is_left_for_the_next_user(engine, monkeypatch):
    """A funder tries other need weights, signs out; the coordinator who signs in next in the same
    browser tab finds the default weights, not the funder's (and they were never stored)."""
    from planner.store import workspace
    from planner.territory.need import NeedWeights

    monkeypatch.setenv("ALLER_VERS_COORDINATOR_PASSWORD", "mot-de-passe-coordination")
    monkeypatch.setenv("ALLER_VERS_FUNDER_PASSWORD", "mot-de-passe-financeur")
    at = app().run()
    at.text_input[0].input("mot-de-passe-financeur")
    at.button[0].click()
    at.run()
    at.switch_page("app_pages/territoire.py").run()
    at.sidebar.slider[0].set_value(0.6)
    at.button(key="FormSubmitter:need_weights_form-Appliquer").click()
    at.run()
    assert not at.exception
    changed = at.session_state["need_weights"]
    assert changed != NeedWeights()
    assert "need_weights" not in workspace.get_workspace(engine, "vierzon").settings
    next(b for b in at.sidebar.button if b.label == "Se déconnecter").click()
    at.run()
    assert "need_weights" not in at.session_state
    at.text_input[0].input("mot-de-passe-coordination")
    at.button[0].click()
    at.run()
    assert "Connecté : coordination" in [c.value for c in at.sidebar.caption]
    assert at.session_state["need_weights"] == NeedWeights() if "need_weights" in at.session_state else True
