"""Following the active model version: every worker switches on its own when it changes.

A refit or a roll-back over the gateway's admin API activates another version
in the database; each worker polls ``services.model_versions.active_id`` (one
cheap query every few seconds, between batches) and reloads when the answer is
not what it serves, so no batch mixes two versions and no admin call has to
reach the workers.
"""

from __future__ import annotations

import logging

from scoreline.errors import StorageError
from scoreline.services import model_versions
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["ModelFollower"]

logger = logging.getLogger(__name__)


class ModelFollower:
    """Tells a worker when the active version is no longer the one it serves."""

    def __init__(self, unit_of_work: UnitOfWorkFactory) -> None:
        self.unit_of_work = unit_of_work
        self._followed: int | None = None

    def has_changed(self, serving: int) -> bool:
        """Whether another version than ``serving`` became active since the last answer.

        A version is reported once: if loading it serves something else (the
        loader found another), the worker does not reload again on every poll.
        Nothing active, or a database that cannot be read, keeps what serves.
        """
        try:
            active = model_versions.active_id(self.unit_of_work)
        except StorageError as error:
            logger.warning("could not read the active model: %s", error)
            return False
        if active is None or active in {serving, self._followed}:
            return False
        logger.info("active model changed (row %d); switching", active)
        self._followed = active
        return True
