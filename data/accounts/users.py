"""Named sign-in accounts kept with the store (users.json, PBKDF2 hashes): analysts and units' reporters."""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from data.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from data.accounts.roles import ACCOUNT_ROLES, ANALYST, REPORTER, ROLE_ZH
from data.files import atomic_write_bytes
from data.store import Store, StoreError, now

_NAME_RE = re.compile(r"^[\w.@\-\u4e00-\u9fff]{2,40}$")
# Compared against when a name is unknown, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = hash_password("not-a-password", salt=b"kpm-dummy-salt!!")


@dataclass(frozen=True)
class Account:
    """One account: its name, role, the unit a reporter reports for, and its password hash."""

    name: str
    role: str
    unit: str = ""
    password_hash: str = ""
    created: str = ""


def _path(store: Store):
    return store.root / "users.json"


def accounts(store: Store) -> list[Account]:
    """Every account, in the order they were added."""
    path = _path(store)
    if not path.exists():
        return []
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [Account(**a) for a in raw.get("users", [])]


def _save(store: Store, users: list[Account], audit: dict) -> None:
    data = json.dumps({"users": [asdict(u) for u in users]}, ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write_bytes(_path(store), data)
    _path(store).chmod(0o600)  # hashes only, but nobody but the service needs to read them
    store.append_audit(**audit, month="")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StoreError(f"口令太短：至少 {MIN_PASSWORD_LENGTH} 个字符。")


def add(store: Store, name: str, role: str, password: str, *, unit: str = "", by: str = "") -> Account:
    """Create an account; a reporter must name the unit it reports for."""
    if not _NAME_RE.match(name or ""):
        raise StoreError(f"用户名“{name}”不可用：请用 2–40 个汉字、字母、数字或 . @ - _。")
    if role not in ACCOUNT_ROLES:
        choices = "或".join(f"{r}（{ROLE_ZH[r]}）" for r in ACCOUNT_ROLES)
        raise StoreError(f"角色“{role}”不存在：可选 {choices}。")
    if role == REPORTER and not unit.strip():
        raise StoreError("填报员必须指定报送单位：加 --unit 单位名（例如 --unit 石门县）。")
    if role == ANALYST and unit:
        raise StoreError("分析员不属于某个报送单位：请去掉 --unit。")
    _check_password(password)
    with store.lock():
        users = accounts(store)
        if any(u.name == name for u in users):
            raise StoreError(f"用户“{name}”已存在：改口令用 python -m data user passwd {name}。")
        acc = Account(name, role, unit.strip(), hash_password(password), now())
        _save(store, [*users, acc], {"user": by, "action": "user-add", "account": name, "role": role,
                                     "unit": acc.unit})
    return acc


def remove(store: Store, name: str, *, by: str = "") -> None:
    """Delete an account."""
    with store.lock():
        users = accounts(store)
        if not any(u.name == name for u in users):
            raise StoreError(f"没有用户“{name}”：用 python -m data user list 查看现有用户。")
        _save(store, [u for u in users if u.name != name], {"user": by, "action": "user-remove", "account": name})


def set_password(store: Store, name: str, password: str, *, by: str = "") -> None:
    """Give an account a new password."""
    _check_password(password)
    with store.lock():
        users = accounts(store)
        if not any(u.name == name for u in users):
            raise StoreError(f"没有用户“{name}”：用 python -m data user list 查看现有用户。")
        users = [Account(u.name, u.role, u.unit, hash_password(password), u.created) if u.name == name else u
                 for u in users]
        _save(store, users, {"user": by, "action": "user-passwd", "account": name})


def authenticate(store: Store, name: str, password: str) -> Account | None:
    """The account when name and password match, else None (same cost either way)."""
    acc = next((u for u in accounts(store) if u.name == name), None)
    ok = verify_password(password, acc.password_hash if acc else _DUMMY_HASH)
    return acc if ok and acc else None
