"""Estimators: Dixon-Coles ratings and the score grids that price every market."""

from scoreline.models.dixon_coles import DixonColes, UnseenTeamWarning
from scoreline.models.grid import ScoreGrid

__all__ = ["DixonColes", "ScoreGrid", "UnseenTeamWarning"]
