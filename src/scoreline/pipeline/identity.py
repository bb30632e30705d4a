"""Names a process goes by on the streams."""

from __future__ import annotations

import os
import secrets
import socket

__all__ = ["consumer_name"]


def consumer_name() -> str:
    """Host, process id and a random suffix: unique per process, even when a restarted
    container reuses a pid, because two processes under one name in a consumer group would
    share pending entries and take each other's work for their own."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
