"""The rules of a plan and what changes a plan: the rules checker, hand edits, differences between
plans, the season calendar (public and school holidays)."""
