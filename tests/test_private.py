"""What the installation writes under var/ is its owner's only: files 0600, folders 0700."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import aiosmtplib
import pytest

from complaints.api.security import secret_key
from complaints.db import Database
from complaints.mail.sink import MailSink


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """A usual umask (022): the modes below must not depend on the process's."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_its_wal_and_its_folders_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "place" / "complaints.db"
    database = Database(f"sqlite:///{path}")
    database.ensure_schema()
    assert mode(path) == 0o600 and path.with_name("complaints.db-wal").exists()
    assert mode(path.with_name("complaints.db-wal")) == 0o600
    assert mode(tmp_path / "new") == 0o700 and mode(tmp_path / "new" / "place") == 0o700
    database.dispose()


def test_the_signing_key_and_the_stored_e_mails_are_private(tmp_path: Path) -> None:
    secret_key(tmp_path / "var")
    assert mode(tmp_path / "var" / "secret_key") == 0o600 and mode(tmp_path / "var") == 0o700
    with MailSink(tmp_path / "mail") as sink:
        asyncio.run(
            aiosmtplib.send(
                b"Subject: x\r\n\r\nbody",
                sender="a@exemple.fr",
                recipients=["b@exemple.fr"],
                hostname="127.0.0.1",
                port=sink.port,
            )
        )
    [stored] = (tmp_path / "mail").glob("*.eml")
    assert mode(stored) == 0o600 and mode(tmp_path / "mail") == 0o700


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    path.touch(mode=0o640)
    Database(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o640  # the operator's choice, and doctor's business
