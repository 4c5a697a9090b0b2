"""Waiting on processes the tests start (`complaints serve`, workers): a condition polled
until a deadline, and whether a web server answers yet."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx


def wait_for(condition: Callable[[], object], timeout: float, every: float = 0.05) -> bool:
    """Whether `condition()` came true within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def answers(url: str) -> bool:
    """Whether `url` answers 200 now."""
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
