"""The command line: ``scoreline <command>``, thin shells over ``scoreline.platform``.

A command module imports only Typer and its options at start-up; everything a
command uses is imported in its body when it runs (helpers' type annotations
come from ``TYPE_CHECKING`` imports for the same reason, a departure from the
house style, which keeps those for cycles). So ``scoreline --help`` and a
mistyped flag answer in about the time Python takes to import Typer, while
``scoreline fit`` still loads NumPy and SciPy and ``scoreline api`` FastAPI.
``tests/unit/cli`` keeps this true.
"""
