"""Page Demandes: a commune files and follows its requests; the coordination reviews them.

A commune (personal link ``?jeton=…``) sees only its own form and requests: a request appears as
soon as it is sent, then its status with its dates in the plan in force (and the poster and the
calendar to download), or the reason it cannot be served this season and what happens next.
The coordination lists, filters, accepts or declines with a reason, enters requests taken by phone,
creates and revokes the communes' links, imports and exports. Text typed by users is always shown
as text (``st.text``, tables, escaped markdown), never as markup.
"""

from __future__ import annotations

import functools
import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from planner.errors import PlannerError
from planner.file_errors import reading
from planner.french import french_decimal
from planner.hosting.request_form import (
    MAX_LENGTHS,
    PRIVACY_NOTICE,
    PUBLICS,
    STATUS_LABELS,
    RequestRecord,
    escape_markdown,
    parse_request_form,
    read_request_table,
    requests_csv,
    requests_xlsx,
)
from planner.model import WEEKDAY_NAMES_FR
from planner.store import access, repo
from planner.territory.region import region_frame
from ui.auth import ENV_COORDINATOR, current_actor, local_mode, require_role, store
from ui.publishing import commune_calendar, commune_feed_for_link

role = require_role("coordinator", "commune")
engine = store()
# Resolved once: every decision below uses this actor (a link revoked or expiring during the run
# must not turn the commune view into "no commune filter").
actor = current_actor()
if actor.role != role:
    st.error("Accès refusé : votre accès a changé, rechargez la page.")
    st.stop()


@functools.cache
def commune_names() -> dict[str, str]:
    """INSEE code → commune name for the embedded region (static data: one dict per process, so
    the 1,754 labels of a commune list cost no cache look-up each)."""
    frame = region_frame()
    return dict(zip(frame["code_insee"].astype(str), frame["nom"].astype(str), strict=True))


@functools.cache
def communes_by_name() -> list[str]:
    """The region's INSEE codes in the order of their names (for the commune lists)."""
    names = commune_names()
    return sorted(names, key=names.__getitem__)


def commune_label(code: str) -> str:
    """``Graçay (18103)`` (or the code alone when unknown)."""
    name = commune_names().get(code)
    return f"{name} ({code})" if name else code


PARIS = ZoneInfo("Europe/Paris")


def local(moment: datetime | None) -> str:
    """A stored UTC timestamp as Paris time, ``JJ/MM/AAAA HH:MM``."""
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if moment else ""


def fr_dates(days) -> str:
    """Dates as ``JJ/MM/AAAA, …``."""
    return ", ".join(d.strftime("%d/%m/%Y") for d in days)


