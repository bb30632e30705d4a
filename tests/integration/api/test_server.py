"""``build_server`` and ``compose``: background work started in order and stopped in reverse,
and readiness that names the part that is down."""

from __future__ import annotations

import threading
from collections.abc import Callable

from fastapi.testclient import TestClient
from pydantic import SecretStr

from scoreline.api.app import create_app
from scoreline.api.server import build_context, build_server, compose
from scoreline.config import Settings
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.storage.unit_of_work import UnitOfWork

SETTINGS = Settings(jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db")


class Recorder:
    """A background service that notes when it starts and stops, and on which thread."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log
        self.started_on: threading.Thread | None = None

    def start(self) -> None:
        self.started_on = threading.current_thread()
        self.log.append(f"start {self.name}")

    def stop(self) -> None:
        where = "loop" if threading.current_thread() is self.started_on else "thread"
        self.log.append(f"stop {self.name} on a {where}")


def test_background_starts_in_order_and_stops_in_reverse_off_the_loop(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    log: list[str] = []
    app = create_app(build_context(SETTINGS, unit_of_work))
    served = compose(app, background=[Recorder("a", log), Recorder("b", log)])
    with TestClient(served) as client:
        assert client.get("/health/live").json() == {"status": "ok"}
        assert log == ["start a", "start b"]
    assert log[2:] == ["stop b on a thread", "stop a on a thread"]


def test_readiness_names_a_redis_that_does_not_answer(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    nowhere = SETTINGS.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})
    server = build_server(nowhere, unit_of_work, bus=MemoryBus(), streams=Streams(prefix="r"))
    with TestClient(server.asgi) as client:
        answer = client.get("/health/ready")
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"].startswith("down")
