"""The outside world turned into domain records: files and feeds in, fixtures and odds out.

Providers read and fetch; they never write to the database (services do).
"""

from scoreline.providers.base import Provider

__all__ = ["Provider"]