def request_form(key: str, code_insee: str | None) -> None:
    """The request form; on a valid submission the request is stored for ``code_insee`` (or the one chosen)."""
    with st.form(key, clear_on_submit=False):
        if code_insee is None:
            chosen = st.selectbox(
                "Commune",
                communes_by_name(),
                index=None,
                format_func=commune_label,
                key=f"{key}_commune",
                placeholder="Choisissez la commune",
            )
        else:
            chosen = code_insee
        st.markdown("**Lieu d'accueil**")
        venue = st.text_input(
            "Nom du lieu (salle, place…)", max_chars=MAX_LENGTHS["venue"], key=f"{key}_venue"
        )
        address = st.text_input("Adresse", max_chars=MAX_LENGTHS["address"], key=f"{key}_address")
        st.markdown("**Équipement sur place**")
        left, right = st.columns(2)
        has_power = left.checkbox("Stationnement avec prise électrique pour le bus", key=f"{key}_power")
        toilets = left.checkbox("Toilettes", key=f"{key}_toilets")
        accessible = left.checkbox("Salle accessible (PMR)", key=f"{key}_accessible")
        mobile = right.checkbox("Couverture réseau mobile", key=f"{key}_mobile")
        wifi = right.checkbox("Wifi", key=f"{key}_wifi")
        st.markdown("**Quand ?**")
        weekdays = st.multiselect(
            "Jours possibles (vide : tous)",
            list(range(7)),
            format_func=lambda d: WEEKDAY_NAMES_FR[d],
            key=f"{key}_weekdays",
            placeholder="Tous les jours",
            select_all=False,
        )
        c1, c2 = st.columns(2)
        period_start = c1.date_input(
            "Disponible à partir du", value=None, format="DD/MM/YYYY", key=f"{key}_from"
        )
        period_end = c2.date_input("jusqu'au", value=None, format="DD/MM/YYYY", key=f"{key}_to")
        blackout = st.text_input(
            "Dates impossibles (JJ/MM/AAAA, séparées par des virgules)", key=f"{key}_blackout"
        )
        st.markdown("**Pour qui ?**")
        participants = st.number_input(
            "Participants attendus", min_value=0, max_value=500, value=None, step=1, key=f"{key}_participants"
        )
        home_visits = st.number_input(
            "Visites à domicile demandées",
            min_value=0,
            max_value=200,
            value=0,
            step=1,
            key=f"{key}_home_visits",
            help="Pour les personnes qui ne peuvent pas se déplacer : un nombre seulement, jamais de nom "
            "ni d'adresse (la mairie ou le CCAS les garde).",
        )
        publics = st.multiselect(
            "Publics", list(PUBLICS), key=f"{key}_publics", placeholder="Choisissez", select_all=False
        )
        themes = st.text_area("Thèmes souhaités", max_chars=MAX_LENGTHS["themes"], key=f"{key}_themes")
        promoter = st.text_input(
            "Qui fait la promotion et prend les inscriptions ?",
            max_chars=MAX_LENGTHS["promoter"],
            key=f"{key}_promoter",
        )
        st.markdown("**Personne à contacter**")
        c1, c2 = st.columns(2)
        contact_name = c1.text_input("Nom", max_chars=MAX_LENGTHS["contact_name"], key=f"{key}_cname")
        contact_role = c2.text_input("Fonction", max_chars=MAX_LENGTHS["contact_role"], key=f"{key}_crole")
        contact_phone = c1.text_input(
            "Téléphone", max_chars=MAX_LENGTHS["contact_phone"], key=f"{key}_cphone"
        )
        contact_email = c2.text_input("E-mail", max_chars=MAX_LENGTHS["contact_email"], key=f"{key}_cemail")
        notes = st.text_area("Remarques", max_chars=MAX_LENGTHS["notes"], key=f"{key}_notes")
        st.caption(PRIVACY_NOTICE)
        submitted = st.form_submit_button("Envoyer la demande", type="primary")
    if not submitted:
        return
    if not chosen:
        st.error("Choisissez la commune concernée.")
        return
    raw = {
        "code_insee": chosen,
        "venue": venue,
        "address": address,
        "has_power": has_power,
        "toilets": toilets,
        "accessible_room": accessible,
        "mobile_coverage": mobile,
        "wifi": wifi,
        "weekdays": list(weekdays),
        "period_start": period_start,
        "period_end": period_end,
        "blackout_dates": blackout,
        "expected_participants": None if participants is None else int(participants),
        "home_visits": int(home_visits or 0),
        "publics": list(publics),
        "themes": themes,
        "promoter": promoter,
        "notes": notes,
        "contact_name": contact_name,
        "contact_role": contact_role,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
    }
    try:
        form = parse_request_form(raw, today=date.today())
        request_id = repo.submit_request(engine, form, actor)
    except PlannerError as exc:
        st.error(f"Demande non enregistrée : {escape_markdown(str(exc))}")
        return
    st.session_state["dm_flash"] = (
        f"Demande n° {request_id} enregistrée. La coordination l'examinera et vous répondra ici."
    )
    for name in [k for k in st.session_state if str(k).startswith(f"{key}_")]:
        del st.session_state[name]  # an empty form for the next request
    st.rerun()


