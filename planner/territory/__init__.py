"""The territory and its need: communes and specs, fixed places, need and coverage, drive times,
catchments (who can attend where)."""
