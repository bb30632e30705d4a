"""Loading football-data.co.uk files: idempotent, per-file transactions, every bad row reported."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from scoreline.providers.football_data import read_season_file
from scoreline.services import ingest as ingest_service
from scoreline.storage.repositories import odds as odds_repo
from scoreline.storage.tables import (
    Base,
    Bookmaker,
    CompetitionRow,
    FixtureRow,
    ModelVersion,
    OddsRow,
    PredictionRow,
    ResultRow,
    SeasonRow,
    SourceFile,
    TeamRow,
)
from scoreline.storage.unit_of_work import UnitOfWork

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
            uow.odds.count(),
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

    monkeypatch.setattr(odds_repo.OddsRepository, "sync_for_fixtures", fail)
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
        recorded = uow.source_files.list_problems()
    assert [(line, "FTAG" in reason) for _, line, reason in recorded] == [(6, True)]


def test_folders_are_searched_recursively(unit_of_work: UowFactory, tmp_path: Path) -> None:
    for source in (E0_2223, SP1_2223):
        target = tmp_path / "tree" / source.parent.name / source.name
        target.parent.mkdir(parents=True)
        shutil.copy(source, target)
    report = ingest_service.ingest_football_data(unit_of_work, [tmp_path / "tree"])
    assert sorted(f.path.parent.name for f in report.files) == ["E0", "SP1"]
    assert _counts(unit_of_work)[0] == 760


def _blank_first_match(source: Path, target: Path, columns: tuple[str, ...]) -> tuple[str, str]:
    """Copy ``source`` with the first match's ``columns`` emptied; its home and away teams."""
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    for column in columns:
        cells[header.index(column)] = ""
    lines[1] = ",".join(cells)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cells[header.index("HomeTeam")], cells[header.index("AwayTeam")]


def _first_fixture(unit_of_work: UowFactory, home: str, away: str) -> int:
    with unit_of_work() as uow:
        home_team = aliased(TeamRow)
        away_team = aliased(TeamRow)
        fixture_id = uow.session.scalar(
            select(FixtureRow.id)
            .join(home_team, home_team.id == FixtureRow.home_team_id)
            .join(away_team, away_team.id == FixtureRow.away_team_id)
            .where(home_team.name == home, away_team.name == away)
        )
    assert fixture_id is not None
    return int(fixture_id)


def test_a_reload_never_removes_or_rewrites_live_or_referenced_prices(
    unit_of_work: UowFactory, tmp_path: Path
) -> None:
    ingest_service.ingest_football_data(unit_of_work, [E0_2223])
    corrected = tmp_path / "E0" / "2022-2023.csv"
    pinnacle = ("PSH", "PSD", "PSA")
    home, away = _blank_first_match(E0_2223, corrected, pinnacle)
    fixture_id = _first_fixture(unit_of_work, home, away)
    with unit_of_work() as uow:
        session = uow.session
        file_rows = session.scalars(
            select(OddsRow).where(OddsRow.fixture_id == fixture_id, OddsRow.market == "1x2")
        ).all()
        assert {r.source for r in file_rows} == {"file"}
        pinnacle_row = session.scalars(
            select(OddsRow)
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .where(
                OddsRow.fixture_id == fixture_id,
                OddsRow.market == "1x2",
                OddsRow.kind == "prematch",
                Bookmaker.code == "PS",
            )
        ).one()
        pinnacle_id = pinnacle_row.id
        # A live tick of the same bookmaker and market, taken later.
        live = OddsRow(
            fixture_id=fixture_id,
            bookmaker_id=pinnacle_row.bookmaker_id,
            market="1x2",
            line_quarters=0,
            kind="prematch",
            captured_at=pinnacle_row.captured_at + timedelta(hours=1),
            home=Decimal("2.10"),
            draw=Decimal("3.30"),
            away=Decimal("3.60"),
            source="live",
        )
        session.add(live)
        session.flush()
        live_id = live.id
        # A prediction that names the file's Pinnacle row as its trigger.
        version = ModelVersion(
            name="dixon-coles",
            version="t1",
            created_at=datetime.now(UTC),
            params={},
            metrics={},
            is_active=False,
        )
        session.add(version)
        session.flush()
        session.add(
            PredictionRow(
                fixture_id=fixture_id,
                model_version_id=version.id,
                trigger="test",
                created_at=datetime.now(UTC),
                home_goals_expectation=1.4,
                away_goals_expectation=1.1,
                rho=-0.05,
                p_home=0.45,
                p_draw=0.27,
                p_away=0.28,
                odds_snapshot_id=pinnacle_id,
            )
        )
        uow.commit()

    report = ingest_service.ingest_football_data(unit_of_work, [corrected])
    outcome = report.files[0]
    assert outcome.status == "loaded", outcome.error
    # The file no longer has Pinnacle's prices, but a prediction names that row; the
    # live tick is not the file's to remove either. Nothing else changed.
    assert (outcome.odds_deleted, outcome.odds_updated, outcome.odds_inserted) == (0, 0, 0)
    assert outcome.odds_kept == 6
    with unit_of_work() as uow:
        kept = {
            r.id: r
            for r in uow.session.scalars(
                select(OddsRow).where(OddsRow.id.in_([pinnacle_id, live_id]))
            )
        }
        assert set(kept) == {pinnacle_id, live_id}
        assert kept[live_id].home == Decimal("2.10")
        assert kept[live_id].source == "live"


