"""What `complaints doctor` checks: each line says what is right, or what to fix."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Iterator

from complaints import keys
from complaints.app import App
from complaints.db import SCHEMA_REVISION
from complaints.settings import Settings

DEFAULT_FROM = Settings.model_fields["mail_from"].default
DEFAULT_URL = Settings.model_fields["public_base_url"].default


async def _smtp(settings: Settings) -> str | None:
    import aiosmtplib

    client = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        timeout=5,
        start_tls=settings.smtp_starttls,
    )
    try:
        await client.connect()
        if settings.smtp_username and settings.smtp_password:
            await client.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        await client.quit()
    except Exception as error:  # any failure is the answer
        return f"{type(error).__name__}: {error}"
    return None


def diagnose(app: App) -> Iterator[tuple[bool, str]]:
    s = app.settings
    try:
        revision = app.db.schema_revision()
        yield (
            revision == SCHEMA_REVISION,
            f"database reachable, schema {revision} (expected {SCHEMA_REVISION})",
        )
    except Exception as error:
        yield False, f"database unreachable ({type(error).__name__}): check COMPLAINTS_DATABASE_URL"
    failure = asyncio.run(_smtp(s))
    yield (
        failure is None,
        (
            f"SMTP {s.smtp_host}:{s.smtp_port} reachable"
            if failure is None
            else f"SMTP {s.smtp_host}:{s.smtp_port} unreachable ({failure}): check COMPLAINTS_SMTP_*"
        ),
    )
    yield (
        s.public_base_url != DEFAULT_URL,
        (
            f"public base URL {s.public_base_url}"
            if s.public_base_url != DEFAULT_URL
            else "COMPLAINTS_PUBLIC_BASE_URL is the default 127.0.0.1: links in e-mails will not work for customers"
        ),
    )
    yield (
        s.public_base_url.startswith("https://") or s.public_base_url == DEFAULT_URL,
        (
            "tracking and survey links use https"
            if s.public_base_url.startswith("https://")
            else "COMPLAINTS_PUBLIC_BASE_URL is not https: the links carry secrets"
        ),
    )
    mediators = app.conduct.mediators
    yield (
        all(m.website.startswith("https://") for m in mediators),
        (f"{len(mediators)} mediator(s) configured: {', '.join(m.name for m in mediators)}"),
    )
    yield (
        not any(m.email.endswith(".example.org") for m in mediators),
        (
            "mediators' addresses are real"
            if not any(m.email.endswith(".example.org") for m in mediators)
            else "the mediators are the examples of config/conduct.toml: set yours with COMPLAINTS_CONFIG"
        ),
    )
    yield (
        s.mail_from != DEFAULT_FROM,
        (
            "sender address set"
            if s.mail_from != DEFAULT_FROM
            else "COMPLAINTS_MAIL_FROM is the example sender: set your own"
        ),
    )
    yield (
        not (s.smtp_username and not s.smtp_password),
        (
            "SMTP credentials complete"
            if not (s.smtp_username and not s.smtp_password)
            else "COMPLAINTS_SMTP_USERNAME is set without COMPLAINTS_SMTP_PASSWORD"
        ),
    )
    yield (
        not app.db.is_simulated(),
        (
            "the database runs on the real clock"
            if not app.db.is_simulated()
            else "this database runs on a simulated clock (the demo's): its times prove nothing;"
            " record real complaints in another one (COMPLAINTS_DATABASE_URL)"
        ),
    )
    seal, from_environment = keys.key_file(s), bool(keys.given(s))
    sealed_privately = from_environment or not (
        seal.exists() and seal.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    )
    yield (
        sealed_privately,
        (
            "seal key "
            + (
                "from COMPLAINTS_SEAL_KEY"
                if from_environment
                else f"private in {seal}; keep a copy off this machine"
            )
            if sealed_privately
            else f"{seal} is readable by others: chmod 600 {seal}"
        ),
    )
    key = s.var / "secret_key"
    private = not key.exists() or not (key.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    yield (
        private,
        (
            "signing key private (or made on first use)"
            if private
            else f"{key} is readable by others: chmod 600 {key}"
        ),
    )
