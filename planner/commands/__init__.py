"""Sub-commands of ``python -m planner``: one module each, with ``register(subparsers)``."""
