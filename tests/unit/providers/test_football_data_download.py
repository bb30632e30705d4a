"""Downloading season files, against recorded-style answers through httpx.MockTransport."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from scoreline.errors import ProviderError
from scoreline.providers import Provider
from scoreline.providers.football_data.download import (
    FootballData,
    download_season,
    season_url,
)

ROOT = Path(__file__).resolve().parents[3]
# A real answer of football-data.co.uk for mmz4281/1920/E0.csv (CRLF, as served).
RECORDED = (ROOT / "data" / "sample" / "football-data" / "E0" / "2019-2020.csv").read_bytes()
URL = "https://www.football-data.co.uk/mmz4281/1920/E0.csv"


class Recorder:
    """Answers requests from a script of responses and remembers the requests."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def _download(
    recorder: Recorder, cache_dir: Path, *, retries: int = 3, refresh: bool = False
) -> Path:
    with recorder.client() as client:
        return download_season(
            "E0",
            2019,
            cache_dir=cache_dir,
            client=client,
            retries=retries,
            refresh=refresh,
            backoff_seconds=0,
        )


@pytest.mark.parametrize(
    ("league", "year", "url"),
    [
        ("E0", 2019, URL),
        ("SP1", 2005, "https://www.football-data.co.uk/mmz4281/0506/SP1.csv"),
        ("E0", 1999, "https://www.football-data.co.uk/mmz4281/9900/E0.csv"),
    ],
)
def test_season_url(league: str, year: int, url: str) -> None:
    assert season_url(league, year) == url


def test_download_writes_the_file_into_the_cache(tmp_path: Path) -> None:
    recorder = Recorder(httpx.Response(200, content=RECORDED))
    path = _download(recorder, tmp_path)
    assert path == tmp_path / "E0" / "2019-2020.csv"
    assert path.read_bytes() == RECORDED
    assert [str(r.url) for r in recorder.requests] == [URL]
    assert [p.name for p in path.parent.iterdir()] == ["2019-2020.csv"]  # no temporary left


def test_a_503_is_retried(tmp_path: Path) -> None:
    recorder = Recorder(httpx.Response(503), httpx.Response(200, content=RECORDED))
    assert _download(recorder, tmp_path).read_bytes() == RECORDED
    assert len(recorder.requests) == 2


def test_a_transport_error_is_retried(tmp_path: Path) -> None:
    recorder = Recorder(httpx.ConnectError("refused"), httpx.Response(200, content=RECORDED))
    assert _download(recorder, tmp_path).read_bytes() == RECORDED


def test_failing_every_attempt_is_a_provider_error(tmp_path: Path) -> None:
    recorder = Recorder(*(httpx.Response(502) for _ in range(3)))
    with pytest.raises(ProviderError, match=r"failed after 3 attempts \(last: HTTP 502\)"):
        _download(recorder, tmp_path, retries=2)
    assert len(recorder.requests) == 3
    assert not (tmp_path / "E0").exists()


def test_a_404_is_a_provider_error_without_retry(tmp_path: Path) -> None:
    recorder = Recorder(httpx.Response(404))
    with pytest.raises(ProviderError, match=r"not found \(404\); check the division code"):
        _download(recorder, tmp_path)
    assert len(recorder.requests) == 1
    assert not (tmp_path / "E0").exists()


def test_other_client_errors_are_not_retried(tmp_path: Path) -> None:
    recorder = Recorder(httpx.Response(403))
    with pytest.raises(ProviderError, match="answered 403; not retried"):
        _download(recorder, tmp_path)


def test_a_cached_file_makes_no_request(tmp_path: Path) -> None:
    cached = tmp_path / "E0" / "2019-2020.csv"
    cached.parent.mkdir()
    cached.write_bytes(b"Div,cached\n")
    recorder = Recorder()  # any request would fail: no answers scripted
    assert _download(recorder, tmp_path) == cached
    assert recorder.requests == []


def test_refresh_downloads_again(tmp_path: Path) -> None:
    cached = tmp_path / "E0" / "2019-2020.csv"
    cached.parent.mkdir()
    cached.write_bytes(b"Div,stale\n")
    _download(Recorder(httpx.Response(200, content=RECORDED)), tmp_path, refresh=True)
    assert cached.read_bytes() == RECORDED


def test_an_html_page_is_not_a_season_file(tmp_path: Path) -> None:
    recorder = Recorder(httpx.Response(200, content=b"<!DOCTYPE html><html>Moved</html>"))
    with pytest.raises(ProviderError, match="not a football-data season file"):
        _download(recorder, tmp_path)
    assert not (tmp_path / "E0" / "2019-2020.csv").exists()


def test_a_bom_before_the_header_is_accepted(tmp_path: Path) -> None:
    body = b"\xef\xbb\xbf" + RECORDED
    assert _download(Recorder(httpx.Response(200, content=body)), tmp_path).read_bytes() == body


@pytest.mark.parametrize(("league", "year"), [("../E0", 2019), ("e0", 2019), ("E0", 1980)])
def test_malformed_requests_are_refused(tmp_path: Path, league: str, year: int) -> None:
    with pytest.raises(ProviderError):
        download_season(league, year, cache_dir=tmp_path, client=Recorder().client())


def test_the_provider_fetches_through_the_cache(tmp_path: Path) -> None:
    recorder = Recorder(httpx.Response(200, content=RECORDED))
    with recorder.client() as client:
        provider: Provider = FootballData(cache_dir=tmp_path, client=client)
        first = provider.fetch_season("E0", 2019)
        second = provider.fetch_season("E0", 2019)
    assert first == second == tmp_path / "E0" / "2019-2020.csv"
    assert len(recorder.requests) == 1