def test_a_reload_without_a_result_keeps_the_stored_one(
    unit_of_work: UowFactory, tmp_path: Path
) -> None:
    ingest_service.ingest_football_data(unit_of_work, [E0_2223])
    corrected = tmp_path / "E0" / "2022-2023.csv"
    home, away = _blank_first_match(
        E0_2223, corrected, ("FTHG", "FTAG", "FTR", "HTHG", "HTAG", "HTR")
    )
    fixture_id = _first_fixture(unit_of_work, home, away)
    before = _counts(unit_of_work)
    report = ingest_service.ingest_football_data(unit_of_work, [corrected])
    assert report.files[0].status == "loaded", report.files[0].error
    assert _counts(unit_of_work) == before
    with unit_of_work() as uow:
        assert uow.session.get(ResultRow, fixture_id) is not None
        fixture = uow.session.get(FixtureRow, fixture_id)
        assert fixture is not None
        assert fixture.status == "finished"


def test_results_after_the_clock_are_refused_until_kick_off_then_loaded(
    unit_of_work: UowFactory,
) -> None:
    # 2022-2023 as seen on 1 January 2023: the scores of the spring are not known yet.
    new_year = datetime(2023, 1, 1, tzinfo=UTC)
    parsed = read_season_file(E0_2223)
    played = sum(row.fixture.kickoff_utc <= new_year for row in parsed.rows)
    early = ingest_service.ingest_football_data(unit_of_work, [E0_2223], clock=lambda: new_year)
    (outcome,) = early.files
    assert (outcome.status, outcome.matches) == ("loaded", 380)
    refused = [p for p in outcome.problems if "result refused" in p]
    assert len(refused) == 380 - played
    assert "no result before kick-off; result refused, fixture and prices kept" in refused[0]
    assert _counts(unit_of_work) == (380, played, sum(len(row.odds) for row in parsed.rows))
    with unit_of_work() as uow:
        statuses = uow.session.execute(
            select(FixtureRow.status, func.count()).group_by(FixtureRow.status)
        ).all()
        # Listed as a partial load (the admin status shows it), without its hash.
        assert uow.source_files.sha256_of(provider="football-data", season_id=1) == "partial"
        (listed,) = uow.source_files.list_recent(limit=5)
        assert (listed.path, listed.rows, listed.partial) == (str(E0_2223), 380, True)
    assert dict(statuses) == {"finished": played, "scheduled": 380 - played}
    # Loaded again once the season is over: the same file is read again and completes it.
    later = ingest_service.ingest_football_data(unit_of_work, [E0_2223])
    assert (later.files[0].status, later.files[0].problems) == ("loaded", [])
    assert _counts(unit_of_work)[:2] == (380, 380)
    with unit_of_work() as uow:
        assert [f.partial for f in uow.source_files.list_recent(limit=5)] == [False]


def test_bulk_written_rows_read_back_as_the_file_says(unit_of_work: UowFactory) -> None:
    parsed = read_season_file(E0_2223)
    ingest_service.ingest_football_data(unit_of_work, [E0_2223])
    first = parsed.rows[0]
    with unit_of_work() as uow:
        home = aliased(TeamRow)
        fixture_id, kickoff = uow.session.execute(
            select(FixtureRow.id, FixtureRow.kickoff_utc)
            .join(home, home.id == FixtureRow.home_team_id)
            .where(
                home.name == first.fixture.home_team,
                FixtureRow.match_date == first.fixture.match_date,
            )
        ).one()
        result = uow.session.execute(
            select(ResultRow.home_goals, ResultRow.away_goals, ResultRow.home_shots).where(
                ResultRow.fixture_id == fixture_id
            )
        ).one()
        stored = {
            (r.bookmaker, r.market, r.line and Decimal(r.line), r.kind, r.captured_at, name): price
            for r in uow.odds.latest(fixture_id)  # a file has one instant per kind
            for name, price in r.prices.items()
        }
    assert kickoff == first.fixture.kickoff_utc
    assert first.fixture.result is not None
    assert tuple(result) == (
        first.fixture.result.home_goals,
        first.fixture.result.away_goals,
        first.fixture.result.stats.home_shots,
    )
    assert stored == {
        (
            q.bookmaker,
            q.market.value,
            q.line,
            q.kind.value,
            q.captured_at,
            q.selection.value,
        ): q.price
        for q in first.odds
    }


