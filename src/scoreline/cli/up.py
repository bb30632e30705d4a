"""``scoreline up``: the whole platform for a newcomer, on the embedded defaults.

1. a fresh SQLite database under ``var/demo`` (unless ``SCORELINE_DATABASE_URL``
   names another, or ``--keep``), the bundled sample loaded up to a cut-off
   three weeks before it ends;
2. Dixon-Coles fitted on everything before the cut-off and made active;
3. two users with fresh random passwords (an admin and a trader, printed) and
   the trader's portfolio with a demo bankroll;
4. the last three weeks replayed as a live feed *on the wall clock*
   (``providers.replay_clock``): their matches kick off over the coming
   minutes, so the live board fills with upcoming fixtures, prices move,
   predictions follow, results settle bets;
5. API, dashboard, Socket.IO, ML worker and ingestion in this one process, at
   http://127.0.0.1:8000.

Only Dixon-Coles serves here: the ensemble's features count days between
matches, and three years of history moved onto today's calendar would feed it
gaps it never saw. ``scoreline demo`` shows the ensemble on the same sample.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from scoreline.api.passwords import hash_password
from scoreline.cli.console import console, handle_errors, progress_bar
from scoreline.cli.demo import latest_kickoff
from scoreline.cli.serve import run_platform
from scoreline.config import Settings, get_settings
from scoreline.errors import ConfigError
from scoreline.providers.replay import replay_events
from scoreline.providers.replay_clock import onto_clock
from scoreline.services import book
from scoreline.services import ingest as ingest_service
from scoreline.services.fitting import fit_dixon_coles
from scoreline.storage import db as storage_db
from scoreline.storage.tables import PortfolioRow, UserRow
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = ["up"]

DEMO_DIR = Path("var/demo")
ADMIN, TRADER = "admin@scoreline.local", "trader@scoreline.local"
BANKROLL_MINOR = 1_000_000  # 10,000.00 EUR


@handle_errors
def up(
    *,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    days: Annotated[float, typer.Option(help="Days at the end of the sample to replay.")] = 21.0,
    speed: Annotated[
        float, typer.Option(help="Simulated seconds per real second of the replay.")
    ] = 300.0,
    max_idle: Annotated[
        float,
        typer.Option(help="Longest real wait between replayed moments, in seconds."),
    ] = 60.0,
    keep: Annotated[
        bool, typer.Option(help="Keep the demo database of an earlier run (default: start afresh).")
    ] = False,
    data: Annotated[
        Path | None, typer.Option(help="Folder of season files; default the bundled sample.")
    ] = None,
) -> None:
    """Everything on the embedded defaults: data, model, users, a live replay, the dashboard."""
    settings = _demo_settings(get_settings(), keep=keep)
    engine = storage_db.make_engine(settings.database_url)
    storage_db.upgrade(engine)
    unit_of_work = storage_db.unit_of_work_factory(engine)
    folder = data or settings.sample_data_dir
    if not folder.exists():
        raise ConfigError(f"sample data folder {folder} not found; pass --data FOLDER")
    latest = latest_kickoff(folder)
    cut = datetime.combine((latest - timedelta(days=days)).date(), time(), UTC)
    with progress_bar("loading sample data") as advance:
        report = ingest_service.ingest_football_data(
            unit_of_work, [folder], before=cut, progress=advance
        )
    console.print(f"loaded {report.matches:,} matches before {cut:%Y-%m-%d}")
    with console.status("fitting Dixon-Coles"):
        fitted = fit_dixon_coles(
            unit_of_work, artifacts_dir=settings.data_dir / "models", as_of=cut
        )
    console.print(
        f"fitted and activated dixon-coles {fitted.version} on {fitted.matches:,} matches"
    )
    passwords = {email: _reset_user(unit_of_work, email, role) for email, role in _USERS}
    _demo_portfolio(unit_of_work, TRADER)
    history = replay_events([folder], start=cut.date(), end=latest.date())
    events = onto_clock(
        history,
        origin=datetime.now(UTC) + timedelta(seconds=4),
        speed=speed,
        max_idle_seconds=max_idle,
    )
    kickoffs = sorted(e.payload["kickoff"] for e in events if e.payload["type"] == "odds")
    console.print(
        f"replaying {cut:%d %b %Y} to {latest:%d %b %Y} on today's clock at x{speed:g}: "
        f"{len(events):,} events; first kick-off {kickoffs[0][11:19] if kickoffs else '-'} UTC"
    )
    console.print(f"sign in at http://{host}:{port} as")
    for email, password in passwords.items():
        console.print(f"  {email}  password: {password}")
    run_platform(
        settings,
        unit_of_work,
        events=events,
        speed=1.0,
        host=host,
        port=port,
        max_idle_seconds=None,
    )


_USERS = ((ADMIN, "admin"), (TRADER, "trader"))


def _demo_settings(settings: Settings, *, keep: bool) -> Settings:
    """The demo's own database and data folder, unless the environment names others."""
    if "SCORELINE_DATABASE_URL" in os.environ:
        return settings
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    database = DEMO_DIR / "scoreline.db"
    if not keep:
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
    return settings.model_copy(
        update={"database_url": f"sqlite:///{database}", "data_dir": DEMO_DIR / "data"}
    )


def _reset_user(unit_of_work: Callable[[], UnitOfWork], email: str, role: str) -> str:
    """Create the demo user, or give it a new password; the password, to print."""
    password = secrets.token_urlsafe(12)
    digest = hash_password(password)
    with unit_of_work() as uow:
        user = uow.session.scalar(select(UserRow).where(UserRow.email == email))
        if user is None:
            uow.session.add(
                UserRow(
                    email=email,
                    password_hash=digest,
                    role=role,
                    is_active=True,
                    created_at=datetime.now(UTC),
                )
            )
        else:
            user.password_hash, user.is_active = digest, True
        uow.commit()
    return password


def _demo_portfolio(unit_of_work: Callable[[], UnitOfWork], email: str) -> None:
    """The trader's "Demo book" with a bankroll, made once."""
    with unit_of_work() as uow:
        owner = uow.session.scalar(select(UserRow.id).where(UserRow.email == email))
        exists = uow.session.scalar(select(PortfolioRow.id).where(PortfolioRow.owner_id == owner))
    if exists is not None or owner is None:
        return
    portfolio = book.create_portfolio(unit_of_work, owner_id=owner, name="Demo book")
    book.deposit(unit_of_work, owner_id=owner, portfolio_id=portfolio, amount_minor=BANKROLL_MINOR)