def show_request(rec: RequestRecord, *, with_contact: bool) -> None:
    """Every field of a request, user text shown as plain text."""
    f = rec.form
    st.markdown(f"**Statut : {STATUS_LABELS[rec.status]}** · déposée le {local(rec.created_at)[:10]}")
    if rec.decision_reason:
        st.markdown("Réponse de la coordination :")
        st.text(rec.decision_reason)
    if rec.scheduled_dates:
        st.markdown(f"**Dates programmées : {fr_dates(rec.scheduled_dates)}**")
    st.text(f"Lieu : {f.venue}" + (f"\nAdresse : {f.address}" if f.address else ""))
    equipment = ", ".join(k for k, v in f.checklist().items() if v) or "aucun indiqué"
    st.text(f"Équipement : {equipment}")
    when = ", ".join(WEEKDAY_NAMES_FR[d] for d in f.weekdays) or "tous les jours"
    if f.period_start and f.period_end:
        when += f" · du {f.period_start:%d/%m/%Y} au {f.period_end:%d/%m/%Y}"
    if f.blackout_dates:
        when += f" · sauf {fr_dates(sorted(f.blackout_dates))}"
    st.text(f"Quand : {when}")
    expected = "à estimer" if f.expected_participants is None else str(f.expected_participants)
    st.text(f"Participants attendus : {expected} · publics : {', '.join(f.publics) or '—'}")
    if f.themes:
        st.text(f"Thèmes : {f.themes}")
    if f.promoter:
        st.text(f"Promotion et inscriptions : {f.promoter}")
    if f.notes:
        st.text(f"Remarques : {f.notes}")
    if with_contact and f.has_contact:
        who = f.contact_name + (f" ({f.contact_role})" if f.contact_role else "")
        st.text("Contact : " + " · ".join(x for x in (who, f.contact_phone, f.contact_email) if x))


# ----------------------------------------------------------------------------- commune


def _plan_of(code: str):
    """``(territory spec, plan)`` of the plan in force that hosts ``code`` or leaves it out, else None."""
    from planner.store import workspace as ws

    for spec, version_id in sorted(ws.current_plans(engine).items()):
        plan = ws.load_version(engine, version_id)
        if any(s.host == code for s in plan.sessions) or any(u.code_insee == code for u in plan.unserved):
            return spec, plan
    return None


def _files(spec: str, plan, code: str, records) -> tuple | None:
    """The commune's calendar (.ics) and poster (.pdf) from the plan in force (planner.publish)."""
    from planner.publish import host_files, make_context
    from planner.publish.common import hosts_from_requests
    from ui import data as ud

    try:
        territory = ud.get_territory(spec)
    except PlannerError:
        territory = None
    ctx = make_context(plan, territory=territory, hosts=hosts_from_requests(records))
    return host_files(ctx, code)


def commune_status(rec: RequestRecord, code: str, found, records) -> None:
    """Where a request stands: waiting, its dates (with the poster and calendar), or why not."""
    if rec.status == "submitted":
        st.info("Demande reçue : la coordination va l'examiner. Sa réponse s'affichera ici.")
        return
    if rec.status == "declined":
        st.warning("La coordination ne peut pas donner suite à cette demande (motif ci-dessous).")
        return
    if found is None:
        st.info(
            "Demande acceptée : la coordination prépare le calendrier de la saison, vos dates s'afficheront ici."
        )
        return
    spec, plan = found
    sessions = sorted((s for s in plan.sessions if s.host == code), key=lambda s: (s.date, s.start))
    if sessions:
        from planner.french import french_date, french_time

        st.success(f"Vos {len(sessions)} séances sont programmées :")
        st.markdown(
            "\n".join(
                f"- {french_date(s.date)}, de {french_time(s.start)} à {french_time(s.end)}" for s in sessions
            )
        )
        try:
            calendar, poster = _files(spec, plan, code, records)
        except Exception:  # the dates are shown even if a file cannot be made
            return
        c1, c2 = st.columns(2)
        c1.download_button(
            "Ajouter ces dates à mon agenda (.ics)",
            calendar.data,
            file_name=calendar.name,
            mime=calendar.mime,
            key=f"ics_{rec.id}",
        )
        c2.download_button(
            "Télécharger l'affiche (PDF)",
            poster.data,
            file_name=poster.name,
            mime=poster.mime,
            key=f"pdf_{rec.id}",
        )
        return
    left = next((u for u in plan.unserved if u.code_insee == code), None)
    if left is not None:
        st.warning(
            "Votre commune n'accueille pas de séance cette saison : "
            + left.reason.rstrip(".")
            + (
                f". Ce qui permettrait de venir : {left.what_would_help.rstrip('.')}."
                if left.what_would_help
                else "."
            )
        )
        st.caption(
            "Votre demande reste enregistrée : la coordination la reprendra pour la prochaine saison "
            "et vous recontactera."
        )


