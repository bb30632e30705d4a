"""The seam between Scoreline and its data sources."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

__all__ = ["Provider"]


class Provider(Protocol):
    """A source of season files: one competition and season per file.

    The football-data.co.uk downloader is one; a test fake that hands back
    recorded files is another. What a file holds is read by the provider's parser
    (``football_data.read_season_file``), never written to the database here.
    """

    def fetch_season(self, competition_code: str, season_start_year: int) -> Path:
        """A local file holding the season, fetched first if needed."""
        ...
