"""Persistence: engines, the schema, its migrations and the repositories."""
