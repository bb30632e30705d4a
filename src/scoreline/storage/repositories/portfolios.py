"""Portfolios, always found through their owner."""

from __future__ import annotations

from sqlalchemy.orm import Session

__all__ = ["PortfolioRepository"]


class PortfolioRepository:
    """Portfolios, always found through their owner."""

    def __init__(self, session: Session) -> None:
        self.session = session
