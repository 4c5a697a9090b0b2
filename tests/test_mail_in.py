"""Mail handed over by our own mail server (`complaints mail-in`): LMTP answers once per
recipient and only after our commit; SMTP too; both take the message through the mailbox's
code, once."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiosmtplib
import pytest

from complaints.app import App
from complaints.mail.lmtp import MailIn
from complaints.mail.sink import free_port
from complaints.models import InboundOutcome
from complaints.services import inbound

MAIL = Path(__file__).parent / "mail"


def _lines(connection: socket.socket, count: int) -> list[str]:
    """`count` complete replies (multi-line replies joined)."""
    data = b""
    replies: list[str] = []
    while len(replies) < count:
        chunk = connection.recv(65536)
        assert chunk, f"connection closed after {replies}"
        data += chunk
        *done, data = data.split(b"\r\n")
        for line in done:
            text = line.decode()
            if text[3:4] != "-":  # the last line of a reply
                replies.append(text)
    return replies


def _say(connection: socket.socket, line: str, replies: int = 1) -> list[str]:
    connection.sendall(line.encode() + b"\r\n")
    return _lines(connection, replies)


def test_lmtp_answers_each_recipient_once_the_message_is_taken(app: App) -> None:
    raw = (MAIL / "windows_1252.eml").read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    port = free_port()
    server = MailIn(app, "127.0.0.1", port)
    server.start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            assert _lines(connection, 1)[0].startswith("220")
            assert _say(connection, "LHLO mx.exemple-services.fr")[0].startswith("250")
            assert _say(connection, "MAIL FROM:<andre.leger@exemple.fr>")[0].startswith("250")
            for rcpt in ("reclamations@exemple-services.fr", "qualite@exemple-services.fr"):
                assert _say(connection, f"RCPT TO:<{rcpt}>")[0].startswith("250")
            assert _say(connection, "DATA")[0].startswith("354")
            body = raw.replace(b"\r\n.", b"\r\n..")
            connection.sendall(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
            replies = _lines(connection, 2)  # RFC 2033: one per recipient
            _say(connection, "QUIT")
    finally:
        server.stop()
    assert [r[:3] for r in replies] == ["250", "250"] and "new" in replies[0]
    [taken] = server.handler.taken
    assert taken.outcome == InboundOutcome.NEW and taken.reference


def hand_over(raw: bytes, port: int) -> None:
    """As a mail server hands a message over, by SMTP."""
    asyncio.run(
        aiosmtplib.send(
            raw,
            sender="claire.dubois@exemple.fr",
            recipients=["reclamations@exemple-services.fr"],
            hostname="127.0.0.1",
            port=port,
        )
    )


def test_smtp_mode_takes_the_same_message_once(app: App) -> None:
    raw = (MAIL / "pdf_attachment.eml").read_bytes()
    port = free_port()
    server = MailIn(app, "127.0.0.1", port, smtp=True)
    server.start()
    try:
        for _ in range(2):  # the server delivered it twice: one complaint
            hand_over(raw, port)
    finally:
        server.stop()
    first, second = server.handler.taken
    assert first.outcome == InboundOutcome.NEW and second.again
    assert first.reference == second.reference


def test_when_the_database_fails_the_server_is_told_to_try_again(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> inbound.Taken:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(inbound, "take", broken)
    port = free_port()
    server = MailIn(app, "127.0.0.1", port, smtp=True)
    server.start()
    try:
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            hand_over((MAIL / "pdf_attachment.eml").read_bytes(), port)
    finally:
        server.stop()
    assert refused.value.code == 451
