"""Repositories: one module per stored noun, with ``get``/``list_``/``add``/``upsert`` verbs.

Import the module, not its names: ``from scoreline.storage.repositories import
fixtures as fixture_repo``.
"""
