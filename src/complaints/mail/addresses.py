"""E-mail addresses as the mail system takes them: ASCII where they can be, SMTPUTF8 where not."""

from __future__ import annotations

from email.utils import parseaddr

from email_validator import EmailNotValidError, validate_email


def on_the_wire(address: str) -> str:
    """`address` in ASCII when only its domain is not (the domain in IDNA: `xn--…`), which any
    relay takes; otherwise as given (its local part needs SMTPUTF8)."""
    if address.isascii():
        return address
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return address
    return checked.ascii_email or address


def needs_smtputf8(address: str) -> bool:
    """Whether only a relay offering SMTPUTF8 (RFC 6531) can deliver to `address`."""
    return not on_the_wire(address).isascii()


def address_of(value: str) -> str:
    """The address in `Name <address>`, lower case ("" when there is none)."""
    return parseaddr(value)[1].lower()


def message_domain(mail_from: str) -> str:
    """The domain of our Message-IDs: the sender's (a reply names it, and so finds us)."""
    return address_of(mail_from).rpartition("@")[2] or "complaints.local"
