"""Download football-data.co.uk season files into a local cache.

Source: ``https://www.football-data.co.uk/mmz4281/<yyYY>/<DIV>.csv`` (``1920/E0.csv``
is the 2019-2020 Premier League). Cache: ``<cache_dir>/<DIV>/<YYYY-YYYY>.csv``, the
layout ``read_season_file`` infers competition and season from. football-data.co.uk
data is free to use; credit the site.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from pathlib import Path

import httpx

from scoreline.domain.competitions import season_label
from scoreline.errors import ProviderError

__all__ = ["BASE_URL", "FootballData", "download_season", "season_url"]

logger = logging.getLogger(__name__)

BASE_URL = "https://www.football-data.co.uk/mmz4281"
_LEAGUE = re.compile(r"^[A-Z]{1,3}[0-9]?$")
_FIRST_SEASON = 1993  # football-data.co.uk's oldest files
_TIMEOUT_SECONDS = 30.0
_USER_AGENT = "scoreline (football-data.co.uk season files)"


def season_url(league: str, season_start_year: int) -> str:
    """The football-data.co.uk URL of one season file: ``.../mmz4281/1920/E0.csv``."""
    return (
        f"{BASE_URL}/{season_start_year % 100:02d}{(season_start_year + 1) % 100:02d}/{league}.csv"
    )


def download_season(
    league: str,
    season_start_year: int,
    *,
    cache_dir: Path,
    client: httpx.Client | None = None,
    retries: int = 3,
    refresh: bool = False,
    backoff_seconds: float = 1.0,
) -> Path:
    """Fetch one season file into the cache, unless it is there already.

    Parameters
    ----------
    league, season_start_year
        Division code (``E0``) and the year the season starts (2019 for 2019-2020).
    cache_dir
        Files land in ``cache_dir/<league>/<YYYY-YYYY>.csv``.
    client
        An ``httpx.Client`` to use (tests pass one with a ``MockTransport``);
        by default one is opened and closed here.
    retries
        Further attempts after a transport error or a 5xx/429 answer, waiting
        ``backoff_seconds`` times 1, 2, 4, ... in between.
    refresh
        Download even when the file is cached.

    Returns
    -------
    Path
        The cached file. It is written to a temporary file and renamed, so a
        reader never sees half a file.

    Raises
    ------
    ProviderError
        When the league code or year is malformed, the site has no such file,
        answers something that is not a season file, or fails on every attempt.
    """
    if not _LEAGUE.match(league):
        raise ProviderError(f"league code {league!r} is not a football-data division code (E0)")
    if season_start_year < _FIRST_SEASON:
        raise ProviderError(f"football-data.co.uk has no season starting in {season_start_year}")
    target = cache_dir / league / f"{season_label(season_start_year)}.csv"
    if target.is_file() and not refresh:
        logger.debug("Cache hit for %s %d: %s", league, season_start_year, target)
        return target
    url = season_url(league, season_start_year)
    if client is None:
        with httpx.Client(
            timeout=_TIMEOUT_SECONDS, follow_redirects=True, headers={"User-Agent": _USER_AGENT}
        ) as own_client:
            body = _fetch(own_client, url, retries, backoff_seconds)
    else:
        body = _fetch(client, url, retries, backoff_seconds)
    _check_body(url, body)
    _write_atomically(target, body)
    logger.info("Downloaded %s (%d bytes) to %s", url, len(body), target)
    return target


class FootballData:
    """The football-data.co.uk ``Provider``: season files through the local cache."""

    def __init__(self, *, cache_dir: Path, client: httpx.Client | None = None) -> None:
        self.cache_dir = cache_dir
        self.client = client

    def fetch_season(self, competition_code: str, season_start_year: int) -> Path:
        """The cached season file, downloaded first when missing."""
        return download_season(
            competition_code, season_start_year, cache_dir=self.cache_dir, client=self.client
        )


def _fetch(client: httpx.Client, url: str, retries: int, backoff_seconds: float) -> bytes:
    attempts = retries + 1
    for attempt in range(1, attempts + 1):
        try:
            response = client.get(url)
        except httpx.TransportError as exc:
            failure = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code == httpx.codes.OK:
                return response.content
            if response.status_code == httpx.codes.NOT_FOUND:
                raise ProviderError(f"{url}: not found (404); check the division code and season")
            if response.status_code < 500 and response.status_code != httpx.codes.TOO_MANY_REQUESTS:
                raise ProviderError(f"{url}: answered {response.status_code}; not retried")
            failure = f"HTTP {response.status_code}"
        if attempt < attempts:
            delay = backoff_seconds * 2 ** (attempt - 1)
            logger.warning(
                "GET %s failed (%s), attempt %d of %d; retrying in %.1fs",
                url,
                failure,
                attempt,
                attempts,
                delay,
            )
            time.sleep(delay)
    raise ProviderError(f"{url}: failed after {attempts} attempts (last: {failure})")


def _check_body(url: str, body: bytes) -> None:
    """Refuse what is not a season file (an HTML error page served with 200, say)."""
    if not body.removeprefix(b"\xef\xbb\xbf").startswith(b"Div,"):
        start = body[:40].decode("utf-8", "replace")
        raise ProviderError(f"{url}: not a football-data season file (starts {start!r})")


def _write_atomically(target: Path, body: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(body)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
