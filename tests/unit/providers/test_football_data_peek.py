"""peek_country: which country a season file's teams belong to, without parsing it."""

from __future__ import annotations

from pathlib import Path

from scoreline.providers.football_data import peek_country, read_season_file

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "football-data"


def test_the_country_is_the_one_the_parsed_file_gives() -> None:
    for path in sorted(SAMPLE.glob("*/2022-2023.csv")):
        assert peek_country(path) == read_season_file(path).competition.country


def test_div_is_read_before_the_folder_name(tmp_path: Path) -> None:
    folder = tmp_path / "E0"
    folder.mkdir()
    path = folder / "2022-2023.csv"
    path.write_text("\ufeffDiv,Date,HomeTeam\nSP1,13/08/2022,Almeria\n", encoding="utf-8")
    assert peek_country(path) == "Spain"


def test_without_div_the_folder_or_file_name_places_it(tmp_path: Path) -> None:
    (tmp_path / "D1").mkdir()
    by_folder = tmp_path / "D1" / "2022-2023.csv"
    by_folder.write_text("Date,HomeTeam\n05/08/2022,Frankfurt\n", encoding="utf-8")
    by_name = tmp_path / "I1.csv"
    by_name.write_text("Div,Date\n,13/08/2022\n", encoding="utf-8")
    assert (peek_country(by_folder), peek_country(by_name)) == ("Germany", "Italy")


def test_a_file_nothing_places_gives_none(tmp_path: Path) -> None:
    unknown = tmp_path / "league.csv"
    unknown.write_text("Div,Date\nXX,13/08/2022\n", encoding="utf-8")
    unreadable = tmp_path / "binary.csv"
    unreadable.write_bytes(b"\xff\xfe\x00bad")
    assert (peek_country(unknown), peek_country(unreadable), peek_country(tmp_path / "no")) == (
        None,
        None,
        None,
    )
