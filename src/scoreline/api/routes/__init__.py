"""The REST routers, one per resource, in the order they are matched.

Each module holds one ``router`` with its prefix and tags; ``api.app`` includes
them under ``/api/v1`` in this order (the hot catalog reads first).
"""

from __future__ import annotations

from fastapi import APIRouter

from scoreline.api.routes import (
    admin,
    alerts,
    auth,
    bet_history,
    bets,
    board,
    bookmaker_accounts,
    competitions,
    dead_letters,
    fixtures,
    keys,
    models,
    portfolios,
    predictions,
    teams,
    users,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    predictions.router,
    fixtures.router,
    competitions.router,
    teams.router,
    models.router,
    board.router,
    portfolios.router,
    bet_history.router,
    bets.router,
    bookmaker_accounts.router,
    alerts.router,
    auth.router,
    users.router,
    keys.router,
    admin.router,
    dead_letters.router,
)