def commune_view(code: str) -> None:
    """A commune's own requests (with their status and dates) and its form."""
    st.title(f"Demande d'accueil — {escape_markdown(commune_label(code))}")
    flash = st.session_state.pop("dm_flash", None)
    if flash:
        st.success(flash)
    st.info(PRIVACY_NOTICE)
    mine = repo.list_requests(engine, code_insee=code)
    try:
        found = _plan_of(code) if any(r.status in ("accepted", "scheduled") for r in mine) else None
    except Exception:
        found = None
    st.subheader("Vos demandes")
    if not mine:
        st.write("Aucune demande pour l'instant.")
    for rec in reversed(mine):
        with st.container(border=True):
            st.markdown(f"#### Demande n° {rec.id}")
            commune_status(rec, code, found, mine)
            show_request(rec, with_contact=True)
    commune_calendar(engine, code, commune_names().get(code, ""))
    st.subheader("Nouvelle demande")
    request_form("commune_form", code)


# ----------------------------------------------------------------------------- coordination


def review_panel(rec: RequestRecord, where: str) -> None:
    """Details, history and the accept / decline / delete actions of one request.

    ``where`` prefixes the widget keys: one request may be open in two tabs at once.
    """
    show_request(rec, with_contact=True)
    history = repo.request_history(engine, rec.id, actor)
    # Plain text, not a data grid: ten panels a page, each grid costs the browser dearly.
    st.text(
        "Historique :\n"
        + "\n".join(
            f"{local(h.at)} · {STATUS_LABELS.get(h.from_status, '—')} → {STATUS_LABELS[h.to_status]}"
            + (f" · motif : {h.reason}" if h.reason else "")
            + f" · par {h.actor}"
            for h in history
        )
    )
    with st.form(f"{where}_review_{rec.id}"):
        reason = st.text_area(
            "Motif (obligatoire pour un refus ; la commune le verra)", key=f"{where}_reason_{rec.id}"
        )
        c1, c2 = st.columns(2)
        accept = c1.form_submit_button("Accepter", disabled=rec.status not in ("submitted", "declined"))
        decline = c2.form_submit_button("Refuser", disabled=rec.status == "declined")
    if accept or decline:
        try:
            repo.review_request(engine, rec.id, "accepted" if accept else "declined", reason, actor)
        except PlannerError as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.rerun()
    with st.popover("Supprimer la demande et ses coordonnées"):
        st.write("La demande, son historique et les coordonnées du contact seront effacés définitivement.")
        if st.button("Supprimer définitivement", key=f"{where}_delete_{rec.id}"):
            repo.delete_request(engine, rec.id, actor)
            st.rerun()


def requests_table(records) -> pd.DataFrame:
    """One line per request, no contact data (shown as a table: text is never rendered)."""
    table = pd.DataFrame(
        [
            {
                "n°": r.id,
                "commune": commune_label(r.form.code_insee),
                "lieu": r.form.venue,
                "statut": r.status_label,
                "participants": r.form.expected_participants,
                "électricité": r.form.has_power,
                "jours": ", ".join(WEEKDAY_NAMES_FR[d][:3] for d in r.form.weekdays) or "tous",
                "motif": r.decision_reason,
                "dates": fr_dates(r.scheduled_dates),
                "déposée le": local(r.created_at)[:10],
            }
            for r in records
        ],
        columns=[
            "n°",
            "commune",
            "lieu",
            "statut",
            "participants",
            "électricité",
            "jours",
            "motif",
            "dates",
            "déposée le",
        ],
    )
    table["participants"] = table["participants"].astype("Int64")
    return table


