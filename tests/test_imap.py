"""The IMAP reader against a real Dovecot, with real-world messages (tests/mail/*.eml)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from complaints.mail.imap import Gone, Mailbox, MailboxError, TooLarge
from complaints.mail.sink import free_port
from complaints.settings import Settings
from tests.dovecot import Dovecot, dovecot, running

__all__ = ["dovecot"]  # the fixture, used by name

MAIL = Path(__file__).parent / "mail"


def eml(name: str) -> bytes:
    """A message as it travels, lines ending in CRLF."""
    return (MAIL / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_a_message_is_fetched_unread_then_filed_away(dovecot: Dovecot) -> None:
    first, second = eml("gmail_reply.eml"), eml("outlook_reply.eml")
    dovecot.deliver(first)
    dovecot.deliver(second)
    with Mailbox(dovecot.settings()) as box:
        waiting = box.waiting()
        assert [item.size for item in waiting] == [len(first), len(second)]
        assert box.fetch(waiting[0].uid) == first
        assert [b"\\Seen" in flags for _, flags in dovecot.contents()] == [False, False]
        box.done(waiting[0].uid)
        assert box.waiting() == waiting[1:]
    assert dovecot.messages("INBOX") == [second]
    assert dovecot.messages("Processed") == [first]


def test_a_message_over_the_limit_is_listed_with_its_size_not_fetched(dovecot: Dovecot) -> None:
    small, large = eml("windows_1252.eml"), eml("bounce.eml")
    dovecot.deliver(small)
    dovecot.deliver(large)
    with Mailbox(dovecot.settings(imap_max_bytes=len(small))) as box:
        listed = box.waiting()
        assert [item.size for item in listed] == [len(small), len(large)]
        assert box.fetch(listed[0].uid) == small
        with pytest.raises(TooLarge) as refused:
            box.fetch(listed[1].uid)
    assert (refused.value.uid, refused.value.size) == (listed[1].uid, len(large))


def test_a_message_another_reader_took_is_gone_and_filing_it_is_harmless(dovecot: Dovecot) -> None:
    dovecot.deliver(eml("gmail_reply.eml"))
    with Mailbox(dovecot.settings()) as box:
        (listed,) = box.waiting()
        with dovecot.client() as other:
            other.select_folder("INBOX")
            other.delete_messages([listed.uid])
            other.expunge()
        with pytest.raises(Gone):
            box.fetch(listed.uid)
        box.done(listed.uid)
        assert box.waiting() == []
    assert dovecot.messages("Processed") == []


def test_a_wrong_password_is_one_line_without_the_password(dovecot: Dovecot) -> None:
    wrong = "not-the-password-42"
    with pytest.raises(MailboxError) as refused, Mailbox(dovecot.settings(imap_password=wrong)):
        pass
    message = str(refused.value)
    assert message == f"IMAP login refused for {dovecot.user} at {dovecot.host}:{dovecot.port}"
    assert wrong not in message and dovecot.password not in message


def test_a_server_that_does_not_answer_is_unreachable() -> None:
    port = free_port()  # nothing listens there
    settings = Settings(imap_host="127.0.0.1", imap_port=port, imap_security="none")
    unreachable = rf"^IMAP server 127.0.0.1:{port} unreachable: "
    with pytest.raises(MailboxError, match=unreachable), Mailbox(settings):
        pass


def test_no_host_is_no_mailbox() -> None:
    with pytest.raises(MailboxError, match="COMPLAINTS_IMAP_HOST"):
        Mailbox(Settings(imap_host=""))


def test_wait_returns_when_another_connection_delivers(dovecot: Dovecot) -> None:
    with Mailbox(dovecot.settings()) as box:
        assert box.waiting() == []
        assert box.wait(0.2) is False  # nothing came
        courier = threading.Thread(target=dovecot.deliver, args=(eml("pdf_attachment.eml"),))
        courier.start()
        # Before or during the IDLE, the arrival is seen: the timeout is only a safety net.
        arrived = box.wait(120)
        courier.join()
        assert arrived is True
        assert len(box.waiting()) == 1


def test_wait_sees_what_arrived_between_listing_and_waiting(dovecot: Dovecot) -> None:
    dovecot.deliver(eml("forwarded_complaint.eml"))
    with Mailbox(dovecot.settings()) as box:
        (listed,) = box.waiting()
        dovecot.deliver(eml("windows_1252.eml"))
        box.done(listed.uid)  # its answer carries the news of the arrival (EXISTS)
        assert box.wait(120) is True


def test_the_processed_folder_is_created_when_missing(dovecot: Dovecot) -> None:
    folder = "Réclamations traitées"  # IMAP's modified UTF-7 on the wire
    dovecot.deliver(eml("apple_mail_subject_only.eml"))
    with Mailbox(dovecot.settings(imap_processed_folder=folder)) as box:
        box.done(box.waiting()[0].uid)
    assert dovecot.messages(folder) == [eml("apple_mail_subject_only.eml")]
    with dovecot.client() as client:
        assert folder in [name for _, _, name in client.list_sub_folders()]


def test_a_server_without_move_or_idle_gets_copy_expunge_and_polling(tmp_path: Path) -> None:
    with running(tmp_path, capability="IMAP4rev1 LITERAL+ UIDPLUS") as server:
        server.deliver(eml("mailing_list.eml"))
        server.deliver(eml("out_of_office.eml"))
        with Mailbox(server.settings()) as box:
            first, second = box.waiting()
            box.done(first.uid)
            assert box.waiting() == [second]
            assert box.wait(0.01) is True  # polled: the caller looks again
        assert server.messages("INBOX") == [eml("out_of_office.eml")]
        assert server.messages("Processed") == [eml("mailing_list.eml")]


def test_without_uidplus_a_filed_message_stays_flagged_and_is_not_listed(tmp_path: Path) -> None:
    with running(tmp_path, capability="IMAP4rev1 LITERAL+") as server:
        server.deliver(eml("our_own_message.eml"))
        server.deliver(eml("gmail_reply.eml"))
        with Mailbox(server.settings()) as box:
            first, second = box.waiting()
            box.done(first.uid)
            assert box.waiting() == [second]
        inbox = server.contents("INBOX")
        assert [b"\\Deleted" in flags for _, flags in inbox] == [True, False]
        assert server.messages("Processed") == [eml("our_own_message.eml")]


def test_starttls_is_required_when_asked_for(dovecot: Dovecot) -> None:
    settings = dovecot.settings(imap_security="starttls")  # the server offers no STARTTLS
    with pytest.raises(MailboxError, match="STARTTLS") as refused, Mailbox(settings):
        pass  # never reached: no falling back to clear text
    assert "\n" not in str(refused.value)


def test_tls_against_a_plain_port_fails_as_tls(dovecot: Dovecot) -> None:
    settings = dovecot.settings(imap_security="tls")
    tls_failed = rf"^IMAP server 127.0.0.1:{dovecot.port}: TLS failed: "
    with pytest.raises(MailboxError, match=tls_failed), Mailbox(settings):
        pass
