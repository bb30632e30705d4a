"""Bets by id: a bet's own page with its audit snapshots, and voiding one of the caller's
open bets.

A portfolio's bets are listed and placed under ``/portfolios/{id}/bets``
(``routes.portfolios``); here a bet is reached by its own id, through its owner.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from scoreline.api.routes.common import ERRORS, Reader, State, Trader, errors
from scoreline.api.schemas.bet_history import BetPageRead
from scoreline.api.schemas.common import MAX_BIG_ID
from scoreline.services import bet_history, bets

router = APIRouter(prefix="/bets", tags=["bets"], responses=ERRORS)

BetId = Annotated[int, Path(ge=1, le=MAX_BIG_ID)]


@router.get("/{bet_id}", response_model=BetPageRead)
def get_bet(bet_id: BetId, state: State, principal: Reader) -> BetPageRead:
    """One of the caller's bets as its history shows it, with its audit snapshots (placed,
    then settled or voided): the hashed payloads and the chain's hashes. 404 for anyone
    else's."""
    return BetPageRead.of(
        bet_history.bet_page(state.unit_of_work, owner_id=principal.user_id, bet_id=bet_id)
    )


@router.post("/{bet_id}/void", status_code=204, responses=errors(409))
def void_bet(bet_id: BetId, state: State, principal: Trader) -> Response:
    """Cancel an open bet and refund the stake, until its fixture kicks off (then 409)."""
    bets.void(
        state.unit_of_work, owner_id=principal.user_id, bet_id=bet_id, reason="voided by owner"
    )
    return Response(status_code=204)