def links_panel() -> None:
    """Create, list and revoke the communes' personal links."""
    st.write(
        "Chaque commune reçoit un lien personnel qui n'ouvre que son formulaire et ses demandes. "
        "Le lien n'est affiché qu'une fois : seule son empreinte est conservée."
    )
    if local_mode(engine):
        # Without a coordination password everyone reaching the dashboard IS the coordination: a
        # commune removing « ?jeton=… » from its link would see every commune's requests and contacts.
        st.warning(
            "Mode local sans mot de passe : aucun lien ne peut être créé. Quiconque ouvre ce tableau de "
            "bord a les droits de la coordination ; une commune qui retirerait le jeton de son adresse "
            "verrait toutes les demandes. Définissez d'abord un mot de passe de coordination "
            f"(`{ENV_COORDINATOR}` ou `python -m planner access password`), puis connectez-vous."
        )
    else:
        new_link_form()
    existing_links()


def new_link_form() -> None:
    """The form creating a commune's link (its URL shown once)."""
    with st.form("new_link"):
        code = st.selectbox(
            "Commune",
            communes_by_name(),
            index=None,
            format_func=commune_label,
            key="link_commune",
            placeholder="Choisissez la commune",
        )
        days = st.number_input(
            "Validité (jours)", 1, access.MAX_LINK_DAYS, access.DEFAULT_LINK_DAYS, key="link_days"
        )
        create = st.form_submit_button("Créer le lien")
    if create:
        if not code:
            st.error("Choisissez la commune.")
        else:
            base = os.environ.get("ALLER_VERS_BASE_URL", "") or access.DEFAULT_BASE_URL
            try:
                link = access.create_commune_link(engine, code, actor, expires_days=int(days), base_url=base)
            except PlannerError as exc:
                st.error(escape_markdown(str(exc)))
            else:
                st.success(
                    f"Lien créé pour {commune_label(code)}, valable jusqu'au {link.expires_at:%d/%m/%Y} :"
                )
                st.code(link.url, language=None)
                commune_feed_for_link(engine, link.token)


def existing_links() -> None:
    """The stored links and their revocation (always possible, even in local mode)."""
    links = access.list_links(engine)
    if links:
        states = {"active": "actif", "expired": "expiré", "revoked": "révoqué"}
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "n°": x.link_id,
                        "commune": commune_label(x.code_insee),
                        "état": states[x.state()],
                        "expire le": x.expires_at.strftime("%d/%m/%Y"),
                        "dernière visite": local(x.last_used_at),
                    }
                    for x in links
                ]
            ),
            hide_index=True,
            placeholder="—",
        )
        active = [x.link_id for x in links if x.state() == "active"]
        if active:
            c1, c2 = st.columns([3, 1])
            target = c1.selectbox(
                "Lien à révoquer", active, index=None, key="revoke_id", placeholder="Choisissez le lien"
            )
            if c2.button("Révoquer", key="revoke_button") and target is not None:
                access.revoke_link(engine, int(target), actor)
                st.rerun()


def import_export_panel() -> None:
    """Import a CSV/Excel file (all rows or none) and export the requests."""
    upload = st.file_uploader("Importer des demandes (CSV ou Excel)", type=["csv", "xlsx"], key="import_file")
    accept = st.checkbox("Accepter directement les demandes importées", key="import_accept")
    if upload is not None and st.button("Importer", key="import_button"):
        try:
            with reading(upload.name, upload.getvalue()):
                forms = read_request_table(upload, upload.name, today=date.today())
            ids = repo.submit_requests(engine, forms, actor, accept=accept)
        except PlannerError as exc:
            # the message quotes cells of a file written by someone else: shown as text, never markup
            st.error(f"Import annulé, aucune demande enregistrée : {escape_markdown(str(exc))}")
        else:
            st.success(f"{len(ids)} demandes importées.")
    with_contact = st.checkbox("Inclure les coordonnées de contact", key="export_contact")
    c1, c2 = st.columns(2)
    # The files are built when a button is clicked, not on every run of the page.
    c1.download_button(
        "Exporter en CSV",
        data=lambda: requests_csv(repo.list_requests(engine), include_contact=with_contact),
        file_name="demandes.csv",
        mime="text/csv",
        key="export_csv",
        on_click="ignore",
    )
    c2.download_button(
        "Exporter en Excel",
        data=lambda: requests_xlsx(repo.list_requests(engine), include_contact=with_contact),
        file_name="demandes.xlsx",
        key="export_xlsx",
        on_click="ignore",
    )


