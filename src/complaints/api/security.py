"""CSRF tokens, a rate limit per client address, a body size cap and safe response headers."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from complaints import private
from complaints.api.docs import ASSETS

CSRF_COOKIE = "complaints_csrf"
MAX_BODY = 64 * 1024
# The customer's forms that carry files (the complaint form, the tracking page's): their
# multipart body may hold a complaint's files besides.
UPLOADS = re.compile(r"^/(suivi/[^/]+/[a-z_-]+)?$")


def secret_key(var: Path) -> bytes:
    """The installation's signing key: var/secret_key, made on first use."""
    path = var / "secret_key"
    if not path.exists():
        private.write_once(path, secrets.token_hex(32))
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

    def __init__(
        self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self._clock = per_minute / 60.0, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def _tokens(self, client: str, now: float) -> float:
        tokens, last = self._buckets.get(client, (float(self.burst), now))
        return min(self.burst, tokens + (now - last) * self.rate)

    def allow(self, client: str) -> bool:
        now = self._clock()
        tokens = self._tokens(client, now)
        if len(self._buckets) > 100_000:  # forget idle clients rather than grow without end
            self._buckets.clear()
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return False
        self._buckets[client] = (tokens - 1, now)
        return True

    def retry_after(self, client: str) -> int:
        """Whole seconds until `client` may send again (0: now)."""
        tokens = self._tokens(client, self._clock())
        if tokens >= 1:
            return 0
        if self.rate <= 0:
            return 24 * 3600
        return math.ceil((1 - tokens) / self.rate - 1e-9)  # 10.000000001 s is 10 s


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Tracking and survey links carry their secret in the URL: never send it as a Referer.
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'",
}


def body_cap(request: Request) -> int:
    """The most a request's body may hold: MAX_BODY, and the files allowed on a form that
    carries them (COMPLAINTS_ATTACHMENTS_MAX_TOTAL_BYTES)."""
    multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    if request.method == "POST" and multipart and UPLOADS.match(request.url.path):
        files: int = request.app.state.complaints.settings.attachments_max_total_bytes
        return MAX_BODY + files
    return MAX_BODY


async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Refuse bodies over their cap before reading them; add the safe headers to every answer."""
    length, cap = request.headers.get("content-length"), body_cap(request)
    if length is not None and (not length.isdigit() or int(length) > cap):
        response = _too_large(request)
    elif request.method in ("POST", "PUT", "PATCH") and length is None:
        body = await request.body()
        response = _too_large(request) if len(body) > cap else await call_next(request)
    else:
        response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith(f"{ASSETS}/"):
        # Pages and APIs carry personal data (staff pages, exports, tracking, survey): no copy
        # is kept by the browser or a shared cache. Only the docs' static files may be cached.
        response.headers["Cache-Control"] = "no-store"
    return response


def _too_large(request: Request) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": f"request body over {MAX_BODY // 1024} KiB"}, 413)
    # Imported here: errors.py renders pages and takes HEADERS from this module.
    from complaints.api.errors import error_page

    return error_page(request, 413)
