"""Choosing the season's plan: candidate series, objective, CP-SAT model, greedy and saupoudrage
plans, daily routes, and the reasons for what was left out. :func:`planner.optimise.solve.solve`
is the entry point."""
