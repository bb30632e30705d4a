"""Use cases: each opens a unit of work, calls repositories, models and providers, commits once."""
