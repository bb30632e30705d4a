"""Scoreline: football match prediction and a betting book built on it."""

__version__ = "0.1.0"
