"""Admin login: constant-time password check, a rate limit per client and overall, a delay."""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("leerstad.web.admin")

WINDOW_S = 15 * 60
MAX_FAILURES_PER_CLIENT = 5
MAX_FAILURES_OVERALL = 30
FAILURE_DELAY_S = 1.0  # every wrong password costs the guesser this much


def password_matches(given: str | None, expected: str | None) -> bool:
    """Compare in constant time; digests first, so the length of the password does not leak."""
    if not expected:
        return False
    a = hashlib.sha256((given or "").encode("utf-8", "surrogatepass")).digest()
    b = hashlib.sha256(expected.encode("utf-8", "surrogatepass")).digest()
    return hmac.compare_digest(a, b)


@dataclass
class LoginGuard:
    """Counts failed logins per client and overall in a sliding window and locks out guessers."""

    window_s: float = WINDOW_S
    per_client: int = MAX_FAILURES_PER_CLIENT
    overall: int = MAX_FAILURES_OVERALL
    delay_s: float = FAILURE_DELAY_S
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _all: deque[float] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def locked_for(self, client: str) -> float:
        """Seconds until ``client`` may try again (0: it may try now)."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            waits = [0.0]
            mine = self._failures.get(client, deque())
            if len(mine) >= self.per_client:
                waits.append(mine[0] + self.window_s - now)
            if len(self._all) >= self.overall:
                waits.append(self._all[0] + self.window_s - now)
            return max(waits)

    def attempt(self, client: str, password: str | None, expected: str | None) -> bool | None:
        """True: logged in; False: wrong password (after the delay); None: locked out."""
        if self.locked_for(client) > 0:
            log.warning("admin login refused: too many failed attempts (client %s)", client)
            return None
        if password_matches(password, expected):
            with self._lock:
                self._failures.pop(client, None)
            log.info("admin login (client %s)", client)
            return True
        with self._lock:
            now = self.clock()
            self._failures.setdefault(client, deque()).append(now)
            self._all.append(now)
            count = len(self._failures[client])
        log.warning(
            "failed admin login (client %s, %d in %d min)", client, count, self.window_s // 60
        )
        self.sleep(self.delay_s)
        return False

    def _expire(self, now: float) -> None:
        for queue in (*self._failures.values(), self._all):
            while queue and queue[0] <= now - self.window_s:
                queue.popleft()
