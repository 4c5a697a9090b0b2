"""The complaints mailbox over IMAP: list what waits, fetch one message, file it away.

Every message in the folder is new: a message taken is moved to the processed folder, so
nothing is marked read, and a crash between taking a message and filing it only means that
it is read again (the inbound service keeps each e-mail once)."""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from complaints.settings import Settings

# imapclient traces the whole conversation at DEBUG, messages included: customers' personal
# data must not reach a log that way, whatever level the rest of the process logs at.
logging.getLogger("imapclient.imaplib").setLevel(logging.INFO)

_LISTED_AT_ONCE = 500  # UIDs per FETCH: a long command line is refused by some servers


class MailboxError(Exception):
    """The mailbox could not be reached or refused a command (one line, never the password)."""


class TooLarge(MailboxError):
    """A message over imap_max_bytes: it is quarantined by its size, never downloaded."""

    def __init__(self, uid: int, size: int, limit: int) -> None:
        super().__init__(f"IMAP message {uid} has {size} bytes, over the limit of {limit}")
        self.uid = uid
        self.size = size


class Gone(MailboxError):
    """The message left the folder since it was listed (another reader took it): skip it."""

    def __init__(self, uid: int) -> None:
        super().__init__(f"IMAP message {uid} is no longer in the folder")
        self.uid = uid


@dataclass(frozen=True)
class Waiting:
    """A message waiting in the folder, by UID, with its size in bytes (RFC822.SIZE)."""

    uid: int
    size: int


