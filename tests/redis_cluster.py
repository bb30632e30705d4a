"""A three-node Redis Cluster on free loopback ports, for the tests that need one.

Three masters share the 16384 slots, with no replicas; the nodes are
``redis-server`` processes killed on exit. Without ``redis-server`` the caller
is skipped, except under ``CI`` where it fails; a cluster that does not come
up fails either way.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import redis

__all__ = ["running_cluster"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian package redis-server)"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so this fails instead of skipping)")
        pytest.skip(message)
    return path


def _free_ports(n: int) -> list[int]:
    """``n`` distinct loopback ports free right now (held together so none repeats)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]


def _wait_until(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {timeout_s} s")
        time.sleep(0.01)


def _answers(port: int, check: Callable[[redis.Redis], bool]) -> bool:
    client = redis.Redis(port=port, socket_timeout=1)
    try:
        return check(client)
    except redis.exceptions.ConnectionError:
        return False
    finally:
        client.close()


def _cluster_ok(client: redis.Redis) -> bool:
    return bool(client.cluster("info")["cluster_state"] == "ok")


def _start(server: str, folder: Path, port: int, bus_port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            server,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--cluster-enabled", "yes",
            "--cluster-config-file", str(folder / f"nodes-{port}.conf"),
            "--cluster-port", str(bus_port),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(folder),
            "--logfile", str(folder / f"redis-{port}.log"),
        ],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


@contextmanager
def running_cluster(folder: Path) -> Iterator[str]:
    """Start the cluster with its files under ``folder``; the URL of its first node."""
    server, cli = _tool("redis-server"), _tool("redis-cli")
    ports = _free_ports(6)  # three client ports, three cluster-bus ports
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for port, bus_port in zip(ports[:3], ports[3:], strict=True):
            processes.append(_start(server, folder, port, bus_port))
        for port in ports[:3]:
            ping = functools.partial(_answers, port, lambda client: bool(client.ping()))
            _wait_until(ping, 10, f"redis-server on port {port}")
        created = subprocess.run(
            [cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports[:3]),
             "--cluster-replicas", "0", "--cluster-yes"],
            capture_output=True,
            timeout=60,
            check=False,
        )  # fmt: skip
        if created.returncode != 0:
            pytest.fail(created.stdout.decode() + created.stderr.decode())
        for port in ports[:3]:
            _wait_until(
                functools.partial(_answers, port, _cluster_ok), 20, f"cluster_state:ok on {port}"
            )
        yield f"redis://127.0.0.1:{ports[0]}/0"
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait()
