"""Refits asked for over the API: one at a time per process, in a background thread.

A refit (of the kind that serves, on every finished match before now, dated
when really played) takes seconds; the request that starts it answers at once
(202) and ``GET /admin/refit`` tells how it went. The fit itself is
``services.model_versions.refit``, which makes the new version the active one
and leaves earlier versions and their predictions (model health's record);
every worker follows the active version within a few seconds
(``WorkerConfig.follow_every_s``), so one refit reaches every worker process
without calling each of them. This is the only refit runner: the gateway's admin
API is the only admin surface.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from scoreline.api.schemas.admin import RefitRead
from scoreline.services import model_versions
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["RefitRunner"]

logger = logging.getLogger(__name__)


class RefitRunner:
    """Runs ``fit`` (which returns the new active version) in a thread, one at a time."""

    def __init__(self, fit: Callable[[], str]) -> None:
        self._fit = fit
        self._lock = threading.Lock()
        self._state = RefitRead()
        self._thread: threading.Thread | None = None

    @classmethod
    def of_models(
        cls,
        unit_of_work: UnitOfWorkFactory,
        *,
        artifacts_dir: Path,
        after: Callable[[], None] = lambda: None,
    ) -> Self:
        """A runner of ``model_versions.refit``; ``after`` runs once the new version is
        active (the gateway drops its cached answers there: none of them is the new
        version's)."""

        def fit() -> str:
            record = model_versions.refit(unit_of_work, artifacts_dir=artifacts_dir)
            after()
            return record.version

        return cls(fit)

    @property
    def state(self) -> RefitRead:
        """A copy of the current state."""
        with self._lock:
            return self._state.model_copy()

    def start(self) -> RefitRead | None:
        """Start a refit; None when one is already running."""
        with self._lock:
            if self._state.state == "running":
                return None
            self._state = RefitRead(state="running", started_at=datetime.now(UTC))
            self._thread = threading.Thread(target=self._run, name="refit", daemon=True)
            self._thread.start()
            return self._state.model_copy()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the running refit (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        try:
            version = self._fit()
        except Exception as error:  # reported to the admin, not raised into a dead thread
            logger.exception("refit failed")
            with self._lock:
                self._state = self._state.model_copy(
                    update={
                        "state": "failed",
                        "finished_at": datetime.now(UTC),
                        "error": f"{type(error).__name__}: {error}",
                    }
                )
            return
        with self._lock:
            self._state = self._state.model_copy(
                update={"state": "done", "finished_at": datetime.now(UTC), "version": version}
            )
        logger.info("refit done: %s is active", version)