def page_picker(found: repo.RequestPage, key: str, what: str) -> int:
    """The page chooser under a list, with « demandes 26 à 50 sur 5 000 »; returns the chosen page."""
    if found.total > found.per_page:
        first = (found.page - 1) * found.per_page + 1
        last = first + len(found.records) - 1
        c1, c2 = st.columns([1, 3])
        st.session_state[key] = found.page  # the page shown, even if the list got shorter
        c1.number_input("Page", 1, found.pages, key=key)
        c2.caption(f"{what} {first} à {last} sur {french_decimal(found.total)} · {found.pages} pages")
    return found.page


def _page_number(key: str) -> int:
    return int(st.session_state.get(key) or 1)


@st.fragment
def pending_tab() -> None:
    """Requests waiting for a decision, a page at a time (each with its review panel).

    A fragment: turning a page reruns this list only; a decision reruns the whole page (counts).
    """
    found = repo.find_requests(engine, statuses=["submitted"], page=_page_number("pending_page"), per_page=10)
    if not found.total:
        st.write("Aucune demande en attente.")
    for rec in found.records:
        with st.expander(f"Demande n° {rec.id} — {escape_markdown(commune_label(rec.form.code_insee))}"):
            review_panel(rec, "pending")
    page_picker(found, "pending_page", "Demandes en attente")


@st.fragment
def all_requests_tab() -> None:
    """Every request, filtered by status and commune in the database, a page at a time (a fragment)."""
    c1, c2 = st.columns(2)
    statuses = c1.multiselect(
        "Statut",
        list(STATUS_LABELS),
        format_func=STATUS_LABELS.get,
        key="filter_status",
        placeholder="Tous",
        select_all=False,
    )
    communes = c2.multiselect(
        "Commune",
        repo.request_communes(engine),
        format_func=commune_label,
        key="filter_commune",
        placeholder="Toutes",
        select_all=False,
    )
    filters = (tuple(statuses), tuple(communes))
    if st.session_state.get("_all_filters") != filters:  # new filters: back to the first page
        st.session_state["_all_filters"] = filters
        st.session_state["all_page"] = 1
    found = repo.find_requests(
        engine, statuses=statuses, communes=communes, page=_page_number("all_page"), per_page=50
    )
    st.dataframe(requests_table(found.records), hide_index=True, placeholder="—")
    page_picker(found, "all_page", "Demandes")
    chosen = st.selectbox(
        "Ouvrir la demande n°",
        [r.id for r in found.records],
        index=None,
        key="open_request",
        placeholder="Choisissez",
    )
    if chosen is not None:
        review_panel(next(r for r in found.records if r.id == chosen), "all")


def coordinator_view() -> None:
    """The coordination's review, entry, links and files."""
    st.title("Demandes d'accueil")
    flash = st.session_state.pop("dm_flash", None)
    if flash:
        st.success(flash)
    counts = repo.request_counts(engine)
    cols = st.columns(len(counts))
    for col, (status, n) in zip(cols, counts.items(), strict=True):
        col.metric(STATUS_LABELS[status].capitalize() + "s", french_decimal(n))
    st.caption(PRIVACY_NOTICE)
    tab_review, tab_all, tab_new, tab_links, tab_files = st.tabs(
        ["À examiner", "Toutes les demandes", "Saisir une demande", "Liens des communes", "Import / export"]
    )
    with tab_review:
        pending_tab()
    with tab_all:
        all_requests_tab()
    with tab_new:
        st.write("Pour une demande reçue par téléphone ou par courrier.")
        request_form("coordinator_form", None)
    with tab_links:
        links_panel()
    with tab_files:
        import_export_panel()


if actor.role == "commune" and actor.code_insee:
    commune_view(actor.code_insee)
elif actor.role == "coordinator":
    coordinator_view()
