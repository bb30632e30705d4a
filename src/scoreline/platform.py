"""The composition root: every part of Scoreline built from settings, in one place.

Filled in by the renovation; see docs/architecture.md.
"""
