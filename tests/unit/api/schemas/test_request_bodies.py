"""Every request body is a strict ``RequestBody``: no booleans, floats or text as numbers,
and no control characters in text but a password's."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from scoreline.api.routes import ROUTERS
from scoreline.api.schemas.bets import BetCreate
from scoreline.api.schemas.common import RequestBody, control_character
from scoreline.api.schemas.keys import ApiKeyCreate
from scoreline.api.schemas.portfolios import PortfolioCreate
from scoreline.api.schemas.users import UserCreate, UserUpdate


def _bodies() -> list[tuple[str, type[BaseModel]]]:
    found = []
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.body_field is not None:
                model = route.body_field.field_info.annotation
                assert isinstance(model, type)
                found.append((f"{sorted(route.methods or ())} {route.path}", model))
    return found


def test_there_are_request_bodies_to_check() -> None:
    assert len(_bodies()) >= 10


@pytest.mark.parametrize(("route", "model"), _bodies(), ids=[r for r, _ in _bodies()])
def test_every_request_body_is_a_request_body(route: str, model: type[BaseModel]) -> None:
    assert issubclass(model, RequestBody), f"{route} takes {model.__name__}"


BET = {"odds_snapshot_id": 7, "selection": "home", "stake_minor": 100}


@pytest.mark.parametrize("stake", [True, False, 1.0, "1", 1.5])
def test_a_stake_must_be_a_json_integer(stake: object) -> None:
    with pytest.raises(ValidationError) as refused:
        BetCreate.model_validate({**BET, "stake_minor": stake})
    assert refused.value.errors()[0]["loc"] == ("stake_minor",)


def test_a_valid_bet_is_taken_as_sent() -> None:
    assert BetCreate.model_validate(BET).stake_minor == 100


def test_decimals_and_enums_still_parse_from_json_text() -> None:
    made = PortfolioCreate.model_validate({"name": "main", "kelly_fraction": "0.5"})
    assert str(made.model_dump()["kelly_fraction"]) == "0.5"
    assert (
        UserCreate.model_validate(
            {"email": "a@example.com", "password": "p" * 12, "role": "viewer"}
        ).role.value
        == "viewer"
    )
    assert [
        s.value for s in ApiKeyCreate.model_validate({"name": "k", "scopes": ["read"]}).scopes
    ] == ["read"]


def test_a_boolean_field_takes_no_integer() -> None:
    with pytest.raises(ValidationError):
        UserUpdate.model_validate({"is_active": 1})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (ApiKeyCreate, {"name": "bot\x00"}),
        (ApiKeyCreate, {"name": "bot\ttwo"}),
        (PortfolioCreate, {"name": "line\nbreak"}),
    ],
)
def test_text_holds_no_control_character(body: type[RequestBody], field: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        body.model_validate(field)
    (error,) = refused.value.errors()
    assert error["type"] == "control_character"
    assert error["loc"] == ("name",)


def test_a_password_is_the_one_field_that_takes_any_character() -> None:
    made = UserCreate.model_validate({"email": "a@example.com", "password": "tab\there\x00!!!!"})
    assert made.password.startswith("tab\t")


@pytest.mark.parametrize(
    ("text", "found"), [("fine", None), ("a\x00", "U+0000"), ("\x7f", "U+007F"), ("é ✓", None)]
)
def test_control_character_names_the_first_one(text: str, found: str | None) -> None:
    assert control_character(text) == found