class Mailbox:
    """One session on the complaints folder: `with Mailbox(settings) as box:`."""

    def __init__(self, settings: Settings) -> None:
        if not settings.imap_host:
            raise MailboxError("no IMAP mailbox configured (COMPLAINTS_IMAP_HOST is empty)")
        if settings.imap_folder == settings.imap_processed_folder:
            # A message moved to its own folder comes back under a new UID, again and again.
            raise MailboxError("the IMAP folder and the processed folder must differ")
        self._settings = settings
        self._where = f"{settings.imap_host}:{settings.imap_port}"
        self._client: IMAPClient | None = None
        self._listed_up_to = 0  # the highest UID that waiting() has returned

    def __enter__(self) -> Mailbox:
        self._client = self._connect()
        try:
            self._open()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._close()

    def waiting(self) -> list[Waiting]:
        """The messages in the folder, oldest UID first, with their sizes."""
        client = self._session()
        with self._guard("listing the folder"):
            uids = sorted(client.search(["UNDELETED"]))
            sizes: dict[int, Any] = {}
            for start in range(0, len(uids), _LISTED_AT_ONCE):
                sizes.update(client.fetch(uids[start : start + _LISTED_AT_ONCE], ["RFC822.SIZE"]))
        self._listed_up_to = max([self._listed_up_to, *uids])
        # A message expunged by someone else between SEARCH and FETCH is simply not listed.
        return [Waiting(uid, int(sizes[uid][b"RFC822.SIZE"])) for uid in uids if uid in sizes]

    def fetch(self, uid: int) -> bytes:
        """The raw message, left unread on the server (BODY.PEEK); TooLarge past the limit,
        Gone if it left the folder."""
        client = self._session()
        limit = self._settings.imap_max_bytes
        with self._guard(f"fetching message {uid}"):
            size = client.fetch([uid], ["RFC822.SIZE"]).get(uid, {}).get(b"RFC822.SIZE")
            if size is None:
                raise Gone(uid)
            if int(size) > limit:
                raise TooLarge(uid, int(size), limit)
            raw = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]")
        if not isinstance(raw, bytes):  # expunged by another session since the size came
            raise Gone(uid)
        return raw

    def done(self, uid: int) -> None:
        """Move the message to the processed folder; a message already gone is left alone."""
        client = self._session()
        target = self._settings.imap_processed_folder
        with self._guard(f"filing message {uid}"):
            if client.has_capability("MOVE"):
                client.move([uid], target)
                return
            client.copy([uid], target)
            client.add_flags([uid], [rb"\Deleted"], silent=True)
            # Without UIDPLUS the message stays flagged (waiting() skips it): a plain EXPUNGE
            # would also remove what people using the mailbox flagged for deletion.
            if client.has_capability("UIDPLUS"):
                client.uid_expunge([uid])

    def wait(self, seconds: float | None = None) -> bool:
        """Wait for new mail (IMAP IDLE), at most `seconds`; False when none came.

        Servers without IDLE are polled: the wait is spent asleep, and returns True."""
        client = self._session()
        seconds = self._settings.imap_idle_seconds if seconds is None else seconds
        with self._guard("waiting for mail"):
            # What arrived since the last waiting() may already have been announced, in
            # answer to an earlier command; IDLE would not announce it again.
            after = f"{self._listed_up_to + 1}:*"
            if any(uid > self._listed_up_to for uid in client.search(["UID", after, "UNDELETED"])):
                return True
            if not client.has_capability("IDLE"):
                time.sleep(seconds)
                return True
            return self._idle(client, seconds)

    def _idle(self, client: IMAPClient, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        client.idle()
        arrived = False
        # The server also says it is "still here" now and then: only EXISTS is new mail.
        while not arrived and (left := deadline - time.monotonic()) > 0:
            arrived = _arrival(client.idle_check(timeout=left))
        _, late = client.idle_done()
        return arrived or _arrival(late)

    def _connect(self) -> IMAPClient:
        settings = self._settings
        security = settings.imap_security
        context = ssl.create_default_context() if security != "none" else None
        try:
            client = IMAPClient(
                settings.imap_host,
                port=settings.imap_port,
                ssl=security == "tls",
                ssl_context=context,
                timeout=settings.imap_timeout_seconds,
            )
        except ssl.SSLError as error:
            raise MailboxError(f"IMAP server {self._where}: TLS failed: {_line(error)}") from None
        except (IMAPClientError, OSError) as error:
            raise MailboxError(f"IMAP server {self._where} unreachable: {_line(error)}") from None
        if security == "starttls":
            try:
                with self._guard("STARTTLS"):
                    client.starttls(context)
            except MailboxError:
                client.shutdown()
                raise
        return client

    def _open(self) -> None:
        settings = self._settings
        client = self._session()
        password = settings.imap_password.get_secret_value() if settings.imap_password else ""
        try:
            client.login(settings.imap_username, password)
        except LoginError:
            raise MailboxError(
                f"IMAP login refused for {settings.imap_username} at {self._where}"
            ) from None
        except (IMAPClientError, OSError) as error:
            raise MailboxError(f"IMAP login at {self._where} failed: {_line(error)}") from None
        with self._guard(f"opening folder {settings.imap_processed_folder}"):
            self._ensure(client, settings.imap_processed_folder)
        with self._guard(f"opening folder {settings.imap_folder}"):
            client.select_folder(settings.imap_folder)

    def _ensure(self, client: IMAPClient, folder: str) -> None:
        if client.folder_exists(folder):
            return
        try:
            client.create_folder(folder)
        except IMAPClientError:
            if not client.folder_exists(folder):  # another reader may have just made it
                raise
        client.subscribe_folder(folder)  # so that mail programs show it

    def _session(self) -> IMAPClient:
        if self._client is None:
            raise MailboxError("the IMAP mailbox is not open: use `with Mailbox(settings)`")
        return self._client

    def _close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except (IMAPClientError, OSError):
            with suppress(OSError):  # the connection was already gone
                client.shutdown()

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        try:
            yield
        except (IMAPClientError, OSError) as error:
            raise MailboxError(f"IMAP {doing} at {self._where} failed: {_line(error)}") from error


def _arrival(responses: Sequence[Any]) -> bool:
    """Whether IDLE responses such as `(3, b'EXISTS')` announce a new message."""
    return any(len(item) > 1 and item[1] == b"EXISTS" for item in responses)


def _line(error: BaseException) -> str:
    """The error on one short line."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]
