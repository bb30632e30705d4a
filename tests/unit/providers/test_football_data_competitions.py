"""The football-data.co.uk division codes Scoreline knows."""

from __future__ import annotations

import pytest

from scoreline.domain.competitions import Competition
from scoreline.errors import DataError
from scoreline.providers.football_data import COMPETITIONS, get_competition

SHARED = [
    "E0",
    "E1",
    "E2",
    "E3",
    "SC0",
    "SP1",
    "SP2",
    "D1",
    "D2",
    "I1",
    "I2",
    "F1",
    "F2",
    "N1",
    "B1",
    "P1",
    "T1",
    "G1",
]


def test_the_shared_leagues_and_the_other_uk_divisions_are_known() -> None:
    assert set(COMPETITIONS) == {*SHARED, "EC", "SC1", "SC2", "SC3"}


@pytest.mark.parametrize(
    ("code", "competition"),
    [
        ("E0", Competition("E0", "Premier League", "England")),
        ("SC0", Competition("SC0", "Premiership", "Scotland")),
        ("B1", Competition("B1", "First Division A", "Belgium")),
        ("T1", Competition("T1", "Super Lig", "Turkey")),
    ],
)
def test_codes_name_league_and_country(code: str, competition: Competition) -> None:
    assert get_competition(code) == competition


def test_an_extra_league_is_not_known() -> None:
    with pytest.raises(DataError, match="unknown football-data division code 'ARG'; known codes"):
        get_competition("ARG")
