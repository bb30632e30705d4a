"""``scoreline fit``: fit Dixon-Coles on stored results."""

from __future__ import annotations

from typing import Annotated

import typer

from scoreline.cli._errors import handle_errors
from scoreline.cli._options import AsOfOption, CompetitionOption, parse_as_of, split_codes


@handle_errors
def fit(
    competition: CompetitionOption = None,
    as_of: AsOfOption = None,
    xi: Annotated[
        float, typer.Option(help="Time decay per day; 0 weighs all matches alike.")
    ] = 0.0018,
) -> None:
    """Fit Dixon-Coles on finished matches before --as-of and make it the active model."""
    from scoreline.cli.console import console
    from scoreline.platform import Platform
    from scoreline.services import fitting

    platform = Platform().require_schema()
    with console.status("fitting Dixon-Coles"):
        summary = fitting.fit_dixon_coles(
            platform.unit_of_work,
            artifacts_dir=platform.artifacts_dir,
            competitions=split_codes(competition),
            as_of=parse_as_of(as_of),
            xi=xi,
        )
    state = "converged" if summary.converged else "[yellow]did not converge[/]"
    console.print(
        f"dixon-coles {summary.version}: {summary.matches:,} matches, {summary.teams} teams, "
        f"log-likelihood {summary.log_likelihood:,.3f}, {state}, {summary.seconds:.2f}s"
    )
