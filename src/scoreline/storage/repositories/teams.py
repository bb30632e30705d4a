"""Teams and the names providers give them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from scoreline.domain import Team
from scoreline.domain.competitions import TeamRecord
from scoreline.storage.repositories._sql import count_of
from scoreline.storage.tables import TeamAliasRow, TeamRow

__all__ = ["TeamRepository"]


class TeamRepository:
    """Teams, resolved from a provider's spelling."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert_many(self, *, teams: Iterable[Team], provider: str) -> dict[Team, int]:
        """Ids of ``teams``, adding unknown ones with ``provider``'s name as their alias.

        A team already known through an alias of ``provider`` keeps its id, so a
        renamed team can be pointed at its old record by adding an alias.
        """
        wanted = set(teams)
        ids = self.resolve_aliases(provider=provider, teams=wanted)
        missing = wanted - ids.keys()
        if missing:
            rows = self.session.execute(
                select(TeamRow.name, TeamRow.country, TeamRow.id).where(
                    tuple_(TeamRow.name, TeamRow.country).in_(
                        [(t.name, t.country) for t in missing]
                    )
                )
            )
            existing = {(name, country): team_id for name, country, team_id in rows}
            for team in sorted(missing, key=lambda t: (t.country, t.name)):
                team_id = existing.get((team.name, team.country))
                if team_id is None:
                    team_id = self.session.scalars(
                        insert(TeamRow)
                        .values(name=team.name, country=team.country)
                        .returning(TeamRow.id)
                    ).one()
                self.session.execute(
                    insert(TeamAliasRow).values(
                        provider=provider, country=team.country, alias=team.name, team_id=team_id
                    )
                )
                ids[team] = team_id
        return ids

    def resolve_aliases(self, *, provider: str, teams: Iterable[Team]) -> dict[Team, int]:
        """Ids of the teams ``provider`` names this way; unknown names are left out."""
        by_key = {(t.country, t.name): t for t in teams}
        if not by_key:
            return {}
        rows = self.session.execute(
            select(TeamAliasRow.country, TeamAliasRow.alias, TeamAliasRow.team_id).where(
                TeamAliasRow.provider == provider,
                tuple_(TeamAliasRow.country, TeamAliasRow.alias).in_(list(by_key)),
            )
        )
        return {by_key[(country, alias)]: team_id for country, alias, team_id in rows}

    def resolve(self, *, provider: str, country: str, name: str) -> int | None:
        """A team id from a provider's spelling: its alias first, then the canonical name."""
        found = self.session.scalar(
            select(TeamAliasRow.team_id).where(
                TeamAliasRow.provider == provider,
                TeamAliasRow.country == country,
                TeamAliasRow.alias == name,
            )
        )
        if found is not None:
            return found
        return self.session.scalar(
            select(TeamRow.id).where(TeamRow.name == name, TeamRow.country == country)
        )

    def list_(
        self, *, country: str | None, limit: int, offset: int
    ) -> tuple[list[TeamRecord], int]:
        """Teams, optionally of one country, by country and name; and how many."""
        statement = select(TeamRow.id, TeamRow.name, TeamRow.country)
        if country:
            statement = statement.where(TeamRow.country == country)
        rows = self.session.execute(
            statement.order_by(TeamRow.country, TeamRow.name).limit(limit).offset(offset)
        )
        items = [TeamRecord(team_id, name, team_country) for team_id, name, team_country in rows]
        return items, count_of(self.session, statement)
