"""Developer tooling shared by the browser tests and the benchmarks (not shipped with the app)."""
