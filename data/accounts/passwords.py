"""The analyst password: PBKDF2-HMAC-SHA256 hashes and a rate limiter for sign-in attempts (no Streamlit here,
so the data CLI can make a hash without importing the app)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000          # OWASP 2023 figure for PBKDF2-HMAC-SHA256; ~0.2 s per check on this machine
MIN_ITERATIONS = 100_000      # a configured hash weaker than this is refused as misconfigured
SALT_BYTES = 16
MIN_PASSWORD_LENGTH = 10


class HashFormatError(ValueError):
    """A configured password hash that is not `pbkdf2_sha256$<iterations>$<salt_b64>$<hash_b64>`."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """'pbkdf2_sha256$600000$<salt_b64>$<hash_b64>' for the password (a fresh random salt unless given)."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    dk = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{ALGORITHM}${iterations}${_b64(salt)}${_b64(dk)}"


def parse_hash(encoded: str) -> tuple[int, bytes, bytes]:
    """(iterations, salt, digest) of a stored hash; HashFormatError with a Chinese message otherwise."""
    parts = str(encoded).strip().split("$")
    if len(parts) != 4 or parts[0] != ALGORITHM:
        raise HashFormatError("口令哈希格式不对：应为 pbkdf2_sha256$迭代次数$盐$哈希（用 python -m data hash-password 生成）。")
    try:
        iterations = int(parts[1])
        salt = base64.b64decode(parts[2], validate=True)
        digest = base64.b64decode(parts[3], validate=True)
    except ValueError:
        raise HashFormatError("口令哈希无法解析：迭代次数须为整数，盐和哈希须为 base64（用 python -m data hash-password 重新生成）。"
                              ) from None
    if iterations < MIN_ITERATIONS or len(salt) < 8 or len(digest) != 32:
        raise HashFormatError(f"口令哈希强度不足（迭代次数须 ≥ {MIN_ITERATIONS:,}，盐 ≥ 8 字节）：请用 python -m data hash-password 重新生成。")
    return iterations, salt, digest


def verify_password(password: str, encoded: str) -> bool:
    """Whether the password matches the stored hash (constant-time comparison of the digests)."""
    iterations, salt, digest = parse_hash(encoded)
    candidate = hashlib.pbkdf2_hmac("sha256", str(password).encode("utf-8"), salt, iterations)
    return hmac.compare_digest(candidate, digest)


class AttemptLimiter:
    """Failed sign-in attempts: at most `per_key` failures per `window` seconds for one key (a browser session),
    and across all keys at most `global_limit` per window, after which every further failure doubles a global
    wait (from `backoff_base` up to `backoff_max` seconds). Thread-safe: one instance per server process."""

    def __init__(self, per_key: int = 5, window: float = 600.0, global_limit: int = 20, backoff_base: float = 2.0,
                 backoff_max: float = 600.0, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000):
        self.per_key, self.window, self.global_limit = per_key, window, global_limit
        self.backoff_base, self.backoff_max, self.clock, self.max_keys = backoff_base, backoff_max, clock, max_keys
        self._lock = threading.Lock()
        self._fails: dict[str, deque[float]] = {}
        self._global: deque[float] = deque()
        self._global_until = 0.0

    def _prune(self, now: float) -> None:
        cut = now - self.window
        while self._global and self._global[0] <= cut:
            self._global.popleft()
        for key in list(self._fails):
            q = self._fails[key]
            while q and q[0] <= cut:
                q.popleft()
            if not q:
                del self._fails[key]

    def wait_seconds(self, key: str) -> float:
        """0 when an attempt is allowed now, else the seconds until it is."""
        with self._lock:
            now = self.clock()
            self._prune(now)
            waits = [0.0]
            q = self._fails.get(key)
            if q and len(q) >= self.per_key:
                waits.append(q[0] + self.window - now)
            if now < self._global_until:
                waits.append(self._global_until - now)
            return max(waits)

    def failure(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            self._prune(now)
            if key not in self._fails and len(self._fails) >= self.max_keys:
                self._fails.pop(next(iter(self._fails)))
            self._fails.setdefault(key, deque()).append(now)
            self._global.append(now)
            excess = len(self._global) - self.global_limit
            if excess >= 0:
                delay = min(self.backoff_base * (2 ** min(excess, 30)), self.backoff_max)
                self._global_until = max(self._global_until, now + delay)

    def success(self, key: str) -> None:
        """A correct password clears that key's failures (the global count stays: it ages out)."""
        with self._lock:
            self._fails.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._fails.clear()
            self._global.clear()
            self._global_until = 0.0
