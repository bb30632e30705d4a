"""Polling The Odds API on its plan and feeding the ingestion engine.

The plan (``providers.odds_api.plan``) decides when the next odds call is worth
its credits; the free events endpoint refreshes the kick-off calendar; each
answer's ticks go through the ingestion engine like any other feed's, and the
quota headers land in the Prometheus gauges. Conversion problems (a market we
do not price, an in-play price) are logged with where they came from.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from scoreline.errors import ProviderError, QuotaExhaustedError
from scoreline.pipeline.ingestion import IngestionEngine, IngestSummary
from scoreline.providers.odds_api import (
    OddsApiClient,
    PollPlan,
    PollState,
    Quota,
    convert_odds,
    next_month_start,
)

__all__ = ["OddsPoller"]

logger = logging.getLogger(__name__)

PROVIDER = "the-odds-api"


class OddsPoller:
    """One sport's polling loop."""

    def __init__(
        self,
        client: OddsApiClient,
        engine: IngestionEngine,
        *,
        sport: str,
        plan: PollPlan | None = None,
        credits: int,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client, self.engine, self.sport = client, engine, sport
        self.plan = plan or PollPlan()
        self.now = now
        start = now()
        self.state = PollState(credits_left=credits, resets_at=next_month_start(start))
        self.kickoffs: list[datetime] = []

    def observe_quota(self, quota: Quota) -> None:
        """Export the quota headers and trust the provider's count of credits left."""
        metrics = self.engine.metrics
        if quota.remaining is not None:
            metrics.quota_remaining.labels(provider=PROVIDER).set(quota.remaining)
            self.state = PollState(
                credits_left=quota.remaining,
                resets_at=self.state.resets_at,
                last_poll=self.state.last_poll,
            )
        if quota.used is not None:
            metrics.quota_used.labels(provider=PROVIDER).set(quota.used)
        if quota.last is not None:
            metrics.quota_last.labels(provider=PROVIDER).set(quota.last)

    def refresh_calendar(self) -> None:
        """Kick-offs of the sport's upcoming events (the events endpoint costs nothing)."""
        self.kickoffs = [e.commence_time for e in self.client.events(self.sport)]

    def poll_once(self) -> IngestSummary:
        """Call the odds endpoint now and ingest what it says."""
        events = self.client.odds(self.sport)
        if self.client.last_quota is not None:
            self.observe_quota(self.client.last_quota)
        polled = self.now()
        self.state = PollState(
            credits_left=self.state.credits_left, resets_at=self.state.resets_at, last_poll=polled
        )
        conversion = convert_odds(events)
        for problem in conversion.problems:
            logger.info("odds-api: %s: %s", problem.where, problem.reason)
        summary = self.engine.submit(list(conversion.ticks))
        logger.info(
            "odds-api %s: %d ticks, %d stored, %d unchanged, %d dead-lettered",
            self.sport,
            len(conversion.ticks),
            summary.stored,
            summary.unchanged,
            summary.dead_lettered,
        )
        return summary

    def run(
        self,
        stop: threading.Event,
        *,
        calendar_every: timedelta = timedelta(hours=1),
        retry_after: timedelta = timedelta(minutes=1),
    ) -> None:
        """Poll on the plan until ``stop``.

        A provider error (a 5xx that outlasted the client's retries, a malformed
        answer) is logged and retried after ``retry_after``; an exhausted quota
        waits an hour at a time for the month's renewal. Neither ends the loop.
        """
        calendar_at = self.now() - calendar_every
        while not stop.is_set():
            now = self.now()
            try:
                if now - calendar_at >= calendar_every:
                    self.refresh_calendar()
                    calendar_at = now
                due = self.plan.next_poll(now, self.kickoffs, self.state)
                if due is None:
                    stop.wait(min(calendar_every.total_seconds(), 3600))
                    calendar_at = now - calendar_every
                    continue
                wait = (due - now).total_seconds()
                if wait > 0:
                    stop.wait(min(wait, calendar_every.total_seconds()))
                    continue
                self.poll_once()
            except QuotaExhaustedError as error:
                logger.error("odds-api %s: %s; waiting for credits", self.sport, error)
                stop.wait(3600)
            except ProviderError as error:
                logger.warning("odds-api %s: %s; retrying in %s", self.sport, error, retry_after)
                stop.wait(retry_after.total_seconds())
