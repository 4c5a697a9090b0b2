"""One validated settings object: COMPLAINTS_* environment variables over config/."""

from __future__ import annotations

import json
from functools import cached_property, lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from complaints.conduct import Conduct, load_conduct


def _find_home() -> Path:
    """The project folder: holds config/, templates/, flows/ and var/."""
    source_root = Path(__file__).resolve().parents[2]
    if (source_root / "config" / "conduct.toml").is_file():
        return source_root
    return Path.cwd()


def _network(item: object) -> object:
    """An address or a CIDR network (`10.0.0.5`, `10.0.0.0/8`, `fd00::/8`)."""
    if not isinstance(item, str):
        return item
    try:
        return ip_network(item.strip())
    except ValueError:
        raise ValueError(
            f"{item!r} is neither an IP address nor a network such as 10.0.0.0/8"
            " (with no host bits set)"
        ) from None


class Settings(BaseSettings):
    """Everything configurable about one installation."""

    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_", env_file=".env", extra="ignore")

    home: Path = _find_home()
    database_url: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Service réclamations <reclamations@exemple-services.fr>"
    # The complaints mailbox, where customers' replies go (Reply-To); by default mail_from.
    mail_reply_to: str | None = None
    # Who is told when a lifecycle run fails, a complaint goes to the mediator or e-mails keep
    # failing (Prefect's automations, services/operations.py); by default the conduct's manager.
    operations_email: str | None = None
    # Each step of each complaint told to Prefect's event feed (complaints/feed.py): about
    # 0.1 ms of our CPU and 1.4–2 ms of the Prefect server's an event (figures in the README).
    # Off: no timeline in Prefect, and the automations on complaints never fire.
    prefect_events: bool = True
    public_base_url: str = "http://127.0.0.1:8000"
    config: Path | None = None
    staff_name: str = ""
    # The key of the history's seals (hex, 32 bytes or more), kept outside the database: in
    # production an environment variable; by default var/seal_key, made on first use.
    seal_key: SecretStr | None = None
    # Orchestration: below `batch_threshold` complaints each step gets a task run of its
    # own; above, task runs take `batch_size` complaints each (Prefect costs ~12 ms a run).
    batch_threshold: int = 10
    batch_size: int = 50
    # How long an e-mail that was not accepted waits before it is tried again: after the 1st
    # failure, the 2nd… (the last repeats). It waits alone: the others go on being sent.
    delivery_backoff_seconds: list[float] = Field(
        default=[30.0, 120.0, 600.0, 1800.0, 3600.0, 10800.0, 21600.0], min_length=1
    )
    # A message the relay keeps refusing "for now" (4xx) is given up after this long, as mail
    # servers do (5 days): marked rejected, its complaint flagged for a person.
    delivery_give_up_hours: float = Field(default=120.0, gt=0)
    # Whether the relay offers SMTPUTF8 (RFC 6531): then an address with accents before the @
    # is taken at intake; without it, such an address is refused there, never stranded.
    smtp_utf8: bool = False
    # How long a sender holds the e-mails it claimed: a crashed sender's are retried after it.
    # Longer than the slowest batch takes to send, so that two senders never send one twice.
    delivery_lease_seconds: float = 300.0
    poll_seconds: float = 0.5
    # Complaints per lifecycle flow run under `serve`: a backlog goes through in runs of this
    # size, oldest first, so the first of a run does not wait for thousands behind it.
    dispatch_batch: int = 200
    # Lifecycle flow runs at once under `serve`. One on the embedded default: two runs
    # together make Prefect's SQLite server answer "database is locked", and its client then
    # backs off for seconds (acknowledgement p99 at 20/s: 8.0 s with two, 4.1 s with one).
    # With Prefect's server on PostgreSQL, more can run side by side.
    dispatch_concurrency: int = Field(default=1, ge=1)
    sweep_seconds: float = 300.0
    prefect_port: int = 4200  # the Prefect server that `serve` and `demo` start
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    intake_per_minute: float = 10.0  # per client address, on the public intake
    intake_burst: int = 20
    # The reverse proxies whose X-Forwarded-For is believed: addresses or CIDR networks, comma-
    # separated (or a JSON list). Empty: the direct peer is the client, whatever the header says.
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = []
    # A staff page session ends after this long without a request (and at logout, or revocation).
    staff_session_idle_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    # Inbound e-mail: a message larger than this is kept in the quarantine, not read; beyond
    # `inbound_daily_cap` messages from one sender in 24 hours, the rest are kept, not answered.
    inbound_max_bytes: int = Field(default=25_000_000, gt=0)
    inbound_daily_cap: int = Field(default=20, ge=1)
    # The complaints mailbox read over IMAP. No host: no mailbox is read.
    imap_host: str = ""
    imap_port: int = 993
    # "tls" from the first byte (port 993), "starttls" (port 143), "none" only for a server on
    # this machine (the tests' Dovecot): the password would cross the network in clear.
    imap_security: Literal["tls", "starttls", "none"] = "tls"
    imap_username: str = ""
    imap_password: SecretStr | None = None
    imap_folder: str = "INBOX"  # where customers' e-mails arrive; every message there is new
    # Where a message goes once taken, so the folder above only ever holds new ones; created
    # when missing.
    imap_processed_folder: str = "Processed"
    # How long one wait for new mail lasts (IMAP IDLE, which RFC 2177 limits to 29 minutes);
    # a server without IDLE is polled this often.
    imap_idle_seconds: float = Field(default=300.0, gt=0, le=29 * 60)
    imap_timeout_seconds: float = Field(default=30.0, gt=0)  # per network operation
    # A larger message is not even downloaded: quarantined by its size, the original left in
    # the processed folder. Below it, `inbound_max_bytes` judges (a 30 MB message is read,
    # then kept in the quarantine with its bytes).
    imap_max_bytes: int = Field(default=100_000_000, gt=0)

    # Customers' files (web form, e-mail, tracking page), kept in var/files under their SHA-256.
    attachment_max_bytes: int = Field(default=10_000_000, gt=0)  # one file, at most
    attachments_max_per_complaint: int = Field(default=20, ge=0)  # files on one complaint
    attachments_max_total_bytes: int = Field(default=40_000_000, gt=0)  # their sizes together
    # The types a file may have, as its content says (libmagic), whatever its name says.
    attachment_types: list[str] = [
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/heic",  # photos taken on an iPhone
        "image/heif",
        "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",  # .docx
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",  # .xlsx
        "application/vnd.oasis.opendocument.text",  # .odt
        "application/vnd.oasis.opendocument.spreadsheet",  # .ods
        "application/vnd.ms-outlook",  # an Outlook message (.msg)
        "message/rfc822",  # an e-mail (.eml)
    ]

    @field_validator("mail_from", "mail_reply_to", "operations_email", "public_base_url")
    @classmethod
    def _no_line_breaks(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if "\r" in value or "\n" in value:
            raise ValueError("must not contain a line break")
        return value.rstrip("/")

    @property
    def reply_to(self) -> str:
        """Where replies to our e-mails go: the complaints mailbox."""
        return self.mail_reply_to or self.mail_from

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            items = json.loads(text) if text.startswith("[") else text.replace(",", " ").split()
        else:
            items = value
        if not isinstance(items, list):
            return items
        return [_network(item) for item in items]

    @property
    def var(self) -> Path:
        return self.home / "var"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.var / 'complaints.db'}"

    @cached_property
    def conduct(self) -> Conduct:
        return load_conduct(self.home / "config" / "conduct.toml", self.config)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
