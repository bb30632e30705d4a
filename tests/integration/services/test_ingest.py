"""Loading football-data.co.uk files: idempotent, per-file transactions, every bad row reported."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scoreline.providers.football_data import read_season_file
from scoreline.services import ingest as ingest_service
from scoreline.storage.db import UnitOfWork
from scoreline.storage.repositories import odds as odds_repo
from scoreline.storage.repositories import source_files as source_file_repo
from scoreline.storage.tables import FixtureRow, OddsRow, ResultRow, TeamRow

SAMPLE = Path(__file__).resolve().parents[2].parent / "data" / "sample" / "football-data"
E0_2223 = SAMPLE / "E0" / "2022-2023.csv"
SP1_2223 = SAMPLE / "SP1" / "2022-2023.csv"

UowFactory = Callable[[], UnitOfWork]


def _counts(unit_of_work: UowFactory) -> tuple[int, int, int]:
    with unit_of_work() as uow:
        session = uow.session
        return (
            session.scalar(select(func.count()).select_from(FixtureRow)) or 0,
            session.scalar(select(func.count()).select_from(ResultRow)) or 0,
            odds_repo.count(session),
        )


def test_loads_every_match_and_price_of_a_file(unit_of_work: UowFactory) -> None:
    parsed = read_season_file(E0_2223)
    report = ingest_service.ingest_football_data(unit_of_work, [E0_2223])
    assert [f.status for f in report.files] == ["loaded"]
    expected_prices = sum(len(row.odds) for row in parsed.rows)
    assert _counts(unit_of_work) == (380, 380, expected_prices)
    assert report.odds_written == expected_prices
    with unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(TeamRow)) == 20


def test_loading_the_same_file_twice_changes_nothing(unit_of_work: UowFactory) -> None:
    ingest_service.ingest_football_data(unit_of_work, [E0_2223])
    before = _counts(unit_of_work)
    again = ingest_service.ingest_football_data(unit_of_work, [E0_2223])
    assert [f.status for f in again.files] == ["unchanged"]
    forced = ingest_service.ingest_football_data(unit_of_work, [E0_2223], force=True)
    outcome = forced.files[0]
    assert (outcome.fixtures_inserted, outcome.fixtures_updated) == (0, 0)
    assert (outcome.odds_inserted, outcome.odds_updated, outcome.odds_deleted) == (0, 0, 0)
    assert _counts(unit_of_work) == before


def _corrected_copy(source: Path, target: Path) -> tuple[str, str]:
    """Copy ``source`` changing the first match's home goals and its Pinnacle home price."""
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    goals, price = header.index("FTHG"), header.index("PSH")
    cells[goals] = str(int(cells[goals]) + 1)
    new_price = f"{float(cells[price]) + 0.07:.2f}"
    cells[price] = new_price
    lines[1] = ",".join(cells)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cells[header.index("HomeTeam")], new_price


def test_a_corrected_file_updates_only_the_changed_rows(
    unit_of_work: UowFactory, tmp_path: Path
) -> None:
    ingest_service.ingest_football_data(unit_of_work, [E0_2223])
    before = _counts(unit_of_work)
    with unit_of_work() as uow:
        ids_before = set(uow.session.scalars(select(OddsRow.id)))
    corrected = tmp_path / "E0" / "2022-2023.csv"
    home_team, new_price = _corrected_copy(E0_2223, corrected)
    report = ingest_service.ingest_football_data(unit_of_work, [corrected])
    outcome = report.files[0]
    assert outcome.status == "loaded"
    assert (outcome.fixtures_inserted, outcome.fixtures_updated) == (0, 1)
    assert (outcome.odds_inserted, outcome.odds_updated, outcome.odds_deleted) == (0, 1, 0)
    assert _counts(unit_of_work) == before
    with unit_of_work() as uow:
        assert set(uow.session.scalars(select(OddsRow.id))) == ids_before
        prices = {
            str(price)
            for price in uow.session.scalars(
                select(OddsRow.home)
                .join(FixtureRow, FixtureRow.id == OddsRow.fixture_id)
                .join(TeamRow, TeamRow.id == FixtureRow.home_team_id)
                .where(TeamRow.name == home_team, OddsRow.market == "1x2")
            )
        }
    assert f"{new_price}00" in prices


def test_an_unreadable_file_is_rejected_whole_and_loses_nothing(
    unit_of_work: UowFactory, tmp_path: Path
) -> None:
    ingest_service.ingest_football_data(unit_of_work, [E0_2223])
    before = _counts(unit_of_work)
    broken = tmp_path / "SP1" / "2022-2023.csv"
    broken.parent.mkdir()
    data = SP1_2223.read_bytes()
    broken.write_bytes(data[:5000] + b"\xff\xfe\x00garbage" + data[5000:])
    report = ingest_service.ingest_football_data(unit_of_work, [broken])
    assert [f.status for f in report.files] == ["rejected"]
    assert "2022-2023.csv" in (report.files[0].error or "")
    assert _counts(unit_of_work) == before


def test_a_failure_mid_file_rolls_the_whole_file_back(
    unit_of_work: UowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_service.ingest_football_data(unit_of_work, [E0_2223])
    before = _counts(unit_of_work)

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(odds_repo, "sync_for_fixtures", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_service.ingest_football_data(unit_of_work, [SP1_2223])
    assert _counts(unit_of_work) == before
    with unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(FixtureRow)) == 380


def test_bad_rows_are_skipped_and_recorded_with_file_and_line(
    unit_of_work: UowFactory, tmp_path: Path
) -> None:
    target = tmp_path / "E0" / "2022-2023.csv"
    target.parent.mkdir()
    lines = E0_2223.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = lines[5].split(",")
    cells[header.index("FTAG")] = "x"
    lines[5] = ",".join(cells)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest_service.ingest_football_data(unit_of_work, [target])
    assert report.files[0].status == "loaded"
    assert report.matches == 379
    assert len(report.problems) == 1
    assert "line 6" in report.problems[0]
    with unit_of_work() as uow:
        recorded = source_file_repo.list_problems(uow.session)
    assert [(line, "FTAG" in reason) for _, line, reason in recorded] == [(6, True)]


def test_folders_are_searched_recursively(unit_of_work: UowFactory, tmp_path: Path) -> None:
    for source in (E0_2223, SP1_2223):
        target = tmp_path / "tree" / source.parent.name / source.name
        target.parent.mkdir(parents=True)
        shutil.copy(source, target)
    report = ingest_service.ingest_football_data(unit_of_work, [tmp_path / "tree"])
    assert sorted(f.path.parent.name for f in report.files) == ["E0", "SP1"]
    assert _counts(unit_of_work)[0] == 760
