"""The ``scoreline`` command line."""
