"""What a customer wrote in an e-mail, as text: the body (HTML-only mail turned into text), the
new text of a reply with the quoted history cut, and the files attached. Pure: bytes in, facts
out; anything that cannot be read raises `Unreadable` with the reason in words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import html2text
from mailparser_reply import EmailReplyParser

# The quoted history's header when a mail program wraps it over two lines (Gmail does), which
# the reply parser reads only when it stands on one: "Le lun. 2 mars 2026 à 10:00, X <\nx@y> a
# écrit :", "On Mon, 2 Mar 2026 at 10:00, X <x@y> wrote:".
WRAPPED_QUOTE_HEADER = re.compile(
    r"^(Le|On) [^\n]{0,200}(\n[^\n]{0,200})?(a écrit|wrote)\s?:\s*$", re.MULTILINE
)
LANGUAGES = ["fr", "en", "de", "es", "it", "nl"]  # the reply parser's quote headers


class Unreadable(Exception):
    """The message cannot be read as a customer's text; the reason in words."""


@dataclass(frozen=True)
class File:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Content:
    text: str  # the body as text, whole
    files: list[File] = field(default_factory=list)
    language: str | None = None  # from Content-Language, when the mail program says it

    def new_text(self) -> str:
        """The reply's own words: the quoted history (and a wrapped quote header) cut."""
        text = self.text
        found = WRAPPED_QUOTE_HEADER.search(text)
        if found:  # the parser reads a header it finds first as the reply's words ("Le")
            text = text[: found.start()]
        try:
            kept = EmailReplyParser(languages=LANGUAGES).parse_reply(text=text) if text else ""
        except Exception:  # the parser's regexes on an odd text: keep the whole
            kept = text
        return str(kept).strip()  # "" when all of it was quoted: a reply with nothing new


def _text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset: read what can be read
        payload = body.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if body.get_content_type() == "text/html":
        converter = html2text.HTML2Text()
        converter.ignore_images = True
        converter.body_width = 0  # no wrapping: the customer's lines as they were
        content = converter.handle(content)
    return content.replace("\r\n", "\n").strip()


def _files(message: EmailMessage) -> list[File]:
    files: list[File] = []
    for part in message.iter_attachments():
        if not isinstance(part, EmailMessage) or part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and data:
            name = part.get_filename() or f"piece-jointe-{len(files) + 1}"
            files.append(File(name, data))
    return files


def read_content(raw: bytes) -> Content:
    """The text and files of `raw`; `Unreadable` when its MIME cannot be walked."""
    try:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        text, files = _text_of(message), _files(message)
        language = str(message.get("Content-Language", "")).strip().lower()[:2] or None
    except Exception as error:  # malformed MIME in any of its many ways
        raise Unreadable(f"the message's MIME cannot be read ({type(error).__name__})") from None
    return Content(text, files, language if language in ("fr", "en") else None)
