"""``scoreline predict``: probabilities and fair odds for the coming fixtures."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from scoreline.cli._errors import handle_errors
from scoreline.cli._options import AsOfOption, CompetitionOption, parse_as_of, split_codes

if TYPE_CHECKING:  # imported when the command runs (see scoreline.cli)
    from scoreline.services.predicting import FixturePrediction


@handle_errors
def predict(
    competition: CompetitionOption = None,
    as_of: AsOfOption = None,
    days: Annotated[float, typer.Option(help="How many days ahead of --as-of to predict.")] = 7.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Predict the fixtures of the next --days with the active model."""
    from scoreline.platform import Platform
    from scoreline.services.predicting import predict_fixtures

    platform = Platform().require_schema()
    predictions = predict_fixtures(
        platform.unit_of_work,
        artifacts_dir=platform.artifacts_dir,
        start=parse_as_of(as_of),
        days=days,
        competitions=split_codes(competition),
    )
    if as_json:
        typer.echo(json.dumps([_as_dict(p) for p in predictions], indent=2))
    else:
        render(predictions)


def _as_dict(p: FixturePrediction) -> dict[str, object]:
    return {
        "fixture_id": p.fixture_id,
        "competition": p.competition,
        "kickoff_utc": p.kickoff_utc.isoformat(),
        "home_team": p.home_team,
        "away_team": p.away_team,
        "expected_goals": [p.home_goals_expectation, p.away_goals_expectation],
        "probabilities": {"home": p.home, "draw": p.draw, "away": p.away},
        "fair_odds": dict(zip(("home", "draw", "away"), p.fair_odds, strict=True)),
        "over_2_5": p.over_2_5,
        "btts_yes": p.btts_yes,
        "model_version": p.model_version,
        "score": None if p.home_goals is None else [p.home_goals, p.away_goals],
    }


def render(predictions: Sequence[FixturePrediction]) -> None:
    """A table of predictions; played fixtures show their score."""
    from rich import box
    from rich.table import Table

    from scoreline.cli.console import console

    if not predictions:
        console.print("no fixtures in that window")
        return
    table = Table(
        title=f"Dixon-Coles {predictions[0].model_version}", box=box.SIMPLE_HEAD, pad_edge=False
    )
    table.add_column("kick-off (UTC)")
    table.add_column("comp")
    table.add_column("match")
    for column in ("xG", "1", "X", "2", "fair 1", "fair X", "fair 2", ">2.5", "BTTS", "score"):
        table.add_column(column, justify="right")
    for p in predictions:
        fair = p.fair_odds
        table.add_row(
            f"{p.kickoff_utc:%Y-%m-%d %H:%M}",
            p.competition,
            f"{p.home_team} v {p.away_team}",
            f"{p.home_goals_expectation:.2f}-{p.away_goals_expectation:.2f}",
            f"{p.home:.1%}",
            f"{p.draw:.1%}",
            f"{p.away:.1%}",
            f"{fair[0]:.2f}",
            f"{fair[1]:.2f}",
            f"{fair[2]:.2f}",
            f"{p.over_2_5:.0%}",
            f"{p.btts_yes:.0%}",
            "" if p.home_goals is None else f"{p.home_goals}-{p.away_goals}",
        )
    console.print(table)
