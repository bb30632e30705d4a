"""One logging configuration, applied by entry points only."""

from __future__ import annotations

import logging.config

__all__ = ["configure_logging"]


def configure_logging(level: str = "INFO") -> None:
    """Send Scoreline's logs to stderr at ``level``; libraries stay at WARNING."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "formatter": "plain",
                    "stream": "ext://sys.stderr",
                }
            },
            "loggers": {"scoreline": {"level": level, "handlers": ["stderr"], "propagate": False}},
            "root": {"level": "WARNING", "handlers": ["stderr"]},
        }
    )
