"""Benchmark of the Demandes page at scale (issue 15): « ≤ 2 s per click with 5,000 pending requests ».

The database holds N pending requests (default 5,000, spread over the region's communes, with
contact data), filed in one import. Medians of the runs; seconds of wall time.

- ``queries``: the repository calls the page makes, alone (SQLite): one page of the pending list,
  the last page of the whole list, a filtered page, the counts per status, the communes list.
- ``apptest``: Streamlit's AppTest drives ``app.py`` as the coordination: open Demandes, next page
  of « À examiner », last page of « Toutes les demandes », filter by status, open a request,
  accept a request (each step is one script run, i.e. one click).
- ``browser``: a real Streamlit server (``serve.py``) and Debian Chromium: open Demandes until the
  first request of the list is shown, go to page 2 of the pending list, accept its first request
  (until it leaves the list).

Results: ``bench/results/demandes.json`` and ``bench/results/demandes.md`` with the machine load.

Usage: ``python bench/demandes.py [queries|apptest|browser|all|report] [--runs N] [--requests N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import timing  # noqa: E402
from bench.timing import load_average as _load  # noqa: E402
from bench.timing import medians as _medians  # noqa: E402
from bench.timing import seconds as _s  # noqa: E402
from bench.timing import timed as _timed  # noqa: E402
from devtools.served_app import launch_chromium, served_app  # noqa: E402 (needs the path above)

RESULTS = ROOT / "bench" / "results"
APP = str(ROOT / "app.py")
TARGET_S = 2.0


def seed(url: str, n: int) -> float:
    """File ``n`` pending requests (with contacts) in the database at ``url``; return the seconds."""
    from planner.hosting.request_form import RequestForm
    from planner.store import repo
    from planner.store.db import dispose_engine, open_store
    from planner.territory.region import region_frame

    codes = sorted(region_frame()["code_insee"].astype(str))
    later = date.today() + timedelta(days=60)
    forms = [
        RequestForm(
            code_insee=codes[i % len(codes)],
            venue=f"Salle polyvalente n° {i}",
            address=f"{i} place de la Mairie",
            has_power=i % 3 != 0,
            toilets=True,
            weekdays=(1, 4),
            period_start=later,
            period_end=later + timedelta(days=90),
            expected_participants=6 + i % 7,
            themes="Démarches en ligne, messagerie",
            contact_name=f"Contact {i}",
            contact_phone="02 48 00 00 00",
            contact_email=f"mairie{i}@exemple.fr",
        )
        for i in range(n)
    ]
    engine = open_store(url)
    took = _timed(lambda: repo.submit_requests(engine, forms, "bench"))
    dispose_engine(url)
    return took


# ------------------------------------------------------------------------------------ queries
def run_queries(runs: int, n: int) -> dict:
    from planner.store import repo
    from planner.store.db import dispose_engine, open_store

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        seeded = seed(url, n)
        engine = open_store(url)
        last = -(-n // 50)
        for _ in range(runs):
            out.append(
                {
                    "pending_page_1_s": _timed(
                        lambda: repo.find_requests(engine, statuses=["submitted"], per_page=10)
                    ),
                    "all_last_page_s": _timed(lambda: repo.find_requests(engine, page=last, per_page=50)),
                    "filtered_page_s": _timed(
                        lambda: repo.find_requests(
                            engine, statuses=["submitted"], communes=["18279", "18103"]
                        )
                    ),
                    "counts_s": _timed(lambda: repo.request_counts(engine)),
                    "communes_s": _timed(lambda: repo.request_communes(engine)),
                    "all_requests_s": _timed(lambda: repo.list_requests(engine)),
                }
            )
        dispose_engine(url)
    print(f"queries: {_medians(out)}", flush=True)
    return {"runs": out, "median": _medians(out), "seed_s": round(seeded, 2)}


# ------------------------------------------------------------------------------------ AppTest
def apptest_run(url: str) -> dict:
    from streamlit.testing.v1 import AppTest

    import ui.client as client
    from planner.store import repo
    from planner.store.db import open_store

    client.current_client = lambda: client.Client("local", True)  # the coordinator at the server
    engine = open_store(url)
    pending = repo.find_requests(engine, statuses=["submitted"], per_page=10).records
    at = AppTest.from_file(APP, default_timeout=300).run()
    r = {"open_s": _timed(lambda: at.switch_page("app_pages/demandes.py").run())}
    assert not at.exception, at.exception
    r["pending_next_page_s"] = _timed(lambda: at.number_input(key="pending_page").set_value(2).run())
    last = at.number_input(key="all_page").max
    r["all_last_page_s"] = _timed(lambda: at.number_input(key="all_page").set_value(last).run())
    r["filter_status_s"] = _timed(lambda: at.multiselect(key="filter_status").select("submitted").run())
    first = at.selectbox(key="open_request").options[0]
    r["open_request_s"] = _timed(lambda: at.selectbox(key="open_request").select(int(first)).run())
    at.number_input(key="pending_page").set_value(1).run()
    target = pending[0].id
    at.text_area(key=f"pending_reason_{target}").input("Bienvenue")
    button = next(b for b in at.button if b.label == "Accepter" and b.key and str(target) in b.key)
    r["accept_s"] = _timed(lambda: button.click().run())
    assert not at.exception, at.exception
    assert repo.get_request(engine, target, "bench").status == "accepted"
    return r


def run_apptest(runs: int, n: int) -> dict:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    out = []
    for i in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite"
            os.environ["ALLER_VERS_DB_PATH"] = f"{tmp}/bench.sqlite"
            for name in ("DATABASE_URL", "ALLER_VERS_COORDINATOR_PASSWORD", "ALLER_VERS_FUNDER_PASSWORD"):
                os.environ.pop(name, None)
            seed(url, n)
            r = apptest_run(url)
            from planner.store.db import dispose_engine

            dispose_engine(url)
        print(f"apptest run {i + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in r.items()), flush=True)
        out.append(r)
    return {"runs": out, "median": _medians(out)}


# ------------------------------------------------------------------------------------ browser
def run_browser(runs: int, n: int) -> dict:
    from playwright.sync_api import sync_playwright

    out = []
    with tempfile.TemporaryDirectory(prefix="bench-demandes-") as tmp:
        seed(f"sqlite:///{tmp}/aller-vers.sqlite", n)  # the file served_app gives the server
        with served_app(Path(tmp)) as url, sync_playwright() as pw:
            browser = launch_chromium(pw)
            for i in range(runs):
                context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
                page = context.new_page()
                page.set_default_timeout(300_000)
                second = 11 + i  # each run accepts the first request of page 2: the list moves on by one
                r: dict = {}
                t0 = time.perf_counter()
                page.goto(f"{url}/demandes")
                page.get_by_text("Demande n° 1 —").first.wait_for()
                r["open_s"] = time.perf_counter() - t0
                t1 = time.perf_counter()
                field = page.get_by_role("spinbutton", name="Page").locator("visible=true").first
                field.fill("2")
                field.press("Enter")
                page.get_by_text(f"Demande n° {second} —").first.wait_for()
                page.get_by_text("Demandes en attente 11 à 20").wait_for()
                r["next_page_s"] = time.perf_counter() - t1
                panel = page.locator("[data-testid='stExpander']").filter(has_text=f"Demande n° {second} —")
                panel.get_by_text(f"Demande n° {second} —").click()
                panel.get_by_label("Motif").locator("visible=true").fill("Bienvenue")
                t2 = time.perf_counter()
                panel.get_by_role("button", name="Accepter").locator("visible=true").click()
                page.get_by_text(f"Demande n° {second} —").wait_for(state="detached")
                r["accept_s"] = time.perf_counter() - t2
                context.close()
                print(f"browser run {i + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in r.items()), flush=True)
                out.append(r)
            browser.close()
    return {"runs": out, "median": _medians(out), "median_warm": _medians(out[1:]) if len(out) > 1 else {}}


# ------------------------------------------------------------------------------------ report
def _table(section: dict, rows: tuple[tuple[str, str], ...], warm: bool = False) -> list[str]:
    m, w = section["median"], section.get("median_warm") or {}
    head = "| step | median s |" + (" warm median s |" if warm else "") + " runs |"
    lines = [head, "|---|---|" + ("---|" if warm else "") + "---|"]
    for key, label in rows:
        runs = ", ".join(_s(r[key]) for r in section["runs"])
        lines.append(
            f"| {label} | {_s(m.get(key))} |" + (f" {_s(w.get(key))} |" if warm else "") + f" {runs} |"
        )
    return lines


# section -> (heading, note under it, (timing key, label) rows, whether a warm median is shown)
SECTIONS = {
    "queries": (
        "Repository queries alone (SQLite, {n} runs)",
        "Seeding {count} requests in one import took {seed_s} s.",
        (
            ("pending_page_1_s", "first page of the pending requests (10)"),
            ("all_last_page_s", "last page of all requests (50)"),
            ("filtered_page_s", "pending requests of two communes"),
            ("counts_s", "counts per status"),
            ("communes_s", "communes having requests (filter list)"),
            ("all_requests_s", "every request read (what each click did before; now only exports)"),
        ),
        False,
    ),
    "apptest": (
        "Headless clicks (Streamlit AppTest, {n} runs, coordinator)",
        "Server-side time of one script run per click (no network, no drawing).",
        (
            ("open_s", "open Demandes"),
            ("pending_next_page_s", "« À examiner » → page 2"),
            ("all_last_page_s", "« Toutes les demandes » → last page"),
            ("filter_status_s", "filter by status"),
            ("open_request_s", "open a request (details and history)"),
            ("accept_s", "accept a request (with its reason)"),
        ),
        False,
    ),
    "browser": (
        "Real browser (Debian Chromium via Playwright, {n} runs, one server)",
        "Run 1 pays the server's cold start; « warm » = runs 2…. Each run is a new browser context.",
        (
            ("open_s", "open Demandes until the first pending request is shown"),
            ("next_page_s", "page 2 of « À examiner » shown"),
            ("accept_s", "click « Accepter » → the request leaves the list"),
        ),
        True,
    ),
}


def write_markdown(result: dict) -> str:
    n = result.get("requests", 5000)
    count = f"{n:,}".replace(",", " ")
    lines = [
        "# Demandes page at scale (issue 15)",
        "",
        f"Target: ≤ {TARGET_S:.0f} s per click on the Demandes page with {count} pending requests (the issue "
        "measured 21.7 s per click with 510 and 212 s with 2 009 before: every request was read, and every "
        "pending one drawn with its review form, on every click). Now the lists are filtered, counted and "
        "paged in the database (10 pending requests, 50 lines of the whole list per page) and the exports "
        "are built only when their button is clicked. Medians; seconds of wall time.",
        "",
    ]
    for key, (heading, note, rows, warm) in SECTIONS.items():
        section = result.get(key)
        if section:
            lines += [
                "## " + heading.format(n=len(section["runs"])),
                "",
                timing.ran(section, result),
                "",
                note.format(count=count, seed_s=section.get("seed_s")),
                "",
                *_table(section, rows, warm=warm),
                "",
            ]
    clicks = [result[k]["median"] for k in ("apptest", "browser") if result.get(k)]
    worst = max((max(m.values()) for m in clicks), default=None)
    verdict = "not measured" if worst is None else "met" if worst <= TARGET_S else "NOT met"
    lines += [
        f"**Verdict**: slowest median click {_s(worst)} s — target ≤ {TARGET_S:.0f} s {verdict}.",
        "",
        "Command: `.venv/bin/python bench/demandes.py` (or `queries` / `apptest` / `browser` / `report`, "
        "`--runs N`, `--requests N`).",
        "",
    ]
    text = "\n".join(lines)
    (RESULTS / "demandes.md").write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what", nargs="?", default="all", choices=["queries", "apptest", "browser", "all", "report"]
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "demandes.json"
    if args.what == "report":
        print(write_markdown(json.loads(path.read_text(encoding="utf-8"))))
        return 0
    result = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    result.update(machine=platform.machine(), cores=os.cpu_count(), requests=args.requests)
    for what, run in (("queries", run_queries), ("apptest", run_apptest), ("browser", run_browser)):
        if args.what in (what, "all"):
            when, load_start = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), _load()
            result[what] = run(args.runs, args.requests) | {
                "when": when,
                "load_start": load_start,
                "load_end": _load(),
            }
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(write_markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
