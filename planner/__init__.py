"""Aller-vers: planning itinerant digital mediation (the library; never imports streamlit).

Layout
------
- ``model``, ``problem``, ``plan_json``, ``errors``, ``french``: the shared vocabulary — domain
  objects, what the optimiser is asked, the plan file, errors and French wording;
- ``territory/``: communes, fixed places, need and coverage, drive times, catchments;
- ``inputs/``: the coordinator's files (communes, resources, requests, locked sessions);
- ``optimise/``: candidate series, objective, CP-SAT model, greedy and saupoudrage plans, routes,
  reasons for what was left out;
- ``rules/``: the rules of a plan (checker), hand edits, plan differences, the season calendar;
- ``publish/``: figures for funders and every export (calendars, spreadsheets, PDF, maps);
- ``hosting/``: host communes' requests;
- ``realised/``: what happened — realised sessions and attendance (counts only), the Coop and
  sheet imports, planned vs done;
- ``store/``: database, plan versions, accounts and access links;
- ``cli`` and ``commands/``: ``python -m planner …``, the same library headless.
"""

from pathlib import Path

__version__ = "0.1.0"

#: Embedded open data and fonts (see data/SOURCES.md): the application reads nothing else.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
