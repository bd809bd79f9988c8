"""Who may change data. One place: the sign-in issue replaces can_write() with a role check."""
from __future__ import annotations


def can_write() -> bool:
    """Whether the current user may import or delete ledgers. Open until sign-in and roles exist."""
    return True


def current_user() -> str:
    """The name recorded in the audit log for a change ('' until sign-in exists; the form may supply one)."""
    return ""
