"""CSRF tokens, a rate limit per client address, a body size cap and safe response headers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

CSRF_COOKIE = "complaints_csrf"
MAX_BODY = 64 * 1024


def secret_key(var: Path) -> bytes:
    """The installation's signing key: var/secret_key, made on first use."""
    path = var / "secret_key"
    if not path.exists():
        var.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return bytes.fromhex(path.read_text(encoding="utf-8").strip())


class Csrf:
    """Double-submit: a random cookie, and in each form its HMAC under the installation key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()

    def issue(self, request: Request) -> tuple[str, str]:
        """(the token to put in the form, the nonce for the cookie)."""
        nonce = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        return self._sign(nonce), nonce

    @staticmethod
    def set_cookie(response: Response, nonce: str) -> None:
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", max_age=7200)

    def valid(self, request: Request, submitted: str | None) -> bool:
        nonce = request.cookies.get(CSRF_COOKIE)
        return bool(nonce and submitted and hmac.compare_digest(self._sign(nonce), submitted))


class RateLimit:
    """A token bucket per client address: `per_minute` sustained, `burst` at once."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate, self.burst = per_minute / 60.0, burst
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        tokens, last = self._buckets.get(client, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if len(self._buckets) > 100_000:  # forget idle clients rather than grow without end
            self._buckets.clear()
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return False
        self._buckets[client] = (tokens - 1, now)
        return True


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Tracking and survey links carry their secret in the URL: never send it as a Referer.
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'",
}


async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Refuse bodies over MAX_BODY before reading them; add the safe headers to every answer."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        return _too_large(request)
    if request.method in ("POST", "PUT", "PATCH") and length is None:
        body = await request.body()
        if len(body) > MAX_BODY:
            return _too_large(request)
    response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _too_large(request: Request) -> Response:
    detail = f"request body over {MAX_BODY // 1024} KiB"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": detail}, status_code=413)
    return PlainTextResponse(detail, status_code=413)
