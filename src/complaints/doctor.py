"""What `complaints doctor` checks: each line says what is right, or what to fix."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from complaints import answer_templates, keys
from complaints.db import SCHEMA_REVISION, Database
from complaints.settings import Settings

DEFAULT_FROM = Settings.model_fields["mail_from"].default
DEFAULT_URL = Settings.model_fields["public_base_url"].default


async def _smtp(settings: Settings) -> tuple[str | None, bool]:
    """Why the relay cannot be reached (None if it can), and whether it offers SMTPUTF8."""
    import aiosmtplib

    client = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        timeout=5,
        start_tls=settings.smtp_starttls,
    )
    try:
        await client.connect()
        smtputf8 = client.supports_extension("smtputf8")
        if settings.smtp_username and settings.smtp_password:
            await client.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        await client.quit()
    except Exception as error:  # any failure is the answer
        return _first_line(error), False
    return None, smtputf8


def _first_line(error: BaseException) -> str:
    """The error's kind and its first line: no traceback, no "background on this error"."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200]}" if text else type(error).__name__


def _database(settings: Settings) -> tuple[Database | None, str]:
    """The database, opened without creating it; or why it cannot be."""
    try:
        url = make_url(settings.database)
    except ArgumentError:
        return (
            None,
            "COMPLAINTS_DATABASE_URL is not a database URL (sqlite:///… or postgresql+psycopg://…)",
        )
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        if not path.is_file():
            return None, (
                f"database {path} does not exist: check COMPLAINTS_DATABASE_URL"
                " (`complaints db upgrade` creates it)"
            )
    try:
        database = Database(settings.database)
        database.schema_revision()
    except Exception as error:  # any failure to reach it is the answer
        return None, f"database unreachable ({_first_line(error)}): check COMPLAINTS_DATABASE_URL"
    return database, ""


def _readable_by_others(s: Settings) -> list[Path]:
    """What holds personal data or secrets and others may read: var/, its mail and Prefect
    folders, the SQLite database and its journals (made private since 0.1; older ones not)."""
    places = [s.var, s.var / "mail", s.var / "prefect"]
    try:
        url = make_url(s.database)
    except ArgumentError:  # said by the database check
        url = None
    if url is not None and url.get_backend_name() == "sqlite" and url.database:
        places += [Path(url.database + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    return [p for p in places if p.exists() and p.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)]


def _smtputf8(wanted: bool, *, offered: bool) -> tuple[bool, str]:
    if wanted and not offered:
        return False, "COMPLAINTS_SMTP_UTF8 is set but the relay does not offer SMTPUTF8: unset it"
    if wanted:
        return True, "the relay offers SMTPUTF8: addresses with accents before the @ are taken"
    hint = " (the relay offers SMTPUTF8: COMPLAINTS_SMTP_UTF8=true takes them)" if offered else ""
    return True, "addresses with accents before the @ are refused at intake" + hint


def diagnose(s: Settings) -> Iterator[tuple[bool, str]]:
    """(ok, what) for each check; never creates nor changes anything."""
    database, problem = _database(s)
    if database is None:
        yield False, problem
    else:
        revision = database.schema_revision()
        yield (
            revision == SCHEMA_REVISION,
            f"database reachable, schema {revision} (expected {SCHEMA_REVISION})"
            if revision == SCHEMA_REVISION
            else f"database reachable, schema {revision} where {SCHEMA_REVISION} is expected:"
            " run `complaints db upgrade`",
        )
    failure, smtputf8 = asyncio.run(_smtp(s))
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
    if failure is None:
        yield _smtputf8(s.smtp_utf8, offered=smtputf8)
    yield answer_templates.check(s.home / "templates", s.conduct.category_keys())
    mediators = s.conduct.mediators
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
    simulated = database is not None and database.is_simulated()
    yield (
        not simulated,
        (
            "the database runs on the real clock"
            if not simulated
            else "this database runs on a simulated clock (the demo's): its times prove nothing;"
            " record real complaints in another one (COMPLAINTS_DATABASE_URL)"
        ),
    )
    exposed = _readable_by_others(s)
    yield (
        not exposed,
        f"files under {s.var} readable by their owner only"
        if not exposed
        else f"readable by others: {', '.join(map(str, exposed))}: chmod -R go-rwx {s.var}",
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
