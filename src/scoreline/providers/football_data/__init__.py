"""football-data.co.uk season files: header eras, parsing and download.

Source: https://www.football-data.co.uk/mmz4281/<yyYY>/<DIV>.csv (``1920`` = 2019-2020).
"""

from scoreline.providers.football_data.competitions import COMPETITIONS, get_competition
from scoreline.providers.football_data.odds import DroppedCell, prematch_captured_at
from scoreline.providers.football_data.parse import (
    MatchRow,
    SeasonFile,
    find_season_files,
    peek_country,
    read_season_file,
)

__all__ = [
    "COMPETITIONS",
    "DroppedCell",
    "MatchRow",
    "SeasonFile",
    "find_season_files",
    "get_competition",
    "peek_country",
    "prematch_captured_at",
    "read_season_file",
]
