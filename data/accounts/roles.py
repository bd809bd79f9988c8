"""The roles a session can have, their names in Chinese, and which of them a named account may hold."""
from __future__ import annotations

ANALYST, REPORTER, VIEWER = "analyst", "reporter", "viewer"
ROLE_ZH = {ANALYST: "分析员", REPORTER: "填报员", VIEWER: "查看者"}
ACCOUNT_ROLES = (ANALYST, REPORTER)  # a viewer needs no account: whoever opens the app reads


def role_zh(role: str) -> str:
    """'分析员' for 'analyst', … ('' for a name that is no role)."""
    return ROLE_ZH.get(role, "")