# -- loading in processes -------------------------------------------------------------------

ACROSS_COUNTRIES = [
    E0_2223,
    SP1_2223,
    SAMPLE / "D1" / "2022-2023.csv",
    SAMPLE / "E0" / "2021-2022.csv",
]


def _written(unit_of_work: UowFactory) -> dict[str, set[tuple[object, ...]]]:
    """Every row a load writes, by natural key: ids depend on the order rows were written."""
    home, away = aliased(TeamRow), aliased(TeamRow)
    fixture = (FixtureRow.match_date, home.name, away.name)
    with unit_of_work() as uow:
        session = uow.session
        joined = select(*fixture).join(home, FixtureRow.home_team_id == home.id)
        joined = joined.join(away, FixtureRow.away_team_id == away.id)
        return {
            "teams": set(session.execute(select(TeamRow.name, TeamRow.country))),
            "bookmakers": set(session.execute(select(Bookmaker.code, Bookmaker.name))),
            "competitions": set(
                session.execute(select(CompetitionRow.code, SeasonRow.label).join(SeasonRow))
            ),
            "fixtures": set(
                session.execute(
                    joined.add_columns(
                        FixtureRow.kickoff_utc, FixtureRow.status, FixtureRow.referee
                    )
                )
            ),
            "results": set(
                session.execute(
                    joined.join(ResultRow).add_columns(
                        ResultRow.home_goals, ResultRow.away_goals, ResultRow.home_shots
                    )
                )
            ),
            "prices": set(
                session.execute(
                    joined.join(OddsRow, OddsRow.fixture_id == FixtureRow.id)
                    .join(Bookmaker, OddsRow.bookmaker_id == Bookmaker.id)
                    .add_columns(
                        Bookmaker.code,
                        OddsRow.market,
                        OddsRow.line_quarters,
                        OddsRow.kind,
                        OddsRow.captured_at,
                        OddsRow.home,
                        OddsRow.draw,
                        OddsRow.away,
                        OddsRow.over,
                        OddsRow.under,
                        OddsRow.source,
                    )
                )
            ),
            "files": set(session.execute(select(SourceFile.path, SourceFile.sha256))),
        }


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def test_a_load_in_processes_writes_what_a_serial_load_writes(
    engine: Engine, unit_of_work: UowFactory
) -> None:
    """Four files of three countries: on PostgreSQL two processes load them side by side
    (SQLite loads serially whatever is asked); the rows are the serial load's, and
    loading them again in processes adds nothing."""
    serial = ingest_service.ingest_football_data(unit_of_work, ACROSS_COUNTRIES)
    expected = _written(unit_of_work)
    _empty(engine)

    parallel = ingest_service.ingest_football_data(unit_of_work, ACROSS_COUNTRIES, workers=2)

    assert [f.path for f in parallel.files] == [f.path for f in serial.files]
    assert [f.status for f in parallel.files] == ["loaded"] * 4
    assert parallel.matches == serial.matches
    assert parallel.odds_written == serial.odds_written
    assert parallel.problems == serial.problems
    written = _written(unit_of_work)
    assert {name: len(rows) for name, rows in written.items()} == {
        name: len(rows) for name, rows in expected.items()
    }
    assert written == expected
    again = ingest_service.ingest_football_data(unit_of_work, ACROSS_COUNTRIES, workers=2)
    assert [f.status for f in again.files] == ["unchanged"] * 4
    assert _written(unit_of_work) == expected


def test_a_forced_reload_in_processes_changes_nothing(unit_of_work: UowFactory) -> None:
    ingest_service.ingest_football_data(unit_of_work, ACROSS_COUNTRIES, workers=2)
    before = _written(unit_of_work)
    seen: list[int] = []
    forced = ingest_service.ingest_football_data(
        unit_of_work,
        ACROSS_COUNTRIES,
        workers=2,
        force=True,
        progress=lambda _path, done, _total: seen.append(done),
    )
    assert [f.status for f in forced.files] == ["loaded"] * 4
    assert forced.odds_written == 0
    assert sorted(seen) == [1, 2, 3, 4]
    assert _written(unit_of_work) == before
