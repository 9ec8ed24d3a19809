"""What happened: realised sessions and attendance, and how they compare with the plan.

Nothing personal is kept: imports aggregate on the way in (participants per session, per
commune of residence, per age band; for a parcours, how many people came to how many of its
sessions) and drop names, gender, status and notes.

- ``outcome``: one planned session's outcome (held with participants, or cancelled with a
  reason from a fixed list), keyed by the session's ``uid``;
- ``attendance``: who came back, as counts per parcours (never who);
- ``season``: every outcome and attendance of one plan, the input of the figures;
- ``age_bands``, ``places``: age bands and « code postal commune » places;
- ``reading`` (file cells), ``coop`` (the Coop de la médiation numérique export), ``sheet``
  (a simple attendance sheet): files → :class:`~planner.realised.activity.Activity`;
- ``matching`` (activity → planned session), ``aggregate`` (matched activities → outcomes),
  ``importing`` (the whole import, a pure function);
- ``figures`` (planned vs done), ``workbook`` (its Excel export), ``locks`` (held sessions to
  lock for a re-plan).
"""
