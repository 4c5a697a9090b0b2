"""A real IMAP server for the tests: Debian's Dovecot on 127.0.0.1, configured from nothing
in a throw-away folder, with one mailbox user. `make test` installs it (dovecot-imapd);
where it is missing, the tests that use it are skipped."""

from __future__ import annotations

import getpass
import grp
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from complaints.mail.sink import free_port
from complaints.settings import Settings

DOVECOT = Path("/usr/sbin/dovecot")
STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class Dovecot:
    """The running server, its one user, and a second door to the mailbox for the tests."""

    host: str
    port: int
    user: str
    password: str

    def settings(self, **overrides: Any) -> Settings:
        """The settings that point the product at this server."""
        fields: dict[str, Any] = {
            "imap_host": self.host,
            "imap_port": self.port,
            "imap_security": "none",
            "imap_username": self.user,
            "imap_password": self.password,
            "imap_timeout_seconds": 10.0,
        }
        return Settings(**(fields | overrides))

    @contextmanager
    def client(self) -> Iterator[IMAPClient]:
        """A connection of its own, as another mail program would have."""
        with IMAPClient(self.host, port=self.port, ssl=False, timeout=10) as client:
            client.login(self.user, self.password)
            yield client

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in the folder, as the mail server does when it arrives."""
        with self.client() as client:
            client.append(folder, raw)

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """The messages in the folder, oldest first, without marking them read."""
        return [raw for raw, _ in self.contents(folder)]

    def contents(self, folder: str = "INBOX") -> list[tuple[bytes, tuple[bytes, ...]]]:
        """The messages in the folder with their flags, oldest first."""
        with self.client() as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            found = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]", "FLAGS"])
        return [(found[uid][b"BODY[]"], found[uid][b"FLAGS"]) for uid in sorted(found)]


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[Dovecot]:
    """A Dovecot of this test's own, stopped at its end."""
    with running(tmp_path) as server:
        yield server


@contextmanager
def running(keep: Path, *, capability: str | None = None) -> Iterator[Dovecot]:
    """Start Dovecot, its log kept in `keep`; `capability` replaces what it announces."""
    if not DOVECOT.exists():
        pytest.skip("Dovecot is not installed (make test installs Debian's dovecot-imapd)")
    # Not under tmp_path: Dovecot's Unix sockets there would pass the 107-byte path limit, and
    # the unprivileged users it runs as could not reach into pytest's private folders.
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    root.chmod(0o755)
    server = Dovecot("127.0.0.1", 0, "complaints", secrets.token_urlsafe(12))
    process: subprocess.Popen[bytes] | None = None
    try:
        for _ in range(3):  # another process may take the free port before Dovecot does
            server = Dovecot(server.host, free_port(), server.user, server.password)
            process = _start(root, server, capability)
            if _ready(process, server, root / "dovecot.log"):
                break
        else:
            pytest.fail(f"Dovecot did not start:\n{_tail(root / 'dovecot.log')}")
        yield server
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        if (root / "dovecot.log").exists():
            shutil.copy(root / "dovecot.log", keep / "dovecot.log")
        shutil.rmtree(root, ignore_errors=True)


def _start(root: Path, server: Dovecot, capability: str | None) -> subprocess.Popen[bytes]:
    for name in ("run", "state", "mail", "home"):
        (root / name).mkdir(exist_ok=True)
    (root / "dovecot.log").unlink(missing_ok=True)
    (root / "users").write_text(f"{server.user}:{{PLAIN}}{server.password}::::::\n")
    uid, gid = _mail_owner()
    for name in ("mail", "home"):
        os.chown(root / name, uid, gid)
    config = _config(root, server, uid, gid, capability)
    (root / "dovecot.conf").write_text(config)
    # Until its log is open, Dovecot tells of a bad configuration on stderr: kept beside it.
    with (root / "dovecot.log").open("ab") as early:
        return subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=early,
        )


def _mail_owner() -> tuple[int, int]:
    """Whose the mail files are: ours, or as root an unprivileged account (Dovecot refuses
    uid 0 for mail, whatever first_valid_uid says)."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    nobody = pwd.getpwnam("nobody")
    return nobody.pw_uid, nobody.pw_gid


def _config(root: Path, server: Dovecot, uid: int, gid: int, capability: str | None) -> str:
    lines = [
        "protocols = imap",
        f"listen = {server.host}",
        f"base_dir = {root / 'run'}",
        f"state_dir = {root / 'state'}",
        "instance_name = complaints-test",
        f"log_path = {root / 'dovecot.log'}",
        # The greeting proves that the server on the port is this one.
        f"login_greeting = {_greeting(root)}",
        "ssl = no",
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        "auth_failure_delay = 0",  # a wrong password is answered at once, not after 2 s
        # Another session's APPEND reaches an IDLE within a second even without inotify.
        "mailbox_idle_check_interval = 1 secs",
        f"first_valid_uid = {min(uid, 500)}",
        f"first_valid_gid = {min(gid, 1)}",
        f"mail_location = maildir:{root / 'mail'}/%u",
        f"passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {root / 'users'}\n}}",
        f"userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={root / 'home'}/%u\n}}",
        "service imap-login {\n  inet_listener imap {\n"
        f"    address = {server.host}\n    port = {server.port}\n  }}\n"
        "  inet_listener imaps {\n    port = 0\n  }\n}",
    ]
    if capability is not None:
        lines.append(f"imap_capability = {capability}")
    if os.getuid() != 0:
        # Without root, Dovecot can neither change users nor chroot.
        me, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
        lines += [f"default_internal_user = {me}", f"default_login_user = {me}"]
        lines.append(f"default_internal_group = {group}")
        for service in ("anvil", "imap-login", "imap-urlauth-login", "ipc", "old-stats"):
            lines.append(f"service {service} {{\n  chroot =\n}}")
    return "\n".join(lines) + "\n"


def _greeting(root: Path) -> str:
    return f"complaints-test-{root.name}"


def _ready(process: subprocess.Popen[bytes], server: Dovecot, log: Path) -> bool:
    """Wait until the server greets on its port (True), or has stopped (False)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    greeting = _greeting(log.parent).encode()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection((server.host, server.port), timeout=5) as probe:
                if greeting in probe.recv(512):
                    return True
        except OSError:
            pass  # not listening yet
        time.sleep(0.05)
    process.terminate()
    process.wait(timeout=30)
    pytest.fail(f"Dovecot did not greet within {STARTUP_SECONDS} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log.exists() else ""
