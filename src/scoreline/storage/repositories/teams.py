"""Teams and the names providers give them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from scoreline.domain import Team
from scoreline.storage.tables import TeamAliasRow, TeamRow

__all__ = ["resolve_aliases", "upsert_many"]


def upsert_many(session: Session, *, teams: Iterable[Team], provider: str) -> dict[Team, int]:
    """Ids of ``teams``, adding unknown ones with ``provider``'s name as their alias.

    A team already known through an alias of ``provider`` keeps its id, so a
    renamed team can be pointed at its old record by adding an alias.
    """
    wanted = set(teams)
    ids = resolve_aliases(session, provider=provider, teams=wanted)
    missing = wanted - ids.keys()
    if missing:
        rows = session.execute(
            select(TeamRow.name, TeamRow.country, TeamRow.id).where(
                tuple_(TeamRow.name, TeamRow.country).in_([(t.name, t.country) for t in missing])
            )
        )
        existing = {(name, country): team_id for name, country, team_id in rows}
        for team in sorted(missing, key=lambda t: (t.country, t.name)):
            team_id = existing.get((team.name, team.country))
            if team_id is None:
                team_id = session.scalars(
                    insert(TeamRow)
                    .values(name=team.name, country=team.country)
                    .returning(TeamRow.id)
                ).one()
            session.execute(
                insert(TeamAliasRow).values(
                    provider=provider, country=team.country, alias=team.name, team_id=team_id
                )
            )
            ids[team] = team_id
    return ids


def resolve_aliases(session: Session, *, provider: str, teams: Iterable[Team]) -> dict[Team, int]:
    """Ids of the teams ``provider`` names this way; unknown names are left out."""
    by_key = {(t.country, t.name): t for t in teams}
    if not by_key:
        return {}
    rows = session.execute(
        select(TeamAliasRow.country, TeamAliasRow.alias, TeamAliasRow.team_id).where(
            TeamAliasRow.provider == provider,
            tuple_(TeamAliasRow.country, TeamAliasRow.alias).in_(list(by_key)),
        )
    )
    return {by_key[(country, alias)]: team_id for country, alias, team_id in rows}
