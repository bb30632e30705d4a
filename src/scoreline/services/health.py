"""Whether the parts a process depends on answer: the readiness probe's checks."""

from __future__ import annotations

from sqlalchemy import text

from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["database_problem"]


def database_problem(unit_of_work: UnitOfWorkFactory) -> str | None:
    """None when the database answers a trivial query, else what went wrong (no URL, no
    secret: the type of the failure only)."""
    try:
        with unit_of_work() as uow:
            uow.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure means not ready; the reason is reported
        return f"down: {type(error).__name__}"
    return None
