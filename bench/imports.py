"""Benchmark: the tolerant reader on big French files, and the calendar feed of a whole season.

- a communes file of every commune of Centre-Val de Loire (1,754 rows), written the French way
  (cp1252, ``;``, decimal commas, a title row), as CSV and as ``.xlsx``;
- a requests file of 5,000 rows (the size of the requests screen's bench) through the optimiser's
  reader and through the request form's reader;
- the published plan's calendar feed for a resource and for a commune (``feed_bytes``), with a
  previous publication to compare against.

Timings are the median of ``--runs`` runs. Results go to ``bench/results/imports.json`` and ``.md``.

Usage: ``python bench/imports.py [--runs 5]``
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from planner.hosting.request_form import read_request_table  # noqa: E402
from planner.inputs.communes import read_communes_file  # noqa: E402
from planner.inputs.tables import read_requests_frame  # noqa: E402
from planner.plan_json import load_plan  # noqa: E402
from planner.territory.region import region_communes  # noqa: E402


def median_s(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def communes_files() -> tuple[bytes, bytes]:
    communes = list(region_communes().values())
    lines = ["Communes de la région (INSEE 2023)", "Code INSEE;Nom;Population;Latitude;Longitude"]
    lines += [
        f"{c.code_insee};{c.name};{c.population};{str(c.lat).replace('.', ',')};{str(c.lon).replace('.', ',')}"
        for c in communes
    ]
    csv_bytes = ("\r\n".join(lines) + "\r\n").encode("cp1252", errors="replace")
    book = Workbook()
    sheet = book.active
    sheet.append(["Communes de la région (INSEE 2023)"])
    sheet.append(["Code INSEE", "Nom", "Population", "Latitude", "Longitude"])
    for c in communes:
        sheet.append(
            [
                int(c.code_insee) if c.code_insee.isdigit() else c.code_insee,
                c.name,
                c.population,
                c.lat,
                c.lon,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return csv_bytes, buffer.getvalue()


def requests_file(n: int) -> bytes:
    codes = list(region_communes())
    lines = ["Code INSEE;Lieu;Jours possibles;Dates impossibles;Électricité;Participants attendus"]
    lines += [
        f"{codes[i % len(codes)]};Salle des fêtes n° {i};mar, ven;09/02/2027;oui;{6 + i % 10}"
        for i in range(n)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def feed_timings(runs: int) -> dict[str, float]:
    from planner.hosting.feed_server import feed_bytes
    from planner.store import publications as pub
    from planner.store import workspace
    from planner.store.access import Actor, create_commune_link
    from planner.store.db import dispose_engine, open_store

    plan = load_plan(ROOT / "tests" / "data" / "plan_vierzon_petit.json")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        engine = open_store(url)
        coord = Actor("coordinator", "bench")
        for version in (plan, replace(plan, sessions=plan.sessions[:-1])):
            pub.publish_plan_version(engine, workspace.save_version(engine, version, "bench", "bench"), coord)
        host = plan.sessions[0].host
        commune = pub.commune_feed_token(engine, create_commune_link(engine, host, coord).token)
        resource, _ = pub.create_resource_feed(engine, plan.resources[0].id, coord)
        feed_bytes(engine, resource)  # the territory is loaded once per process (cached)
        out = {
            "feed_resource_s": median_s(lambda: feed_bytes(engine, resource), runs),
            "feed_commune_s": median_s(lambda: feed_bytes(engine, commune), runs),
        }
        dispose_engine(url)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    csv_bytes, xlsx_bytes = communes_files()
    requests = requests_file(5000)
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "runs": args.runs,
        "communes_csv_1754_rows_s": median_s(
            lambda: read_communes_file(csv_bytes, "communes.csv"), args.runs
        ),
        "communes_xlsx_1754_rows_s": median_s(
            lambda: read_communes_file(xlsx_bytes, "communes.xlsx"), args.runs
        ),
        "requests_frame_5000_rows_s": median_s(
            lambda: read_requests_frame(requests, "demandes.csv"), args.runs
        ),
        "request_forms_5000_rows_s": median_s(
            lambda: read_request_table(requests, "demandes.csv"), args.runs
        ),
        **feed_timings(args.runs),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "imports.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    lines = [
        "# Imports and calendar feeds",
        "",
        f"{results['when']}, load average {results['load_average']}",
        "",
    ]
    lines += [f"- {k}: {v:.3f}" for k, v in results.items() if k.endswith("_s")]
    (out / "imports.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
