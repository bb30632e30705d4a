"""Text that may reach storage: the one rule for control characters.

PostgreSQL refuses NUL in text, and no C0 control character or DEL belongs in a
team name, an id, a query or a header. The API's edge (``api.hygiene`` and the
request schemas) and the football-data parser both ask this module, so a file
and a request are judged alike.
"""

from __future__ import annotations

import re

__all__ = ["control_character", "first_control_character"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# In a file, line breaks and tabs are layout, not content.
_CONTROL_IN_FILE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(text: str) -> str | None:
    """The first control character in ``text`` as ``U+XXXX``, or None."""
    found = _CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def first_control_character(text: str) -> tuple[int, str] | None:
    """Where a file's text holds a control character other than a tab or a line break:
    (its 1-based line, ``U+XXXX``), or None."""
    found = _CONTROL_IN_FILE.search(text)
    if found is None:
        return None
    return text.count("\n", 0, found.start()) + 1, f"U+{ord(found.group()):04X}"
