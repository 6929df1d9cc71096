"""What PostgreSQL can store, checked before any SQL runs, so bad input is a 400 rather than a 500."""

from __future__ import annotations


def storable_text(value: str) -> bool:
    """Whether PostgreSQL can hold ``value`` as text: no NUL character and no lone surrogate (a JSON
    ``\\ud800`` escape has no UTF-8 form). Either would make the database fail the request."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
